package io.cloudpark.sip;

import java.time.Duration;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;

import javax.servlet.sip.SipServletRequest;

import org.apache.log4j.Logger;

import io.cloudpark.park.ParkedCall;
import io.cloudpark.park.Party;
import io.cloudpark.tenant.Tenant;

/**
 * Music on hold by third-party call control: the tenant's media server is called with a late offer, and the parked
 * party is re-INVITEd with the media server's SDP.
 * <pre>
 *  A (parked)                 PBX                    media server
 *    |                          |--- INVITE (no SDP) ---->|
 *    |                          |<------ 200 (offer) -----|
 *    |<-- re-INVITE (offer) ----|                         |
 *    |------ 200 (answer) ----->|                         |
 *    |<--------- ACK -----------|------ ACK (answer) ---->|
 * </pre>
 * The media leg is hung up when the call leaves the park (retrieve, recall, abandon, any end): see
 * {@link ParkedLegs#release}. A media server that refuses, or does not answer within {@link #ANSWER_WAIT}, leaves
 * plain hold instead: the parked party is not kept waiting for the transaction to time out.
 */
final class MusicOnHoldFlow {
    private static final Logger LOG = Logger.getLogger(MusicOnHoldFlow.class);
    static final Duration ANSWER_WAIT = Duration.ofSeconds(4);

    interface Outcome {
        /** The parked party hears the music. */
        void onHold() throws Exception;

        /** The parked party refused the re-INVITE with this status. */
        void refused(int status, String reason) throws Exception;

        /** No music to be had: put the parked party on plain hold instead. */
        void unavailable() throws Exception;
    }

    private final SipCore core;

    MusicOnHoldFlow(SipCore core) {
        this.core = core;
    }

    void connect(Tenant tenant, ParkedCall call, Leg parkedLeg, String mediaServer, Outcome outcome) throws Exception {
        SipServletRequest invite = core.factory.createRequest(core.factory.createApplicationSession(), "INVITE",
                core.factory.createAddress("<sip:park@" + tenant.domain() + ">"), core.factory.createAddress("<" + mediaServer + ">"));
        invite.getSession().setHandler(core.handler);
        Leg mediaLeg = Leg.attach(invite.getSession(), tenant, new Party(mediaServer, "Music on hold"), null);
        AtomicBoolean answered = new AtomicBoolean();
        Callbacks.onResponse(invite, offer -> {
            if (offer.getStatus() < 200) {
                return;
            }
            if (!answered.compareAndSet(false, true)) {
                if (SipMessages.isSuccess(offer)) { // too late: plain hold has been chosen
                    SipMessages.ack(offer, mediaLeg.stamp(Sdp.inactive(core.localAddress())));
                    SipMessages.hangUp(mediaLeg);
                } else {
                    ApplicationSessions.endAfterAck(offer.getApplicationSession()); // the 487 to our CANCEL
                }
                return;
            }
            byte[] sdp = SipMessages.body(offer);
            if (!SipMessages.isSuccess(offer) || sdp == null) {
                LOG.warn("park " + call.id() + ": music on hold " + mediaServer + " answered " + offer.getStatus()
                        + (sdp == null ? " without SDP" : "") + "; plain hold instead");
                if (SipMessages.isSuccess(offer)) {
                    SipMessages.ack(offer, null);
                    SipMessages.hangUp(mediaLeg);
                } else {
                    ApplicationSessions.endAfterAck(offer.getApplicationSession());
                }
                outcome.unavailable();
                return;
            }
            LateOfferConnect.connect(core, parkedLeg, offer, sdp, new LateOfferConnect.Result() {
                @Override
                public void connected(byte[] parkedAnswer) throws Exception {
                    core.parkedLegs.musicOnHold(call.id(), mediaLeg);
                    outcome.onHold();
                }

                @Override
                public void refused(int status, String reason) throws Exception {
                    SipMessages.hangUp(mediaLeg);
                    outcome.refused(status, reason);
                }
            });
        });
        invite.send();
        core.app.scheduler().schedule(() -> {
            if (answered.compareAndSet(false, true)) {
                LOG.warn("park " + call.id() + ": music on hold " + mediaServer + " did not answer in "
                        + ANSWER_WAIT.toSeconds() + " s; plain hold instead");
                try {
                    invite.createCancel().send();
                } catch (Exception e) {
                    LOG.debug("no CANCEL before a provisional answer: " + e.getMessage());
                }
                try {
                    outcome.unavailable();
                } catch (Exception e) {
                    LOG.error("park " + call.id() + ": plain hold failed", e);
                }
            }
        }, ANSWER_WAIT.toMillis(), TimeUnit.MILLISECONDS);
    }
}
