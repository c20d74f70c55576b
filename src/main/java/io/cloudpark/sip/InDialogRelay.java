package io.cloudpark.sip;

import javax.servlet.sip.SipServletRequest;
import javax.servlet.sip.SipServletResponse;

import org.apache.log4j.Logger;

/**
 * Requests inside a bridged call pass to the other leg, and their answers come back: re-INVITE (with the ACK of its
 * 2xx carried over), UPDATE, INFO, MESSAGE. A leg with nobody on the other side (a parked party) is answered by the
 * PBX itself, with the hold SDP it last sent.
 */
final class InDialogRelay {
    private static final Logger LOG = Logger.getLogger(InDialogRelay.class);

    void relay(SipServletRequest request) throws Exception {
        Leg from = Leg.of(request.getSession());
        if (from == null) {
            SipMessages.answer(request, 481, "Call/Transaction Does Not Exist");
            return;
        }
        Leg to = from.peer();
        if (to == null) {
            answerLocally(request, from);
            return;
        }
        SipServletRequest relayed = to.session().createRequest(request.getMethod());
        if (carriesSdp(request.getMethod())) {
            SipMessages.setSdp(relayed, to.stamp(SipMessages.body(request)));
        } else {
            SipMessages.copyBody(request, relayed);
        }
        Callbacks.onResponse(relayed, answer -> relayAnswer(request, from, answer));
        relayed.send();
    }

    private static void relayAnswer(SipServletRequest request, Leg from, SipServletResponse answer) throws Exception {
        if (answer.getStatus() < 200 || request.isCommitted()) {
            return;
        }
        SipServletResponse relayed = request.createResponse(answer.getStatus(), answer.getReasonPhrase());
        if (carriesSdp(request.getMethod()) && SipMessages.isSuccess(answer)) {
            SipMessages.setSdp(relayed, from.stamp(SipMessages.body(answer)));
        } else {
            SipMessages.copyBody(answer, relayed);
        }
        if ("INVITE".equals(request.getMethod()) && SipMessages.isSuccess(answer)) {
            from.awaitAck(answer);
        }
        relayed.send();
    }

    private static void answerLocally(SipServletRequest request, Leg from) throws Exception {
        SipServletResponse ok = request.createResponse(200);
        if (carriesSdp(request.getMethod()) && from.localSdp() != null) {
            ok.setContent(from.localSdp(), SipMessages.SDP);
        }
        LOG.debug(request.getMethod() + " on a leg with no peer answered by the PBX");
        ok.send();
    }

    /** The ACK of a relayed 2xx: ACK the peer's 2xx, with the SDP answer if this ACK carries one. */
    void ack(SipServletRequest ack) {
        Leg from = Leg.of(ack.getSession());
        SipServletResponse awaited = from == null ? null : from.takeAwaitedAck();
        if (awaited == null) {
            return;
        }
        byte[] sdp = SipMessages.body(ack);
        Leg to = Leg.of(awaited.getSession());
        SipMessages.ack(awaited, to == null ? sdp : to.stamp(sdp));
    }

    /** The requests whose body is an offer or answer, in the origin of the leg they go to ({@link SdpOrigin}). */
    private static boolean carriesSdp(String method) {
        return "INVITE".equals(method) || "UPDATE".equals(method);
    }
}
