package io.cloudpark.sip;

import javax.servlet.sip.SipServletRequest;

import io.cloudpark.park.Resolution;

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

    HangupFlow(SipCore core) {
        this.core = core;
    }

    void bye(SipServletRequest bye) {
        SipMessages.answer(bye, 200, null);
        Leg leg = Leg.of(bye.getSession());
        if (leg == null || !leg.end()) {
            return;
        }
        String parkId = leg.parkId();
        if (parkId != null) {
            abandoned(leg, parkId);
        }
        Leg peer = leg.unbridge();
        SipMessages.hangUp(peer);
    }

    private void abandoned(Leg leg, String parkId) {
        core.parkedLegs.release(parkId);
        leg.parkedAs(null);
        core.endPark(leg.tenant(), parkId, Resolution.ABANDONED, leg.party().uri());
    }
}
