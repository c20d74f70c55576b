package io.cloudpark.park;

import java.time.Instant;
import java.util.List;
import java.util.Optional;

/**
 * Where parked calls and park history are kept. Every method is one transaction; every method may throw
 * {@link StoreUnavailableException} when the database cannot be reached.
 */
public interface ParkedCallStore {

    /**
     * Stores {@code call} (status {@link ParkStatus#HOLDING}) unless {@code maxPerExtension} calls are already parked
     * at its extension (counted in the same transaction, so concurrent parks cannot overfill it).
     *
     * @return false when the extension is full, nothing stored
     */
    boolean insertHolding(ParkedCall call, int maxPerExtension);

    /** Atomically moves the call from {@code from} to {@code to}; false if it is not (or no longer) in {@code from}. */
    boolean transition(String id, ParkStatus from, ParkStatus to);

    /**
     * HOLDING → PARKED, bumps the extension's park-info version and returns its full state (reason "parked"), all in
     * one transaction. Empty if the call was not HOLDING (it ended meanwhile).
     */
    default Optional<ParkInfo> markParked(String id) {
        return markParked(id, null);
    }

    /**
     * As {@link #markParked(String)}, recording {@code parkedDialog}: an opaque handle of the parked party's call at
     * the edge proxy, by which a survivor can move the call should this node die (null: it is not to be moved).
     */
    Optional<ParkInfo> markParked(String id, String parkedDialog);

    /** The handle recorded by {@link #markParked(String, String)} or {@link #takeOver}; empty if none. */
    Optional<String> parkedDialog(String id);

    /**
     * A dead node's call is taken by a survivor to be moved: PARKED and owned by {@code deadNode} becomes REPARKING
     * and owned by {@code survivor}, in one conditional update. False if it was not so (ended, claimed, taken).
     */
    boolean adopt(String id, String deadNode, String survivor);

    /**
     * The moved party has reached {@code owner}: REPARKING becomes PARKED, owned there, with the new dialog's handle,
     * in one conditional update. Empty if the call was not REPARKING (ended, or its move given up).
     */
    Optional<ParkedCall> takeOver(String id, String owner, String parkedDialog);

    /**
     * Ends the call: removes it from the parked calls, records it in the history with its resolution, bumps the
     * extension's park-info version and returns its full state (reason = {@link Resolution#noticeReason()},
     * park-id = the call), all in one transaction. Empty if the call had already ended: exactly one end wins.
     */
    Optional<ParkInfo> end(String id, Resolution resolution, Instant endedAt, String endedBy);

    /** The state of one extension without changing it (reason as given, park-id null). */
    ParkInfo snapshot(long tenantId, String extension, String reason);

    /** Calls parked at one extension now, in any status, oldest first. */
    List<ParkedCall> parkedAt(long tenantId, String extension);

    /** Calls parked anywhere in the tenant now, oldest first. */
    List<ParkedCall> parkedInTenant(long tenantId);

    /** One parked call, only if it belongs to that tenant. */
    Optional<ParkedCall> find(long tenantId, String id);

    /** Calls parked on that cluster node, in any tenant: after a restart, what it can no longer hold. */
    List<ParkedCall> ownedBy(String nodeId);

    /** Ended parks of the tenant, newest first, at most {@code limit}. */
    default List<EndedPark> history(long tenantId, int limit) {
        return history(tenantId, HistoryQuery.newest(limit));
    }

    /** Ended parks of the tenant that match the query, newest first (by end time, then by when they were stored). */
    List<EndedPark> history(long tenantId, HistoryQuery query);
}
