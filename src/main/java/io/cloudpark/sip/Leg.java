package io.cloudpark.sip;

import java.util.concurrent.atomic.AtomicReference;
import java.util.concurrent.locks.ReentrantLock;

import javax.servlet.sip.SipServletResponse;
import javax.servlet.sip.SipSession;

import io.cloudpark.park.Party;
import io.cloudpark.tenant.Tenant;

/**
 * One dialog between the PBX and a phone, and what the PBX knows about it: whose phone it is, which leg it is
 * bridged to, the last SDP the phone got from us, and whether its party is parked. Kept as an attribute of its
 * {@link SipSession}. Two legs bridged together make a conversation; parking unbridges them.
 *
 * <h2>The concurrency model: one call lock per leg, taken by whatever acts on the call</h2>
 * Work on a call arrives on many threads: the SIP stack's (messages of the parked party, of a retriever, of the
 * devices a recall rings, each in an application session of its own), the application's scheduler (recall and ring
 * timers, retries of a park's end, the sweep for parks ended by other nodes), and HTTP or JMX threads (the operator's
 * hang-up). The container's {@code concurrencyControlMode} cannot tie those together: {@code SipApplicationSession}
 * serialises the messages of one application session, but a retrieve arrives in the retriever's, and an operator's
 * hang-up in none. So cloudpark serialises explicitly, and behaves the same under every mode Restcomm offers
 * ({@code None}, {@code Transaction}, {@code SipSession}, {@code SipApplicationSession}; the SIP tests run under
 * each):
 * <ul>
 * <li>Each leg has a call lock ({@link #exclusively}). A step that decides what becomes of a parked call (its BYE,
 *     the retrieve's re-INVITE and its answer, the recall's start and its connect, the operator's hang-up, the hang-up
 *     of a park another node ended) runs holding the <em>parked party's</em> lock, and first checks that the call is
 *     still where it expected (still held in {@link ParkedLegs}, its leg not ended). A caller's leg holds its own lock
 *     while its call is being answered (a device's 180 and 200 may come on two threads).</li>
 * <li>A thread holding a call lock never waits for another call lock, so there is no lock order to get wrong. It may
 *     read or change any leg's state (the short {@code synchronized} methods below, which call out to nothing) and
 *     send messages, which never wait for an answer.</li>
 * <li>Who wins between two flows that both want a park (a retrieve and the recall timer, two retrievers) is decided
 *     by the store's claim ({@code ParkService.claimForRetrieve} / {@code claimForRecall}), which holds across nodes;
 *     how a park ends is decided once by {@code SipCore.endPark}. Parks whose dialog this node does not hold
 *     ({@code StuckParkRepair}, {@code NodeReaper}) have no leg to lock and are ended through {@code endPark} alone.</li>
 * <li>Timers run on the application's scheduler (two threads), not the container's {@code TimerService}: a
 *     {@code ServletTimer} is serialised with its own application session only, which is not the set of sessions a
 *     park spans, and the same scheduler serves work no SIP session owns (purges, sweeps, the reaper).</li>
 * </ul>
 * Bridging takes no lock at all: each side's peer is swapped atomically, and a hang-up crossing it is never lost
 * ({@link #bridge}).
 */
final class Leg {
    private static final String ATTRIBUTE = "cloudpark.leg";

    private final SipSession session;
    private final Tenant tenant;
    private final Party party;
    private final String extension;

    /** Read on every relayed request, written only when legs are bridged or parted. */
    private final AtomicReference<Leg> peer = new AtomicReference<>();
    private final ReentrantLock callLock = new ReentrantLock();
    private final SdpOrigin origin = new SdpOrigin();
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
        if (session == null || !session.isValid()) {
            return null;
        }
        try {
            return (Leg) session.getAttribute(ATTRIBUTE);
        } catch (IllegalStateException invalidated) {
            return null; // its application session ended between the test and the read (SipFuzzIT found it)
        }
    }

    /**
     * Bridges the legs; false if either has ended by then, its phone's BYE having found no peer to hang up (the
     * caller hangs up the other). A BYE ends its leg before it unbridges, and this sets the peers before it reads
     * whether they ended: of a hang-up and a bridge that cross, one always sees the other.
     */
    static boolean bridge(Leg a, Leg b) {
        a.peer.set(b);
        b.peer.set(a);
        return !a.ended() && !b.ended();
    }

    /** Unbridges this leg; returns its former peer (or null). */
    Leg unbridge() {
        Leg former = peer.getAndSet(null);
        if (former != null) {
            former.peer.compareAndSet(this, null);
        }
        return former;
    }

    Leg peer() {
        return peer.get();
    }

    /** A step of a flow, run while holding this leg's call lock. */
    @FunctionalInterface
    interface Step {
        void run() throws Exception;
    }

    /** Runs {@code step} holding this leg's call lock (see the class comment: what takes it, and why). */
    void exclusively(Step step) throws Exception {
        callLock.lock();
        try {
            step.run();
        } finally {
            callLock.unlock();
        }
    }

    /** Another thread waits for this leg's call lock: for tests that drive two flows into one call. */
    boolean contended() {
        return callLock.hasQueuedThreads();
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

    /**
     * The SDP as this leg's phone must get it, in the origin it knows us by ({@link SdpOrigin}); it is then the media
     * the phone has from us. Every SDP the PBX sends on a leg goes through here.
     */
    synchronized byte[] stamp(byte[] sdp) {
        byte[] stamped = origin.stamp(sdp);
        if (stamped != null && stamped.length > 0) {
            localSdp = stamped;
        }
        return stamped;
    }

    /** The phone refused our offer: its media are those it had before (the origin's version is not taken back). */
    synchronized void restoreSdp(byte[] sdp) {
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
