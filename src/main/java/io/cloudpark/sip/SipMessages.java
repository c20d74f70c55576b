package io.cloudpark.sip;

import java.io.IOException;

import javax.servlet.sip.SipServletMessage;
import javax.servlet.sip.SipServletRequest;
import javax.servlet.sip.SipServletResponse;

import org.apache.log4j.Logger;

/** Small things every flow does with SIP messages. */
final class SipMessages {
    private static final Logger LOG = Logger.getLogger(SipMessages.class);
    static final String SDP = "application/sdp";
    private static final String ANSWERED = "io.cloudpark.sip.answered";

    private SipMessages() {
    }

    /** The message body, or null when it has none. */
    static byte[] body(SipServletMessage message) {
        try {
            byte[] raw = message.getRawContent();
            return raw == null || raw.length == 0 ? null : raw;
        } catch (IOException e) {
            return null;
        }
    }

    /** Copies the body (and its type) of {@code from} into {@code to}; returns it, or null if there was none. */
    static byte[] copyBody(SipServletMessage from, SipServletMessage to) throws IOException {
        byte[] body = body(from);
        if (body != null) {
            to.setContent(body, from.getContentType());
        }
        return body;
    }

    /** Sets the SDP as the message's body; none if {@code sdp} is null. */
    static void setSdp(SipServletMessage message, byte[] sdp) throws IOException {
        if (sdp != null) {
            message.setContent(sdp, SDP);
        }
    }

    /** Sends a final answer to a request unless one was sent already (e.g. the container's 487 after a CANCEL). */
    static void answer(SipServletRequest request, int status, String reason) {
        if (answered(request)) {
            return;
        }
        try {
            markAnswered(request);
            (reason == null ? request.createResponse(status) : request.createResponse(status, reason)).send();
        } catch (IOException | IllegalStateException e) {
            LOG.warn("could not answer " + request.getMethod() + " with " + status + ": " + e.getMessage());
        } catch (NullPointerException e) {
            // Restcomm cannot build a response to a request whose Via names a transport it has no listening point for
            // (SIP/2.0/XYZ): no answer can reach such a sender, and nothing is wrong here (fuzz regression)
            LOG.warn("could not answer " + request.getMethod() + " with " + status + " (Via " + request.getHeader("Via")
                    + "): " + e.getMessage());
        }
    }

    /**
     * Sends a flow's own 2xx to an INVITE, with the SDP; false if it could not go. The container answers a CANCEL and
     * its INVITE (487) by itself, and {@code isCommitted()} does not always say so by then: building or sending the
     * answer is what fails, and the flow then undoes what it had begun (RetrieveCancelRaceIT).
     */
    static boolean answerWithSdp(SipServletRequest invite, int status, byte[] sdp) {
        if (answered(invite)) {
            return false;
        }
        try {
            SipServletResponse response = invite.createResponse(status);
            setSdp(response, sdp);
            response.send();
            markAnswered(invite);
            return true;
        } catch (IOException | IllegalStateException e) {
            LOG.info("no " + status + " to the INVITE from " + invite.getFrom() + ", answered already: " + e.getMessage());
            return false;
        }
    }

    /**
     * Relays a device's provisional answer to the caller's INVITE, unless that has its final answer: a 2xx relayed
     * first, or the container's 487 to a CANCEL that crossed the ringing, which {@code isCommitted()} may not show yet.
     */
    static void relayProvisional(SipServletRequest invite, SipServletResponse provisional) throws IOException {
        if (answered(invite)) {
            logNotRelayed(invite, provisional, "");
            return;
        }
        try {
            SipServletResponse relayed = invite.createResponse(provisional.getStatus());
            copyBody(provisional, relayed);
            relayed.send();
        } catch (IllegalStateException e) {
            logNotRelayed(invite, provisional, ": " + e.getMessage());
        }
    }

    private static void logNotRelayed(SipServletRequest invite, SipServletResponse provisional, String detail) {
        LOG.info("no " + provisional.getStatus() + " relayed to the INVITE from " + invite.getFrom()
                + ", it has its final answer" + detail);
    }

    /**
     * A final answer went out: the container says so, or {@link #answer} or a challenge sent one (the container's
     * {@code isCommitted()} turns false again once a TCP transaction has ended).
     */
    static boolean answered(SipServletRequest request) {
        return request.isCommitted() || request.getAttribute(ANSWERED) != null;
    }

    static void markAnswered(SipServletRequest request) {
        request.setAttribute(ANSWERED, Boolean.TRUE);
    }

    static void send(SipServletRequest request) {
        try {
            request.send();
        } catch (IOException | IllegalStateException e) {
            LOG.warn("could not send " + request.getMethod() + " to " + request.getRequestURI() + ": " + e.getMessage());
        }
    }

    static void ack(SipServletResponse answer, byte[] sdp) {
        try {
            SipServletRequest ack = answer.createAck();
            if (sdp != null) {
                ack.setContent(sdp, SDP);
            }
            ack.send();
        } catch (IOException | IllegalStateException e) {
            LOG.warn("could not ACK " + answer.getStatus() + ": " + e.getMessage());
        }
    }

    /**
     * Re-INVITEs the leg's party with this SDP (stamped with the leg's origin) and ACKs it if it succeeds: for a
     * media change nothing waits on, such as putting a call back as it was.
     */
    static void reinvite(Leg leg, byte[] sdp) throws IOException {
        SipServletRequest reinvite = leg.session().createRequest("INVITE");
        setSdp(reinvite, leg.stamp(sdp));
        Callbacks.onResponse(reinvite, answer -> {
            if (isSuccess(answer)) {
                ack(answer, null);
            }
        });
        reinvite.send();
    }

    /** Sends BYE on the leg unless it has ended already. */
    static void hangUp(Leg leg) {
        if (leg == null || !leg.end()) {
            return;
        }
        try {
            send(leg.session().createRequest("BYE"));
        } catch (IllegalStateException e) {
            LOG.debug("no BYE on a dialog that is gone: " + e.getMessage());
        }
    }

    static boolean isSuccess(SipServletResponse response) {
        return response.getStatus() >= 200 && response.getStatus() < 300;
    }
}
