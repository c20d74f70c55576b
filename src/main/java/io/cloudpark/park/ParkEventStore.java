package io.cloudpark.park;

import java.time.Instant;
import java.util.List;

/**
 * Where park events are kept, numbered in the order they were recorded. Every method is one transaction and may
 * throw {@link StoreUnavailableException}.
 * <p>
 * Numbers are handed out as rows are inserted, and several nodes insert at once: a reader may see event n+1 before
 * the transaction holding n commits. Readers that must not miss one (the live feed) wait a little for a gap to fill.
 */
public interface ParkEventStore {

    /**
     * Records each occurrence, in order, with the park's fields as the store has them (the parked call, or its history
     * once it has ended). An occurrence whose park the store has no trace of is skipped.
     *
     * @return the events recorded, with their numbers
     */
    List<ParkEvent> append(List<ParkEvent.Occurrence> occurrences);

    /** Events of every tenant numbered above {@code afterId}, lowest first, at most {@code limit}. */
    List<ParkEvent> after(long afterId, int limit);

    /** The tenant's events numbered above {@code afterId} and at most {@code throughId}, lowest first, at most {@code limit}. */
    List<ParkEvent> after(long tenantId, long afterId, long throughId, int limit);

    /** The highest number recorded, 0 when there is none. */
    long lastId();

    /** Deletes events older than {@code before}, and beyond the newest {@code keep}; returns how many. */
    int prune(Instant before, int keep);
}
