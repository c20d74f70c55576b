package io.cloudpark.sip;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.function.BiConsumer;
import java.util.function.Consumer;

import javax.servlet.sip.SipServletResponse;

import org.apache.log4j.Logger;

import io.cloudpark.park.ParkedCall;
import io.cloudpark.park.RecallPlan;
import io.cloudpark.park.Resolution;
import io.cloudpark.park.StoreUnavailableException;
import io.cloudpark.tenant.Binding;
import io.cloudpark.tenant.Tenant;

/**
 * Recall (DESIGN §3): nobody retrieved the call within {@code parkTimeoutSeconds}, so the people of the tenant's
 * {@link RecallPlan} are rung, step by step, showing the parked party as the caller. Third-party call control with
 * a late offer:
 * <pre>
 *  A (parked)            PBX                       devices of the step
 *    |                    |-- INVITE (no SDP), Alert-Info recall -->|
 *    |                    |<---------- 200 (offer) -----------------|
 *    |<- re-INVITE offer -|                                         |
 *    |--- 200 answer ---->|                                         |
 *    |<------ ACK --------|------------ ACK (answer) -------------->|   RECALLED
 * </pre>
 * A step nobody answers within {@code recallRingSeconds} (or every device refuses, or nobody is registered) gives way
 * to the next; after the last, A is hung up: TIMED_OUT. The call stays claimed by the recall throughout.
 */
final class RecallFlow {
    private static final Logger LOG = Logger.getLogger(RecallFlow.class);
    static final String ALERT_INFO = "<urn:alert:service:recall>";
    private static final Duration CLAIM_RETRY = Duration.ofSeconds(1);

    /**
     * Runs as a due recall is about to claim its park, and once it has (with whether it won): where a test holds a
     * recall to race a retrieve into the same call. Do nothing otherwise.
     */
    static volatile Consumer<String> beforeClaim = parkId -> { };
    static volatile BiConsumer<String, Boolean> afterClaim = (parkId, claimed) -> { };
    /** Runs as the answered device's leg is about to be bridged to the parked party's, holding the parked party's lock. */
    static volatile Consumer<Leg> beforeBridge = leg -> { };

    private final SipCore core;

    RecallFlow(SipCore core) {
        this.core = core;
    }

    void schedule(Tenant tenant, ParkedCall call) {
        scheduleIn(tenant, call, Duration.between(Instant.now(core.app.clock()), call.recallAt()));
    }

    private void scheduleIn(Tenant tenant, ParkedCall call, Duration delay) {
        core.parkedLegs.scheduleRecall(call.id(), core.app.scheduler(), delay, () -> {
            try {
                start(tenant, call);
            } catch (StoreUnavailableException e) {
                // the call is still parked and nobody else will recall it: try again until the store is back
                LOG.warn("recall of park " + call.id() + " is due, but the store is unavailable (" + e.getMessage()
                        + "); trying again in " + CLAIM_RETRY.toMillis() + " ms");
                scheduleIn(tenant, call, CLAIM_RETRY);
            } catch (Exception e) {
                LOG.error("recall of park " + call.id() + " failed", e);
            }
        });
    }

    private void start(Tenant tenant, ParkedCall call) {
        beforeClaim.accept(call.id());
        boolean claimed = core.app.parkService().claimForRecall(call.id());
        afterClaim.accept(call.id(), claimed);
        if (!claimed) {
            return; // retrieved, or ended, just now
        }
        Leg parkedLeg = core.parkedLegs.leg(call.id());
        if (parkedLeg == null) {
            endFailed(tenant, call.id());
            return;
        }
        exclusively(parkedLeg, call, () -> {
            if (parkedLeg.ended() || core.parkedLegs.leg(call.id()) != parkedLeg) {
                return; // its BYE is being handled, and ends the park ABANDONED; or the operator ended it
            }
            Tenant current = core.directory.tenantById(tenant.id()).orElse(tenant); // settings may have changed since the park
            ring(current, call, parkedLeg, RecallPlan.steps(current.policy(), call.parkerExtension()), 0);
        });
    }

    /** Runs a step of the recall holding the parked party's call lock; timer threads have nobody to throw to. */
    private static void exclusively(Leg parkedLeg, ParkedCall call, Leg.Step step) {
        try {
            parkedLeg.exclusively(step);
        } catch (Exception e) {
            LOG.error("recall of park " + call.id() + " failed", e);
        }
    }

    private void ring(Tenant tenant, ParkedCall call, Leg parkedLeg, List<RecallPlan.Step> steps, int index) {
        if (parkedLeg.ended()) {
            return; // the parked party hung up while we waited: already ABANDONED
        }
        if (index >= steps.size()) {
            timedOut(tenant, call, parkedLeg);
            return;
        }
        RecallPlan.Step step = steps.get(index);
        List<Fork.Target> targets = new ArrayList<>();
        for (String number : step.extensions()) {
            core.directory.extension(tenant.id(), number).ifPresent(extension -> {
                for (Binding device : core.devicesOf(extension)) {
                    targets.add(new Fork.Target(device, SipCore.partyOf(tenant, extension), extension.number()));
                }
            });
        }
        Runnable next = () -> nextStep(tenant, call, parkedLeg, steps, index + 1);
        if (targets.isEmpty()) {
            LOG.info("park " + call.id() + ": recall step " + (index + 1) + " " + step.extensions() + " has no device");
            next.run();
            return;
        }
        LOG.info("park " + call.id() + ": recall step " + (index + 1) + " of " + steps.size() + " rings " + step.extensions());
        RecallStepEnd stepEnd = new RecallStepEnd(next);
        try {
            Fork fork = Fork.ring(core, core.factory.createApplicationSession(), core.address(call.parked()), targets,
                    null, Map.of("Alert-Info", ALERT_INFO), tenant, new Fork.Listener() {
                        @Override
                        public void ringing(SipServletResponse provisional) {
                            // the parked party keeps its hold treatment while the phones ring
                        }

                        @Override
                        public void answered(SipServletResponse answer, Leg answeredLeg) throws Exception {
                            stepEnd.answered();
                            parkedLeg.exclusively(() -> reconnect(tenant, call, parkedLeg, answer, answeredLeg));
                        }

                        @Override
                        public void failed(int status) {
                            LOG.info("park " + call.id() + ": recall step " + (index + 1) + " refused (" + status + ")");
                            stepEnd.refused();
                        }
                    });
            stepEnd.startRingTimer(core.app.scheduler(), Duration.ofSeconds(step.ringSeconds()), () -> {
                if (!fork.cancel()) {
                    return false;
                }
                LOG.info("park " + call.id() + ": recall step " + (index + 1) + " not answered in " + step.ringSeconds() + " s");
                return true;
            });
        } catch (Exception e) {
            LOG.error("park " + call.id() + ": recall step " + (index + 1) + " could not ring: " + e.getMessage());
            stepEnd.refused();
        }
    }

    private void nextStep(Tenant tenant, ParkedCall call, Leg parkedLeg, List<RecallPlan.Step> steps, int index) {
        int pause = index < steps.size() ? steps.get(index).pauseSeconds() : 0;
        core.app.scheduler().schedule(() -> exclusively(parkedLeg, call, () -> ring(tenant, call, parkedLeg, steps, index)),
                pause, TimeUnit.SECONDS);
    }

    private void reconnect(Tenant tenant, ParkedCall call, Leg parkedLeg, SipServletResponse answer, Leg answeredLeg)
            throws Exception {
        byte[] offer = SipMessages.body(answer);
        boolean gone = parkedLeg.ended() || core.parkedLegs.leg(call.id()) != parkedLeg;
        if (offer == null || gone) {
            SipMessages.ack(answer, offer == null ? null : answeredLeg.stamp(Sdp.hold(offer, core.localAddress())));
            SipMessages.hangUp(answeredLeg);
            if (!gone) {
                timedOut(tenant, call, parkedLeg);
            }
            return;
        }
        LateOfferConnect.connect(core, parkedLeg, answer, offer, new LateOfferConnect.Result() {
            @Override
            public void connected(byte[] parkedAnswer) {
                if (parkedLeg.ended() || core.parkedLegs.leg(call.id()) != parkedLeg) {
                    // the operator ended the park while its phone took the recalled device's media
                    SipMessages.hangUp(answeredLeg);
                    return;
                }
                core.parkedLegs.release(call.id());
                parkedLeg.parkedAs(null);
                beforeBridge.accept(answeredLeg);
                boolean bridged = Leg.bridge(parkedLeg, answeredLeg);
                core.endPark(tenant, call.id(), Resolution.RECALLED, answeredLeg.extension());
                if (!bridged) {
                    // the device hung up once it had its ACK, before the bridge: its BYE had nobody to pass on to
                    LOG.info("park " + call.id() + ": " + answeredLeg.extension() + " hung up as the recall connected");
                    SipMessages.hangUp(parkedLeg);
                }
            }

            @Override
            public void refused(int status, String reason) {
                SipMessages.hangUp(answeredLeg);
                if (status == 481) {
                    // its phone has no such call: it hung up, its BYE perhaps crossing our re-INVITE
                    LOG.info("park " + call.id() + ": the parked party hung up during the recall (481)");
                    core.endAbandoned(parkedLeg, call.id());
                    return;
                }
                LOG.warn("park " + call.id() + ": parked party refused the recall re-INVITE (" + status + ")");
                endFailed(tenant, call.id());
                SipMessages.hangUp(parkedLeg);
            }
        });
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
