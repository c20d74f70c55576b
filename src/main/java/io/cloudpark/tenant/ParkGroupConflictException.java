package io.cloudpark.tenant;

/** A park group of that name exists, or a member belongs to another group already. */
public class ParkGroupConflictException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    public ParkGroupConflictException(String message) {
        super(message);
    }
}
