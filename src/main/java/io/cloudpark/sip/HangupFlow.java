package io.cloudpark.sip;

import javax.servlet.sip.SipServletRequest;

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
 * A parked party hanging up ends its park as ABANDONED and clears the devices of the extension.
 */
final class HangupFlow {
    private final SipCore core;
    private final AttendedParkFlow attendedParks;

    HangupFlow(SipCore core, AttendedParkFlow attendedParks) {
        this.core = core;
        this.attendedParks = attendedParks;
    }

    void bye(SipServletRequest bye) {
        Leg leg = Leg.of(bye.getSession());
        // ended before the 200 ends the dialog: a retrieve that then fails to re-INVITE knows the party left
        boolean first = leg != null && leg.end();
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

    /** The operator's hang-up (admin API): the parked party gets a BYE, the park ends ENDED_BY_OPERATOR. */
    boolean byOperator(Tenant tenant, String parkId) {
        if (core.app.parkService().find(tenant, parkId).isEmpty()) {
            return false;
        }
        Leg leg = core.parkedLegs.release(parkId);
        boolean ended = core.endPark(tenant, parkId, Resolution.ENDED_BY_OPERATOR, "operator");
        if (leg != null) {
            leg.parkedAs(null);
            SipMessages.hangUp(leg);
        }
        return ended;
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
