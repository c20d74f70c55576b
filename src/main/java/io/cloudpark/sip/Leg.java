package io.cloudpark.sip;

import javax.servlet.sip.SipServletResponse;
import javax.servlet.sip.SipSession;

import io.cloudpark.park.Party;
import io.cloudpark.tenant.Tenant;

/**
 * One dialog between the PBX and a phone, and what the PBX knows about it: whose phone it is, which leg it is
 * bridged to, the last SDP the phone got from us, and whether its party is parked. Kept as an attribute of its
 * {@link SipSession}. Two legs bridged together make a conversation; parking unbridges them.
 */
final class Leg {
    private static final String ATTRIBUTE = "cloudpark.leg";

    private final SipSession session;
    private final Tenant tenant;
    private final Party party;
    private final String extension;

    /** Read on every relayed request, written only when legs are bridged or parted (under the class lock). */
    private volatile Leg peer;
    private byte[] localSdp;
    private SipServletResponse peerAnswerAwaitingAck;
    private String parkId;
    private boolean ended;
    private Fork fork;
    private Runnable onHangUp;

    private Leg(SipSession session, Tenant tenant, Party party, String extension) {
        this.session = session;
        this.tenant = tenant;
        this.party = party;
        this.extension = extension;
    }

    static Leg attach(SipSession session, Tenant tenant, Party party, String extension) {
        Leg leg = new Leg(session, tenant, party, extension);
        session.setAttribute(ATTRIBUTE, leg);
        return leg;
    }

    /** The leg of a session, or null when the session is none of ours (or already invalidated). */
    static Leg of(SipSession session) {
        return session != null && session.isValid() ? (Leg) session.getAttribute(ATTRIBUTE) : null;
    }

    static void bridge(Leg a, Leg b) {
        synchronized (Leg.class) {
            a.peer = b;
            b.peer = a;
        }
    }

    /** Unbridges this leg; returns its former peer (or null). */
    Leg unbridge() {
        synchronized (Leg.class) {
            Leg former = peer;
            if (former != null && former.peer == this) {
                former.peer = null;
            }
            peer = null;
            return former;
        }
    }

    Leg peer() {
        return peer;
    }

    SipSession session() {
        return session;
    }

    Tenant tenant() {
        return tenant;
    }

    Party party() {
        return party;
    }

    /** The extension of the phone at the far end of this leg. */
    String extension() {
        return extension;
    }

    synchronized byte[] localSdp() {
        return localSdp;
    }

    synchronized void sentSdp(byte[] sdp) {
        if (sdp != null && sdp.length > 0) {
            localSdp = sdp;
        }
    }

    /** The peer's 2xx that we ACK when this leg's phone ACKs the 2xx we relayed to it. */
    synchronized void awaitAck(SipServletResponse peerAnswer) {
        peerAnswerAwaitingAck = peerAnswer;
    }

    synchronized SipServletResponse takeAwaitedAck() {
        SipServletResponse answer = peerAnswerAwaitingAck;
        peerAnswerAwaitingAck = null;
        return answer;
    }

    synchronized String parkId() {
        return parkId;
    }

    synchronized void parkedAs(String id) {
        parkId = id;
    }

    synchronized boolean ended() {
        return ended;
    }

    /** Ended by either side, or its dialog is over in the container (a BYE received, not yet handled by us). */
    synchronized boolean dialogOver() {
        if (ended) {
            return true;
        }
        try {
            return session.getState() == SipSession.State.TERMINATED;
        } catch (IllegalStateException invalidated) {
            return true;
        }
    }

    /** Marks the leg ended; false if it already was (so only one party sends the BYE). */
    synchronized boolean end() {
        if (ended) {
            return false;
        }
        ended = true;
        return true;
    }

    /**
     * What must happen if this leg's phone hangs up while a request we sent it waits for an answer; false if it
     * already has.
     */
    synchronized boolean onHangUp(Runnable action) {
        if (ended) {
            return false;
        }
        onHangUp = action;
        return true;
    }

    synchronized Runnable takeOnHangUp() {
        Runnable action = onHangUp;
        onHangUp = null;
        return action;
    }

    synchronized Fork fork() {
        return fork;
    }

    synchronized void forking(Fork f) {
        fork = f;
    }
}
