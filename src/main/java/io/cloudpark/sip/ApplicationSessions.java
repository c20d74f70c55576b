package io.cloudpark.sip;

import javax.servlet.sip.SipApplicationSession;

/**
 * Ends application sessions. sip.xml turns the container's expiry off (a parked call may wait for as long as its
 * policy says), and the container does not invalidate on its own a session whose INVITE was refused, cancelled or
 * challenged: each flow ends what it started, here.
 */
final class ApplicationSessions {
    private ApplicationSessions() {
    }

    /** Nothing more can arrive in it (a non-INVITE transaction we answered). */
    static void endNow(SipApplicationSession session) {
        try {
            if (session.isValid()) {
                session.invalidate();
            }
        } catch (IllegalStateException alreadyGone) {
            // invalidated between the check and the call: what we wanted
        }
    }

    /**
     * An INVITE it carried got a final error: the ACK and retransmissions still come to it, so it stays one more
     * minute (the shortest expiry the API offers; Timer H is 32 s).
     */
    static void endAfterAck(SipApplicationSession session) {
        try {
            if (session.isValid()) {
                session.setExpires(1);
            }
        } catch (IllegalStateException alreadyGone) {
            // invalidated between the check and the call: what we wanted
        }
    }
}
