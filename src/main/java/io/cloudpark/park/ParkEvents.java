package io.cloudpark.park;

/**
 * Where the park service reports what happens to parks. Called on the thread that made it happen (a SIP thread):
 * an implementation must return at once and never fail the caller.
 */
@FunctionalInterface
public interface ParkEvents {
    ParkEvents NONE = occurrence -> { };

    void occurred(ParkEvent.Occurrence occurrence);
}
