package io.cloudpark.park;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import java.util.UUID;

import io.cloudpark.tenant.Tenant;
import io.cloudpark.tenant.TenantDirectory;

/**
 * The park rules (DESIGN §3): who may park where, and the life of a parked call from HOLDING to its one
 * {@link Resolution}. Knows nothing of SIP: the call flows ask it, then act on the wire.
 */
public final class ParkService {

    /** Why a park was refused. The call stays connected in every case. */
    public enum ParkRefusal { UNKNOWN_EXTENSION, OTHER_TENANT, FULL, STORE_UNAVAILABLE }

    public sealed interface ParkOutcome {
        record Accepted(ParkedCall call) implements ParkOutcome { }

        record Refused(ParkRefusal reason) implements ParkOutcome { }
    }

    public sealed interface RetrieveClaim {
        /** This claimant, and nobody else, now holds the call. */
        record Claimed(ParkedCall call) implements RetrieveClaim { }

        /** Nothing is parked there (or not that park-id). */
        record NothingParked() implements RetrieveClaim { }

        /** Something is parked, but another retriever or the recall took it first. */
        record LostRace() implements RetrieveClaim { }
    }

    private final TenantDirectory directory;
    private final ParkedCallStore store;
    private final Clock clock;
    private final String nodeId;

    public ParkService(TenantDirectory directory, ParkedCallStore store, Clock clock, String nodeId) {
        this.directory = directory;
        this.store = store;
        this.clock = clock;
        this.nodeId = nodeId;
    }

    /**
     * Decides and records a park: the target is the requested extension, or the parker's own. Stored HOLDING;
     * {@link #confirmParked} makes it retrievable once the parked party is on hold.
     */
    public ParkOutcome park(Tenant tenant, String targetDomain, FeatureRequest.Park request, String parkerExtension,
                            Party parker, Party parked) {
        if (!tenant.domain().equalsIgnoreCase(targetDomain)) {
            return new ParkOutcome.Refused(ParkRefusal.OTHER_TENANT);
        }
        String target = request.extension().orElse(parkerExtension);
        try {
            if (target == null || directory.extension(tenant.id(), target).isEmpty()) {
                return new ParkOutcome.Refused(ParkRefusal.UNKNOWN_EXTENSION);
            }
            Instant now = clock.instant();
            ParkingPolicy policy = tenant.policy();
            ParkedCall call = new ParkedCall(UUID.randomUUID().toString(), tenant.id(), target, parked, parker,
                    parkerExtension, now, now.plus(Duration.ofSeconds(policy.parkTimeoutSeconds())),
                    ParkStatus.HOLDING, nodeId);
            if (!store.insertHolding(call, policy.maxParkedPerExtension())) {
                return new ParkOutcome.Refused(ParkRefusal.FULL);
            }
            return new ParkOutcome.Accepted(call);
        } catch (StoreUnavailableException e) {
            return new ParkOutcome.Refused(ParkRefusal.STORE_UNAVAILABLE);
        }
    }

    /** The parked party is on hold: the call becomes retrievable. Empty if it ended meanwhile. */
    public Optional<ParkInfo> confirmParked(String parkId) {
        return store.markParked(parkId);
    }

    /**
     * Claims the oldest call parked at {@code extension} (or the one named by {@code parkId}) for one retriever.
     * The claim is a conditional update in the store, so of two simultaneous claimants exactly one wins.
     */
    public RetrieveClaim claimForRetrieve(Tenant tenant, String extension, Optional<String> parkId) {
        List<ParkedCall> there = store.parkedAt(tenant.id(), extension).stream()
                .filter(call -> parkId.isEmpty() || parkId.get().equals(call.id()))
                .toList();
        if (there.isEmpty()) {
            return new RetrieveClaim.NothingParked();
        }
        for (ParkedCall candidate : there) {
            if (candidate.status() == ParkStatus.PARKED
                    && store.transition(candidate.id(), ParkStatus.PARKED, ParkStatus.RETRIEVING)) {
                return new RetrieveClaim.Claimed(candidate.withStatus(ParkStatus.RETRIEVING));
            }
        }
        return new RetrieveClaim.LostRace();
    }

    /** The recall timer takes the call; false if a retriever (or an end) got there first. */
    public boolean claimForRecall(String parkId) {
        return store.transition(parkId, ParkStatus.PARKED, ParkStatus.RECALLING);
    }

    /** A claim that could not be carried out hands the call back: parked again, retrievable by the next one. */
    public boolean releaseClaim(String parkId, ParkStatus claimedAs) {
        return store.transition(parkId, claimedAs, ParkStatus.PARKED);
    }

    public Optional<ParkedCall> find(Tenant tenant, String parkId) {
        return store.find(tenant.id(), parkId);
    }

    /** What is parked at the extension now, as a park-info state with that reason (nothing changes). */
    public ParkInfo snapshot(Tenant tenant, String extension, String reason) {
        return store.snapshot(tenant.id(), extension, reason);
    }

    /** Calls this node had parked: after a restart it holds none of their SIP dialogs. */
    public List<ParkedCall> ownedBy(String node) {
        return store.ownedBy(node);
    }

    /** Ends the park with its resolution; empty if it had already ended (exactly one end wins). */
    public Optional<ParkInfo> end(String parkId, Resolution resolution, String endedBy) {
        return store.end(parkId, resolution, clock.instant(), endedBy);
    }
}
