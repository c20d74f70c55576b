package io.cloudpark.park;

/**
 * The database is up but could not do this now: a row lock was not granted in time, or a concurrent transaction
 * forced this one to fail (serialization failure, deadlock). Trying again later may well succeed; nothing is broken.
 */
public class StoreBusyException extends StoreUnavailableException {
    private static final long serialVersionUID = 1L;

    public StoreBusyException(String message, Throwable cause) {
        super(message, cause);
    }
}
