package io.cloudpark.park;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.UUID;

import io.cloudpark.tenant.ParkGroup;
import io.cloudpark.tenant.Tenant;
import io.cloudpark.tenant.TenantDirectory;

/**
 * The park rules (DESIGN §3): who may park where, and the life of a parked call from HOLDING to its one
 * {@link Resolution}. Knows nothing of SIP: the call flows ask it, then act on the wire.
 */
public final class ParkService {

    /** Why a park was refused. The call stays connected in every case. */
    public enum ParkRefusal {
        UNKNOWN_EXTENSION, OTHER_TENANT, NOT_IN_A_PARK_GROUP, FULL,
        /** The extension is locked by other parks for longer than the store waits: try again. */
        BUSY,
        STORE_UNAVAILABLE
    }

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

        /** The call to retrieve is held by another cluster node: only that node can claim it. Nothing changed. */
        record HeldElsewhere(ParkedCall call) implements RetrieveClaim { }
    }

    /** What became of a change of a tenant's park rules. */
    public sealed interface PolicyChange {
        record Changed(Tenant tenant) implements PolicyChange { }

        /** Field name: what is wrong with it, for every field out of range; nothing was stored. */
        record Invalid(List<String> violations) implements PolicyChange { }

        record NoSuchTenant() implements PolicyChange { }
    }

    private final TenantDirectory directory;
    private final ParkedCallStore store;
    private final Clock clock;
    private final String nodeId;
    private final ParkEvents events;

    /** @param events told of every park that becomes retrievable and of every end, once each */
    public ParkService(TenantDirectory directory, ParkedCallStore store, Clock clock, String nodeId, ParkEvents events) {
        this.directory = directory;
        this.store = store;
        this.clock = clock;
        this.nodeId = nodeId;
        this.events = events;
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
            ParkedCall call = newCall(tenant, target, parker, parkerExtension, parked);
            if (!store.insertHolding(call, tenant.policy().maxParkedPerExtension())) {
                return new ParkOutcome.Refused(ParkRefusal.FULL);
            }
            return new ParkOutcome.Accepted(call);
        } catch (StoreBusyException e) {
            return new ParkOutcome.Refused(ParkRefusal.BUSY);
        } catch (StoreUnavailableException e) {
            return new ParkOutcome.Refused(ParkRefusal.STORE_UNAVAILABLE);
        }
    }

    /**
     * Group park ({@code *58}): the call goes to the first member of the parker's park group, in group order, that has
     * nothing parked. Each member is tried under its own extension lock, so two group parks never pick one member.
     */
    public ParkOutcome parkInGroup(Tenant tenant, String targetDomain, String parkerExtension, Party parker, Party parked) {
        if (!tenant.domain().equalsIgnoreCase(targetDomain)) {
            return new ParkOutcome.Refused(ParkRefusal.OTHER_TENANT);
        }
        try {
            Optional<ParkGroup> group = parkerExtension == null ? Optional.empty()
                    : directory.parkGroupOf(tenant.id(), parkerExtension);
            if (group.isEmpty()) {
                return new ParkOutcome.Refused(ParkRefusal.NOT_IN_A_PARK_GROUP);
            }
            for (String member : group.get().members()) {
                ParkedCall call = newCall(tenant, member, parker, parkerExtension, parked);
                if (store.insertHolding(call, 1)) {
                    return new ParkOutcome.Accepted(call);
                }
            }
            return new ParkOutcome.Refused(ParkRefusal.FULL);
        } catch (StoreBusyException e) {
            return new ParkOutcome.Refused(ParkRefusal.BUSY);
        } catch (StoreUnavailableException e) {
            return new ParkOutcome.Refused(ParkRefusal.STORE_UNAVAILABLE);
        }
    }

    /** Where {@code *88} alone retrieves from: the caller's park group, or the caller's own extension. */
    public List<String> ownRetrieveScope(Tenant tenant, String callerExtension) {
        return directory.parkGroupOf(tenant.id(), callerExtension).map(ParkGroup::members).orElse(List.of(callerExtension));
    }

    /** The parked party is on hold: the call becomes retrievable. Empty if it ended meanwhile. */
    public Optional<ParkInfo> confirmParked(String parkId) {
        Optional<ParkInfo> parked = store.markParked(parkId);
        parked.ifPresent(info -> events.occurred(new ParkEvent.Occurrence(parkId, null, clock.instant(), null)));
        return parked;
    }

    /**
     * As {@link #confirmParked(String)}, recording where the parked party's call runs at the edge proxy (an opaque
     * handle), so that a survivor can move the call to itself should this node die.
     */
    public Optional<ParkInfo> confirmParked(String parkId, String parkedDialog) {
        return store.markParked(parkId, parkedDialog);
    }

    /** Where the parked party's call runs at the edge proxy, if this call may be moved off a dead node. */
    public Optional<String> parkedDialog(String parkId) {
        return store.parkedDialog(parkId);
    }

    /**
     * This node takes a dead node's parked call to move it (REPARKING, owned here): it stays announced as parked, and
     * no retriever or recall can claim it meanwhile. False if it is no longer PARKED on that node.
     */
    public boolean adoptOrphan(String parkId, String deadNode) {
        return store.adopt(parkId, deadNode, nodeId);
    }

    /** The moved party reached this node: the call is PARKED here again, the same park. Empty if its move is over. */
    public Optional<ParkedCall> takeOverMoved(String parkId, String parkedDialog) {
        return store.takeOver(parkId, nodeId, parkedDialog);
    }

    /**
     * The move did not happen in time: the call leaves REPARKING (so a late arrival cannot take it) for its end.
     * False if the moved party got there first.
     */
    public boolean giveUpMove(String parkId) {
        return store.transition(parkId, ParkStatus.REPARKING, ParkStatus.HOLDING);
    }

    private ParkedCall newCall(Tenant tenant, String at, Party parker, String parkerExtension, Party parked) {
        Instant now = clock.instant();
        return new ParkedCall(UUID.randomUUID().toString(), tenant.id(), at, parked, parker, parkerExtension, now,
                now.plus(Duration.ofSeconds(tenant.policy().parkTimeoutSeconds())), ParkStatus.HOLDING, nodeId);
    }

    /**
     * Claims the oldest call parked at any of {@code extensions} (or the one named by {@code parkId}) for one
     * retriever. The claim is a conditional update in the store, so of two simultaneous claimants exactly one wins,
     * whichever nodes they are on. A call another node holds is not claimed here: the retriever is sent there.
     */
    public RetrieveClaim claimForRetrieve(Tenant tenant, List<String> extensions, Optional<String> parkId) {
        List<ParkedCall> there = extensions.stream()
                .flatMap(extension -> store.parkedAt(tenant.id(), extension).stream())
                .filter(call -> parkId.isEmpty() || parkId.get().equals(call.id()))
                .sorted(Comparator.comparing(ParkedCall::parkedAt).thenComparing(ParkedCall::id))
                .toList();
        if (there.isEmpty()) {
            return new RetrieveClaim.NothingParked();
        }
        for (ParkedCall candidate : there) {
            if (candidate.status() != ParkStatus.PARKED) {
                continue;
            }
            if (!nodeId.equals(candidate.ownerNode())) {
                return new RetrieveClaim.HeldElsewhere(candidate);
            }
            if (store.transition(candidate.id(), ParkStatus.PARKED, ParkStatus.RETRIEVING)) {
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

    public Optional<Tenant> tenant(String domain) {
        return directory.tenantByDomain(domain.toLowerCase(Locale.ROOT));
    }

    /**
     * Validates and stores a tenant's new park rules: the one path for every adapter (admin API, JMX), so a value
     * refused in one is refused in all. The database stays the one truth across nodes.
     */
    public PolicyChange changePolicy(Tenant tenant, ParkingPolicy policy) {
        List<String> violations = new ArrayList<>(policy.violations());
        if (violations.isEmpty()) {
            for (String member : policy.recallGroup()) {
                requireExtension(tenant, "recallGroup", member, violations);
            }
            if (policy.recallFallback() != null) {
                requireExtension(tenant, "recallFallback", policy.recallFallback(), violations);
            }
        }
        if (!violations.isEmpty()) {
            return new PolicyChange.Invalid(violations);
        }
        return directory.updatePolicy(tenant.domain(), policy)
                .<PolicyChange>map(PolicyChange.Changed::new)
                .orElseGet(PolicyChange.NoSuchTenant::new);
    }

    /** A recall that rings nobody is no recall: its targets must be extensions of the tenant. */
    private void requireExtension(Tenant tenant, String field, String number, List<String> violations) {
        if (directory.extension(tenant.id(), number).isEmpty()) {
            violations.add(field + ": no extension " + number + " in " + tenant.domain());
        }
    }

    /** Calls parked anywhere in the tenant now, oldest first. */
    public List<ParkedCall> parkedInTenant(Tenant tenant) {
        return store.parkedInTenant(tenant.id());
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

    /** Now, by the park's clock: when an end happened, even if the store records it only later. */
    public Instant now() {
        return clock.instant();
    }

    /**
     * Ends the park with its resolution, as of {@code endedAt} (the store may record it later than it happened);
     * empty if it had already ended (exactly one end wins).
     */
    public Optional<ParkInfo> end(String parkId, Resolution resolution, String endedBy, Instant endedAt) {
        Optional<ParkInfo> ended = store.end(parkId, resolution, endedAt, endedBy);
        ended.ifPresent(info -> events.occurred(new ParkEvent.Occurrence(parkId, resolution, endedAt, endedBy)));
        return ended;
    }
}
