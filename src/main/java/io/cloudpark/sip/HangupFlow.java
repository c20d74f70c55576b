package io.cloudpark.sip;

import javax.servlet.sip.SipServletRequest;

import org.apache.log4j.Logger;

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
    private static final Logger LOG = Logger.getLogger(HangupFlow.class);

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
        try {
            core.app.parkService().end(parkId, Resolution.ABANDONED, leg.party().uri()).ifPresent(info -> {
                core.app.metrics().ended(Resolution.ABANDONED);
                LOG.info("park " + parkId + " at " + info.extension() + "@" + leg.tenant().domain() + " ABANDONED");
                core.notifier.announce(leg.tenant(), info);
            });
        } catch (RuntimeException e) {
            LOG.error("park " + parkId + " abandoned, but the store could not record it: " + e.getMessage());
        }
    }
}
