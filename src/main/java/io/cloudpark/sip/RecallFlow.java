package io.cloudpark.sip;

import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;

import javax.servlet.sip.SipServletRequest;
import javax.servlet.sip.SipServletResponse;

import org.apache.log4j.Logger;

import io.cloudpark.park.ParkedCall;
import io.cloudpark.park.Resolution;
import io.cloudpark.tenant.Binding;
import io.cloudpark.tenant.Tenant;

/**
 * Recall (DESIGN §3): nobody retrieved the call within {@code parkTimeoutSeconds}, so the parker's devices ring,
 * showing the parked party as the caller. Third-party call control with a late offer:
 * <pre>
 *  A (parked)            PBX                       parker's devices
 *    |                    |-- INVITE (no SDP), Alert-Info recall -->|
 *    |                    |<---------- 200 (offer) -----------------|
 *    |<- re-INVITE offer -|                                         |
 *    |--- 200 answer ---->|                                         |
 *    |<------ ACK --------|------------ ACK (answer) -------------->|   RECALLED
 * </pre>
 * No answer within {@code recallRingSeconds} (or no device, or every device refusing): A is hung up, TIMED_OUT.
 */
final class RecallFlow {
    private static final Logger LOG = Logger.getLogger(RecallFlow.class);
    static final String ALERT_INFO = "<urn:alert:service:recall>";

    private final SipCore core;

    RecallFlow(SipCore core) {
        this.core = core;
    }

    void schedule(Tenant tenant, ParkedCall call) {
        Duration delay = Duration.between(Instant.now(core.app.clock()), call.recallAt());
        core.parkedLegs.scheduleRecall(call.id(), core.app.scheduler(), delay, () -> {
            try {
                recall(tenant, call);
            } catch (Exception e) {
                LOG.error("recall of park " + call.id() + " failed", e);
            }
        });
    }

    private void recall(Tenant tenant, ParkedCall call) throws Exception {
        if (!core.app.parkService().claimForRecall(call.id())) {
            return; // retrieved, or ended, just now
        }
        Leg parkedLeg = core.parkedLegs.leg(call.id());
        if (parkedLeg == null || parkedLeg.ended()) {
            endFailed(tenant, call.id());
            return;
        }
        List<Binding> devices = call.parkerExtension() == null ? List.of() : core.devicesOf(tenant, call.parkerExtension());
        if (devices.isEmpty()) {
            LOG.info("park " + call.id() + ": parker " + call.parkerExtension() + " has no device to recall");
            timedOut(tenant, call, parkedLeg);
            return;
        }
        LOG.info("park " + call.id() + ": recalling " + call.parkerExtension() + "@" + tenant.domain());
        Fork[] fork = new Fork[1];
        ScheduledFuture<?>[] ringTimer = new ScheduledFuture<?>[1];
        fork[0] = Fork.ring(core.factory, core.handler, core.factory.createApplicationSession(), core.address(call.parked()),
                core.address(call.parker()), devices, null, Map.of("Alert-Info", ALERT_INFO), tenant, call.parker(),
                call.parkerExtension(), new Fork.Listener() {
                    @Override
                    public void ringing(SipServletResponse provisional) {
                        // the parked party keeps its hold treatment while the parker's phones ring
                    }

                    @Override
                    public void answered(SipServletResponse answer, Leg parkerLeg) throws Exception {
                        ringTimer[0].cancel(false);
                        reconnect(tenant, call, parkedLeg, answer, parkerLeg);
                    }

                    @Override
                    public void failed(int status) {
                        ringTimer[0].cancel(false);
                        LOG.info("park " + call.id() + ": recall refused (" + status + ")");
                        timedOut(tenant, call, parkedLeg);
                    }
                });
        ringTimer[0] = core.app.scheduler().schedule(() -> {
            if (fork[0].cancel()) {
                LOG.info("park " + call.id() + ": recall not answered in " + tenant.policy().recallRingSeconds() + " s");
                timedOut(tenant, call, parkedLeg);
            }
        }, tenant.policy().recallRingSeconds(), TimeUnit.SECONDS);
    }

    private void reconnect(Tenant tenant, ParkedCall call, Leg parkedLeg, SipServletResponse parkerAnswer, Leg parkerLeg)
            throws Exception {
        byte[] offer = SipMessages.body(parkerAnswer);
        if (offer == null || parkedLeg.ended()) {
            SipMessages.ack(parkerAnswer, offer == null ? null : Sdp.hold(offer, core.localAddress()));
            SipMessages.hangUp(parkerLeg);
            if (parkedLeg.ended()) {
                return;
            }
            timedOut(tenant, call, parkedLeg);
            return;
        }
        SipServletRequest reinvite = parkedLeg.session().createRequest("INVITE");
        reinvite.setContent(offer, SipMessages.SDP);
        parkedLeg.sentSdp(offer);
        Callbacks.onResponse(reinvite, answer -> {
            if (answer.getStatus() < 200) {
                return;
            }
            if (!SipMessages.isSuccess(answer)) {
                LOG.warn("park " + call.id() + ": parked party refused the recall re-INVITE (" + answer.getStatus() + ")");
                SipMessages.ack(parkerAnswer, Sdp.hold(offer, core.localAddress()));
                SipMessages.hangUp(parkerLeg);
                endFailed(tenant, call.id());
                SipMessages.hangUp(parkedLeg);
                return;
            }
            SipMessages.ack(answer, null);
            byte[] parkedAnswer = SipMessages.body(answer);
            SipMessages.ack(parkerAnswer, parkedAnswer);
            parkerLeg.sentSdp(parkedAnswer);
            core.parkedLegs.release(call.id());
            parkedLeg.parkedAs(null);
            Leg.bridge(parkedLeg, parkerLeg);
            core.endPark(tenant, call.id(), Resolution.RECALLED, call.parkerExtension());
        });
        reinvite.send();
    }

    private void timedOut(Tenant tenant, ParkedCall call, Leg parkedLeg) {
        core.parkedLegs.release(call.id());
        parkedLeg.parkedAs(null);
        SipMessages.hangUp(parkedLeg);
        core.endPark(tenant, call.id(), Resolution.TIMED_OUT, "system");
    }

    /** A park whose SIP side is lost: recorded as FAILED and cleared from the devices, never left as a ghost. */
    void endFailed(Tenant tenant, String parkId) {
        Leg leg = core.parkedLegs.release(parkId);
        if (leg != null) {
            leg.parkedAs(null);
        }
        core.endPark(tenant, parkId, Resolution.FAILED, "system");
    }
}
