package io.cloudpark.sip;

import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;

import javax.servlet.sip.SipServletRequest;

import org.apache.log4j.Logger;

import io.cloudpark.park.ParkedCall;
import io.cloudpark.park.Resolution;
import io.cloudpark.tenant.Tenant;

/**
 * BYE from any phone:
 * <pre>
 *  phone          PBX            other leg
 *    | BYE         |                 |
 *    |------------>|  BYE            |     a bridged call: the other side is hung up too
 *    |    200      |---------------->|
 *    |<------------|                 |
 * </pre>
 * A parked party hanging up ends its park as ABANDONED and clears the devices of the extension. In a cluster a park
 * held here can be ended by another node (the operator's hang-up through its API); this node then hangs up the leg.
 */
final class HangupFlow {
    private static final Logger LOG = Logger.getLogger(HangupFlow.class);
    private static final long ENDED_ELSEWHERE_CHECK_MS = 1_000;

    private final SipCore core;
    private final AttendedParkFlow attendedParks;

    HangupFlow(SipCore core, AttendedParkFlow attendedParks) {
        this.core = core;
        this.attendedParks = attendedParks;
    }

    void bye(SipServletRequest bye) {
        Leg leg = Leg.of(bye.getSession());
        if (leg == null) {
            SipMessages.answer(bye, 200, null);
            return;
        }
        try {
            leg.exclusively(() -> hungUp(bye, leg));
        } catch (Exception e) {
            LOG.error("BYE from " + leg.extension() + "@" + leg.tenant().domain() + " not handled", e);
        }
    }

    /** Holding the call lock of the leg that hung up: a retrieve or recall of its park waits, or has decided. */
    private void hungUp(SipServletRequest bye, Leg leg) {
        // ended before the 200 ends the dialog: a retrieve that then fails to re-INVITE knows the party left
        boolean first = leg.end();
        SipMessages.answer(bye, 200, null);
        if (!first) {
            return;
        }
        attendedParks.forget(leg);
        String parkId = leg.parkId();
        if (parkId != null) {
            core.endAbandoned(leg, parkId);
        }
        Runnable waiting = leg.takeOnHangUp();
        if (waiting != null) {
            waiting.run();
        }
        Leg peer = leg.unbridge();
        SipMessages.hangUp(peer);
    }

    /**
     * The operator's hang-up (admin API): the parked party gets a BYE, the park ends ENDED_BY_OPERATOR. On an HTTP
     * or JMX thread, holding the parked party's call lock like any flow that acts on the park: a retrieve that got
     * there first has ended it (false), one that comes after finds it ended.
     */
    boolean byOperator(Tenant tenant, String parkId) {
        if (core.app.parkService().find(tenant, parkId).isEmpty()) {
            return false;
        }
        Leg held = core.parkedLegs.leg(parkId);
        if (held == null) {
            // no dialog of it here: held by another node (which hangs it up), or between its park and its hold
            return core.endPark(tenant, parkId, Resolution.ENDED_BY_OPERATOR, "operator");
        }
        boolean[] ended = new boolean[1];
        try {
            held.exclusively(() -> {
                Leg leg = core.parkedLegs.release(parkId);
                ended[0] = core.endPark(tenant, parkId, Resolution.ENDED_BY_OPERATOR, "operator");
                if (leg != null) {
                    leg.parkedAs(null);
                    SipMessages.hangUp(leg);
                }
            });
        } catch (Exception e) {
            throw new IllegalStateException("operator hang-up of park " + parkId, e);
        }
        return ended[0];
    }

    /** Every second, hangs up the parked legs held here whose park another node has ended. */
    void watchParksEndedElsewhere() {
        core.app.scheduler().scheduleWithFixedDelay(() -> {
            try {
                hangUpParksEndedElsewhere();
            } catch (RuntimeException e) {
                LOG.warn("could not check for parks ended by other nodes: " + e.getMessage());
            }
        }, ENDED_ELSEWHERE_CHECK_MS, ENDED_ELSEWHERE_CHECK_MS, TimeUnit.MILLISECONDS);
    }

    /**
     * A park's row goes only after its leg has left {@link ParkedLegs} when this node ends it (or its leg has ended
     * already, for an abandon): a leg still held whose park is gone was ended by another node.
     */
    private void hangUpParksEndedElsewhere() {
        Set<String> held = core.parkedLegs.parkIds();
        if (held.isEmpty()) {
            return;
        }
        Set<String> stillParked = core.app.parkService().ownedBy(core.app.config().nodeId()).stream()
                .map(ParkedCall::id).collect(Collectors.toSet());
        for (String parkId : held) {
            if (stillParked.contains(parkId)) {
                continue;
            }
            Leg leg = core.parkedLegs.leg(parkId);
            if (leg == null) {
                continue;
            }
            try {
                leg.exclusively(() -> {
                    if (core.parkedLegs.release(parkId) == leg) {
                        LOG.info("park " + parkId + " was ended by another node: hanging up its parked party");
                        leg.parkedAs(null);
                        SipMessages.hangUp(leg);
                    }
                });
            } catch (Exception e) {
                LOG.warn("could not hang up park " + parkId + ", ended by another node: " + e.getMessage());
            }
        }
    }

    /**
     * After a restart this node holds no SIP dialog of the calls it had parked: each is closed as FAILED and its
     * extension's devices are cleared, so no retrieve ever rings into a ghost.
     */
    void closeCallsLostInRestart() {
        for (ParkedCall call : core.app.parkService().ownedBy(core.app.config().nodeId())) {
            core.directory.tenantById(call.tenantId()).ifPresent(tenant ->
                    core.endPark(tenant, call.id(), Resolution.FAILED, "restart"));
        }
    }
}
