package io.cloudpark.sip;

import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.function.Consumer;

import javax.servlet.sip.SipServletRequest;
import javax.servlet.sip.SipServletResponse;

import org.apache.log4j.Logger;

import io.cloudpark.park.Party;
import io.cloudpark.tenant.Binding;
import io.cloudpark.tenant.Extension;
import io.cloudpark.tenant.Tenant;

/**
 * A call between two extensions of one tenant, through the PBX (B2BUA):
 * <pre>
 *  caller            PBX                 callee's devices
 *    | INVITE 102     |                         |
 *    |--------------->| INVITE (one per device) |
 *    |                |------------------------>|
 *    |     180        |<------------ 180 -------|
 *    |<---------------|<------------ 200 -------|  first 2xx wins; CANCEL to the others
 *    |     200        |                         |
 *    |<---------------|                         |
 *    | ACK            | ACK (with the caller's) |
 *    |--------------->|------------------------>|
 * </pre>
 * Both legs stay with the PBX, so either side can later park the other by REFER.
 */
final class CallFlow {
    private static final Logger LOG = Logger.getLogger(CallFlow.class);

    /**
     * Runs as a device's ringing is about to be relayed to the caller, holding the caller's call lock: where a test
     * holds a 180 while another device answers, or while the caller cancels. Does nothing otherwise.
     */
    static volatile Consumer<Leg> beforeRelayingRinging = leg -> { };

    private final SipCore core;

    CallFlow(SipCore core) {
        this.core = core;
    }

    void start(SipServletRequest invite, Tenant tenant, Extension caller, String dialled) throws Exception {
        Optional<Extension> callee = core.directory.extension(tenant.id(), dialled);
        if (callee.isEmpty()) {
            LOG.info("404 to INVITE from " + caller.number() + "@" + tenant.domain() + ": no extension " + dialled);
            SipMessages.answer(invite, 404, "Not Found");
            return;
        }
        List<Binding> devices = core.devicesOf(tenant, dialled);
        if (devices.isEmpty()) {
            SipMessages.answer(invite, 480, "Temporarily Unavailable");
            return;
        }
        Leg callerLeg = Leg.attach(invite.getSession(), tenant, SipCore.partyOf(tenant, caller), caller.number());
        byte[] offer = SipMessages.body(invite);
        Party calleeParty = SipCore.partyOf(tenant, callee.get());
        List<Fork.Target> targets = devices.stream().map(d -> new Fork.Target(d, calleeParty, dialled)).toList();
        // a device's 180 and 200 may be handled on two threads at once: a 180 relayed to the caller after the 200
        // broke the caller's dialog (its next re-INVITE was taken for a new call, 404); so each runs under the
        // caller's call lock (see Leg)
        callerLeg.forking(Fork.ring(core, invite.getApplicationSession(), core.address(callerLeg.party()), targets, offer,
                Map.of(), tenant, new Fork.Listener() {
                    @Override
                    public void ringing(SipServletResponse provisional) throws Exception {
                        if (provisional.getStatus() > 100) {
                            callerLeg.exclusively(() -> {
                                beforeRelayingRinging.accept(callerLeg);
                                SipMessages.relayProvisional(invite, provisional);
                            });
                        }
                    }

                    @Override
                    public void answered(SipServletResponse answer, Leg calleeLeg) throws Exception {
                        callerLeg.exclusively(() -> connect(invite, callerLeg, answer, calleeLeg));
                    }

                    @Override
                    public void failed(int status) throws Exception {
                        callerLeg.exclusively(() -> SipMessages.answer(invite, status, null));
                    }
                }));
    }

    private static void connect(SipServletRequest invite, Leg callerLeg, SipServletResponse answer, Leg calleeLeg)
            throws Exception {
        Leg.bridge(callerLeg, calleeLeg);
        callerLeg.awaitAck(answer);
        if (!SipMessages.answerWithSdp(invite, 200, callerLeg.stamp(SipMessages.body(answer)))) {
            // the caller gave up (its CANCEL answered by the container) as the callee answered
            callerLeg.takeAwaitedAck();
            callerLeg.unbridge();
            SipMessages.ack(answer, null);
            SipMessages.hangUp(calleeLeg);
            ApplicationSessions.endAfterAck(invite.getApplicationSession());
        }
    }

    /** The caller's CANCEL (the container has already answered it and the INVITE): stop ringing. */
    void cancelled(SipServletRequest cancel) {
        Leg callerLeg = Leg.of(cancel.getSession());
        if (callerLeg != null && callerLeg.fork() != null) {
            callerLeg.fork().cancel();
        }
    }
}
