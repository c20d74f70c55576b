package io.cloudpark.sip;

import java.time.Duration;
import java.util.concurrent.TimeUnit;

import javax.servlet.sip.Address;
import javax.servlet.sip.ServletParseException;
import javax.servlet.sip.SipServletRequest;
import javax.servlet.sip.SipServletResponse;
import javax.servlet.sip.SipURI;

import org.apache.log4j.Logger;

import io.cloudpark.park.FeatureRequest;
import io.cloudpark.park.ParkInfo;
import io.cloudpark.park.ParkService.ParkOutcome;
import io.cloudpark.park.ParkService.ParkRefusal;
import io.cloudpark.park.ParkedCall;
import io.cloudpark.park.Resolution;
import io.cloudpark.park.StoreUnavailableException;
import io.cloudpark.tenant.Tenant;

/**
 * Park by blind transfer (DESIGN §3). B, talking to A, transfers A to {@code *68103}:
 * <pre>
 *   A                  PBX                    B            103's devices
 *   |                   |<------ REFER *68103 -|                 |
 *   |                   |------- 202 --------->|                 |
 *   |                   |-- NOTIFY 100 Trying->|                 |
 *   |<- re-INVITE hold -|   (stored HOLDING)   |                 |
 *   |------ 200 ------->|                      |                 |
 *   |<----- ACK --------|   (PARKED)           |                 |
 *   |                   |-- NOTIFY 200 OK ---->|                 |
 *   |                   |-- NOTIFY park-info ------------------->|  (after the sipfrag, off this thread)
 *   |                   |<------ BYE ----------|                 |
 * </pre>
 * A refusal (404 no such extension, 403 other tenant, 486 full, 480 extension locked by other parks for too long,
 * 503 store down) is told in the sipfrag, and A and B stay connected. Should the store fail once A is on hold, the park
 * ends FAILED, the sipfrag says 503 and A is re-INVITEd back to its media with B.
 */
final class ParkFlow {
    private static final Logger LOG = Logger.getLogger(ParkFlow.class);
    /** How long the transferor may stay on after a successful park before the PBX hangs it up. */
    static final Duration TRANSFEROR_GRACE = Duration.ofSeconds(5);

    private final SipCore core;
    private final RecallFlow recall;
    private final AttendedParkFlow attended;
    private final MusicOnHoldFlow musicOnHold;

    ParkFlow(SipCore core, RecallFlow recall, AttendedParkFlow attended, MusicOnHoldFlow musicOnHold) {
        this.core = core;
        this.recall = recall;
        this.attended = attended;
        this.musicOnHold = musicOnHold;
    }

    void refer(SipServletRequest refer) throws Exception {
        Leg parkerLeg = Leg.of(refer.getSession());
        if (parkerLeg == null || parkerLeg.ended()) {
            LOG.info("481 to REFER outside a call from " + refer.getFrom());
            SipMessages.answer(refer, 481, "Call/Transaction Does Not Exist");
            return;
        }
        Leg parkedLeg = parkerLeg.peer();
        if (parkedLeg == null) {
            SipMessages.answer(refer, 403, "Nobody to park");
            return;
        }
        SipURI target = referTarget(refer);
        if (target == null) {
            return;
        }
        Tenant tenant = parkerLeg.tenant();
        String replaces = target.getHeader("Replaces");
        AttendedParkFlow.Waiting serviceCall = replaces == null ? null : attended.replaced(tenant, replaces);
        FeatureRequest request = serviceCall != null ? serviceCall.request()
                : FeatureRequest.parse(target.getUser(), tenant.policy());
        if (replaces == null && (request instanceof FeatureRequest.None || request instanceof FeatureRequest.Retrieve)) {
            LOG.info("403 to REFER from " + parkerLeg.extension() + "@" + tenant.domain() + ": not a park code: " + target);
            SipMessages.answer(refer, 403, "Only transfers to a park code are supported");
            return;
        }
        ReferProgress progress = new ReferProgress(refer);
        SipServletResponse accepted = refer.createResponse(202);
        if (!progress.subscribed()) {
            accepted.setHeader("Refer-Sub", "false");
        }
        accepted.send();
        progress.trying();
        if (replaces != null && serviceCall == null) {
            LOG.info("REFER from " + parkerLeg.extension() + "@" + tenant.domain() + " replaces no park-service call: " + replaces);
            progress.finish(481, "Call/Transaction Does Not Exist");
            return;
        }

        ParkOutcome outcome;
        if (request instanceof FeatureRequest.Park park) {
            outcome = core.app.parkService().park(tenant, target.getHost(), park, parkerLeg.extension(),
                    parkerLeg.party(), parkedLeg.party());
        } else if (request instanceof FeatureRequest.GroupPark) {
            outcome = core.app.parkService().parkInGroup(tenant, target.getHost(), parkerLeg.extension(),
                    parkerLeg.party(), parkedLeg.party());
        } else {
            outcome = new ParkOutcome.Refused(ParkRefusal.UNKNOWN_EXTENSION);
        }
        if (outcome instanceof ParkOutcome.Refused refused) {
            refuse(progress, refused.reason(), parkerLeg, target);
            return;
        }
        hold(((ParkOutcome.Accepted) outcome).call(), parkerLeg, parkedLeg, progress, serviceCall);
    }

    /** The Refer-To as a SIP URI, or null after answering the REFER with what is wrong with it. */
    private static SipURI referTarget(SipServletRequest refer) {
        Address referTo;
        try {
            referTo = refer.getAddressHeader("Refer-To");
        } catch (ServletParseException e) {
            LOG.info("400 to REFER: unparsable Refer-To: " + e.getMessage());
            SipMessages.answer(refer, 400, "Bad Refer-To");
            return null;
        }
        if (referTo == null) {
            LOG.info("400 to REFER without Refer-To from " + refer.getFrom());
            SipMessages.answer(refer, 400, "Missing Refer-To");
            return null;
        }
        if (!(referTo.getURI() instanceof SipURI sip) || sip.getUser() == null) {
            LOG.info("400 to REFER: Refer-To is no SIP URI with a user part: " + referTo);
            SipMessages.answer(refer, 400, "Refer-To must be a SIP URI");
            return null;
        }
        return sip;
    }

    private void refuse(ReferProgress progress, ParkRefusal reason, Leg parkerLeg, SipURI target) {
        core.app.metrics().refused(reason);
        LOG.info("park refused (" + reason + ") for " + parkerLeg.extension() + "@" + parkerLeg.tenant().domain()
                + " to " + target + "; the call stays connected");
        switch (reason) {
            case UNKNOWN_EXTENSION -> progress.finish(404, "Not Found");
            case OTHER_TENANT -> progress.finish(403, "Forbidden");
            case NOT_IN_A_PARK_GROUP -> progress.finish(403, "Not In A Park Group");
            case FULL -> progress.finish(486, "Busy Here");
            case BUSY -> progress.finish(480, "Temporarily Unavailable");
            case STORE_UNAVAILABLE -> progress.finish(503, "Service Unavailable");
        }
    }

    private void hold(ParkedCall call, Leg parkerLeg, Leg parkedLeg, ReferProgress progress,
                      AttendedParkFlow.Waiting serviceCall) throws Exception {
        byte[] connectedSdp = parkedLeg.localSdp();
        parkerLeg.unbridge();
        parkedLeg.parkedAs(call.id());
        core.parkedLegs.hold(call.id(), parkedLeg);
        MusicOnHoldFlow.Outcome outcome = new MusicOnHoldFlow.Outcome() {
            @Override
            public void onHold() throws Exception {
                parked(call, parkerLeg, parkedLeg, connectedSdp, progress);
                if (serviceCall != null) {
                    attended.finished(serviceCall);
                }
            }

            @Override
            public void refused(int status, String reason) {
                holdRefused(call, parkerLeg, parkedLeg, connectedSdp, progress, status, reason);
            }

            @Override
            public void unavailable() throws Exception {
                plainHold(parkedLeg, connectedSdp, this);
            }
        };
        String mediaServer = parkerLeg.tenant().policy().musicOnHoldUri();
        if (mediaServer == null) {
            plainHold(parkedLeg, connectedSdp, outcome);
        } else {
            try {
                musicOnHold.connect(parkerLeg.tenant(), call, parkedLeg, mediaServer, outcome);
            } catch (Exception e) {
                LOG.warn("park " + call.id() + ": music on hold " + mediaServer + " unreachable (" + e.getMessage()
                        + "); plain hold instead");
                outcome.unavailable();
            }
        }
    }

    /** Hold without music: the same media, {@code a=sendonly}. */
    private void plainHold(Leg parkedLeg, byte[] connectedSdp, MusicOnHoldFlow.Outcome outcome) throws Exception {
        SipServletRequest hold = parkedLeg.session().createRequest("INVITE");
        SipMessages.setSdp(hold, parkedLeg.stamp(Sdp.hold(connectedSdp, core.localAddress())));
        Callbacks.onResponse(hold, answer -> parkedLeg.exclusively(() -> {
            if (answer.getStatus() < 200) {
                return;
            }
            if (SipMessages.isSuccess(answer)) {
                SipMessages.ack(answer, null);
                outcome.onHold();
            } else {
                outcome.refused(answer.getStatus(), answer.getReasonPhrase());
            }
        }));
        hold.send();
    }

    private void parked(ParkedCall call, Leg parkerLeg, Leg parkedLeg, byte[] connectedSdp, ReferProgress progress)
            throws Exception {
        Tenant tenant = parkerLeg.tenant();
        ParkInfo info;
        try {
            info = core.app.parkService().confirmParked(call.id(), ReparkFlow.movableDialog(core, parkedLeg)).orElse(null);
        } catch (StoreUnavailableException e) {
            // on hold, but nobody could retrieve it: the park fails and A goes back to B, as for a refused park
            LOG.warn("park " + call.id() + ": on hold, but the store could not make it retrievable (" + e.getMessage()
                    + "); the call goes back to " + parkerLeg.extension());
            core.parkedLegs.release(call.id());
            parkedLeg.parkedAs(null);
            core.endPark(tenant, call.id(), Resolution.FAILED, "system");
            resume(parkedLeg, connectedSdp);
            reconnectOrHangUp(call, parkerLeg, parkedLeg);
            progress.finish(503, "Service Unavailable");
            return;
        }
        progress.finish(200, "OK");
        if (info == null) {
            return; // the parked party hung up while being put on hold: the abandon has been announced
        }
        core.app.metrics().parked();
        LOG.info("park " + call.id() + ": " + call.parked().uri() + " parked at " + call.extension() + "@"
                + tenant.domain() + " by " + call.parkerExtension());
        core.notifier.announce(tenant, info);
        core.app.metrics().parkAnnounced(Duration.between(call.parkedAt(), core.app.clock().instant()));
        recall.schedule(tenant, call);
        core.app.scheduler().schedule(() -> SipMessages.hangUp(parkerLeg), TRANSFEROR_GRACE.toMillis(), TimeUnit.MILLISECONDS);
    }

    /** Takes the parked party off hold: the media it had before the park. */
    private static void resume(Leg parkedLeg, byte[] connectedSdp) throws Exception {
        if (parkedLeg.dialogOver()) {
            return;
        }
        SipMessages.reinvite(parkedLeg, connectedSdp);
    }

    /** The parked party would not go on hold: undo, and the two stay connected. */
    private void holdRefused(ParkedCall call, Leg parkerLeg, Leg parkedLeg, byte[] connectedSdp, ReferProgress progress,
                             int status, String reason) {
        LOG.warn("park " + call.id() + ": hold re-INVITE answered " + status + "; the call stays connected");
        core.parkedLegs.release(call.id());
        parkedLeg.parkedAs(null);
        parkedLeg.restoreSdp(connectedSdp);
        core.endPark(parkerLeg.tenant(), call.id(), Resolution.FAILED, "system");
        reconnectOrHangUp(call, parkerLeg, parkedLeg);
        progress.finish(status, reason);
    }

    /**
     * An undone park: A and B talk again, or, if one of them hung up while A was being held (the transferor often
     * does, right after its REFER is accepted), the other is hung up too rather than left talking to nobody.
     */
    private static void reconnectOrHangUp(ParkedCall call, Leg parkerLeg, Leg parkedLeg) {
        if (!Leg.bridge(parkerLeg, parkedLeg)) {
            LOG.info("park " + call.id() + ": undone, but " + (parkerLeg.ended() ? "the parker" : "the parked party")
                    + " has hung up; hanging up the other");
            SipMessages.hangUp(parkerLeg);
            SipMessages.hangUp(parkedLeg);
        }
    }
}
