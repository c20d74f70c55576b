package io.cloudpark.park;

import java.time.Instant;
import java.util.Objects;

/**
 * A call held at an extension of a tenant, waiting to be retrieved.
 *
 * @param id          opaque id, also the {@code park-id} of the retrieve URI
 * @param tenantId    the tenant the call belongs to
 * @param extension   the extension it is parked at (the "park spot" is the extension itself)
 * @param parked      the party on hold
 * @param parker      who parked it
 * @param parkerExtension the parker's extension, which the recall rings
 * @param parkedAt    when it was parked
 * @param recallAt    when the recall timer fires
 * @param status      where it is in its life
 * @param ownerNode   the cluster node holding the call's SIP sessions
 */
public record ParkedCall(String id, long tenantId, String extension, Party parked, Party parker,
                         String parkerExtension, Instant parkedAt, Instant recallAt, ParkStatus status,
                         String ownerNode) {
    public ParkedCall {
        Objects.requireNonNull(id, "id");
        Objects.requireNonNull(extension, "extension");
        Objects.requireNonNull(parked, "parked");
        Objects.requireNonNull(parker, "parker");
        Objects.requireNonNull(parkedAt, "parkedAt");
        Objects.requireNonNull(recallAt, "recallAt");
        Objects.requireNonNull(status, "status");
    }

    public ParkedCall withStatus(ParkStatus next) {
        return new ParkedCall(id, tenantId, extension, parked, parker, parkerExtension, parkedAt, recallAt, next, ownerNode);
    }
}
