package io.cloudpark.park;

/** Where a parked call is in its life, while it is still parked. */
public enum ParkStatus {
    /** Accepted and stored; the parked party is being put on hold. Not yet retrievable. */
    HOLDING,
    /** On hold and announced; may be retrieved. */
    PARKED,
    /** Claimed by one retriever; nobody else can take it. */
    RETRIEVING,
    /** Claimed by the recall timer; ringing the parker. */
    RECALLING,
    /**
     * Its node died; a survivor has taken it and asked the edge proxy to move the parked party to a live node, which
     * parks it again (PARKED, owned there). Still announced as parked: the devices see no change.
     */
    REPARKING
}
