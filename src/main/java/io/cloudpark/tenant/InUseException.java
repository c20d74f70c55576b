package io.cloudpark.tenant;

/** What was to be deleted is still used: calls are parked there, or a park group or the recall settings name it. */
public class InUseException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    public InUseException(String message) {
        super(message);
    }
}
