package io.cloudpark.sip;

import java.util.EnumSet;
import java.util.HashSet;
import java.util.Set;

import org.apache.log4j.Logger;

import io.cloudpark.park.ParkStatus;
import io.cloudpark.park.ParkedCall;
import io.cloudpark.park.Resolution;
import io.cloudpark.park.StoreUnavailableException;

/**
 * The safety net under every flow: a park of this node in a transient state (HOLDING, RETRIEVING, RECALLING) whose
 * dialog this node no longer holds, and whose end is not waiting for the store, is a ghost no flow will end. Seen so in
 * two sweeps in a row (so for at least one period: longer than any flow takes between letting go of a leg and ending
 * its park), it is ended FAILED, which clears its extension's devices.
 */
final class StuckParkRepair implements Runnable {
    private static final Logger LOG = Logger.getLogger(StuckParkRepair.class);
    private static final Set<ParkStatus> TRANSIENT = EnumSet.of(ParkStatus.HOLDING, ParkStatus.RETRIEVING,
            ParkStatus.RECALLING);

    private final SipCore core;
    /** Ghosts of the last sweep, by park id: ended if this sweep finds them still so. Only the timer thread runs it. */
    private Set<String> suspects = Set.of();

    StuckParkRepair(SipCore core) {
        this.core = core;
    }

    @Override
    public void run() {
        try {
            sweep();
        } catch (StoreUnavailableException e) {
            // a periodic task that throws is never run again: the next period tries again
            LOG.warn("could not look for stuck parks: " + e.getMessage());
        }
    }

    private void sweep() {
        Set<String> ghosts = new HashSet<>();
        for (ParkedCall call : core.app.parkService().ownedBy(core.app.config().nodeId())) {
            if (!TRANSIENT.contains(call.status()) || core.parkedLegs.leg(call.id()) != null
                    || core.endPending(call.id())) {
                continue;
            }
            if (!suspects.contains(call.id())) {
                ghosts.add(call.id());
                continue;
            }
            core.directory.tenantById(call.tenantId()).ifPresent(tenant -> {
                LOG.warn("park " + call.id() + " at " + call.extension() + "@" + tenant.domain() + " stuck " + call.status()
                        + " with no dialog here: ending it FAILED");
                core.endPark(tenant, call.id(), Resolution.FAILED, "repair");
            });
        }
        suspects = ghosts;
    }
}
