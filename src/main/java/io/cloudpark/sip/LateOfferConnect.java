package io.cloudpark.sip;

import javax.servlet.sip.SipServletRequest;
import javax.servlet.sip.SipServletResponse;

/**
 * Third-party call control with a late offer, the step recall and music on hold share: a party we INVITEd without
 * SDP answered 2xx with its offer; the parked party is re-INVITEd with that offer, and its answer goes back in the
 * ACK of the 2xx (RFC 3725 §4.1).
 * <pre>
 *  parked party            PBX                  offering party
 *    |                      |<----- 2xx (offer) -----|
 *    |<-- re-INVITE offer --|                        |
 *    |---- 200 answer ----->|                        |
 *    |<------- ACK ---------|------ ACK (answer) --->|
 * </pre>
 */
final class LateOfferConnect {

    interface Result {
        void connected(byte[] parkedAnswer) throws Exception;

        /** The parked party refused the re-INVITE; the offering party's 2xx has been ACKed (inactive). */
        void refused(int status, String reason) throws Exception;
    }

    private LateOfferConnect() {
    }

    static void connect(SipCore core, Leg parkedLeg, SipServletResponse offering, byte[] offer, Result result)
            throws Exception {
        SipServletRequest reinvite = parkedLeg.session().createRequest("INVITE");
        SipMessages.setSdp(reinvite, parkedLeg.stamp(offer));
        Leg offeringLeg = Leg.of(offering.getSession());
        // the parked party's answer decides what becomes of its call: under its call lock (see Leg)
        Callbacks.onResponse(reinvite, answer -> parkedLeg.exclusively(() -> {
            if (answer.getStatus() < 200) {
                return;
            }
            if (!SipMessages.isSuccess(answer)) {
                SipMessages.ack(offering, stamp(offeringLeg, Sdp.inactive(core.localAddress())));
                result.refused(answer.getStatus(), answer.getReasonPhrase());
                return;
            }
            SipMessages.ack(answer, null);
            byte[] parkedAnswer = SipMessages.body(answer);
            SipMessages.ack(offering, stamp(offeringLeg, parkedAnswer));
            result.connected(parkedAnswer);
        }));
        reinvite.send();
    }

    private static byte[] stamp(Leg leg, byte[] sdp) {
        return leg == null ? sdp : leg.stamp(sdp);
    }
}
