package io.cloudpark.sip;

import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.Consumer;

import javax.servlet.sip.SipServletRequest;
import javax.servlet.sip.SipServletResponse;
import javax.servlet.sip.SipURI;

import org.apache.log4j.Logger;

import io.cloudpark.cluster.Node;
import io.cloudpark.park.FeatureRequest;
import io.cloudpark.park.ParkService.RetrieveClaim;
import io.cloudpark.park.ParkStatus;
import io.cloudpark.park.ParkedCall;
import io.cloudpark.park.Resolution;
import io.cloudpark.park.StoreBusyException;
import io.cloudpark.park.StoreUnavailableException;
import io.cloudpark.tenant.Extension;
import io.cloudpark.tenant.Tenant;

/**
 * Retrieve (DESIGN §3): one press on any device sends {@code INVITE *88103} with an SDP offer.
 * <pre>
 *  retriever               PBX                      A (parked)
 *    | INVITE *88103 (offer) |                          |
 *    |---------------------->| claim (one winner)       |
 *    |                       |-- re-INVITE (offer) ---->|
 *    |                       |<-------- 200 (answer) ---|
 *    |                       |---------- ACK ---------->|
 *    |<----- 200 (answer) ---|                          |
 *    |------ ACK ----------->|  RETRIEVED; park-info clears 103's devices
 * </pre>
 * Nothing parked → 404; another retriever or the recall got it first → 480.
 * <p>
 * In a cluster the call may be held by another node (the one whose dialog with A it is). This node then claims
 * nothing and redirects the retriever there; the load balancer follows the 302 itself, so the caller never sees it:
 * <pre>
 *  retriever          Kamailio              this node              owner node
 *    | INVITE *88103    |                        |                      |
 *    |----------------->|----- INVITE ---------->| held by owner, alive |
 *    |                  |<-- 302 Contact: owner;park-id=… -------------|
 *    |                  |----- INVITE *88103;park-id=… ---------------->|  claim, then as above
 *    |<------------------------------ 200 (answer) --------------------|
 * </pre>
 * An owner whose heartbeat has stopped gets the retriever a 480 at once; a survivor closes its calls FAILED.
 */
final class RetrieveFlow {
    /** The retrieve INVITE's arrival (System.nanoTime), for the retrieve latency histogram. */
    private static final String RECEIVED_AT = RetrieveFlow.class.getName() + ".receivedAt";

    private static final Logger LOG = Logger.getLogger(RetrieveFlow.class);

    /**
     * Runs as the retrieve decides, holding the parked party's call lock, once its phone has taken the retriever's
     * media: where a test holds a retrieve to race another flow into the same call. Does nothing otherwise.
     */
    static volatile Consumer<Leg> beforeBridge = leg -> { };

    /**
     * Runs once the retriever has been sent its 200, still holding the parked party's call lock and before the store
     * records the end: where a test holds a retrieve to race a hang-up or a re-INVITE into the call just bridged.
     * Does nothing otherwise.
     */
    static volatile Consumer<Leg> afterAnswer = leg -> { };

    /**
     * Runs as the retrieve is about to answer the retriever, holding the parked party's call lock: where a test holds
     * a retrieve until the retriever's CANCEL has been answered by the container. Does nothing otherwise.
     */
    static volatile Consumer<SipServletRequest> beforeAnswer = invite -> { };

    private final SipCore core;
    private final RecallFlow recall;

    RetrieveFlow(SipCore core, RecallFlow recall) {
        this.core = core;
        this.recall = recall;
    }

    void start(SipServletRequest invite, Tenant tenant, Extension retriever, FeatureRequest.Retrieve request) {
        invite.setAttribute(RECEIVED_AT, System.nanoTime());
        String extension = request.extension().orElse(retriever.number());
        Optional<String> parkId = Optional.ofNullable(((SipURI) invite.getRequestURI()).getParameter("park-id"));
        RetrieveClaim claim;
        try {
            List<String> scope = request.extension().isPresent() ? List.of(extension)
                    : core.app.parkService().ownRetrieveScope(tenant, retriever.number());
            claim = core.app.parkService().claimForRetrieve(tenant, scope, parkId);
        } catch (StoreBusyException e) {
            LOG.warn("480 to retrieve at " + extension + "@" + tenant.domain() + ": store busy: " + e.getMessage());
            SipMessages.answer(invite, 480, "Temporarily Unavailable");
            return;
        } catch (StoreUnavailableException e) {
            LOG.error("503 to retrieve at " + extension + "@" + tenant.domain() + ": store unavailable: " + e.getMessage());
            SipMessages.answer(invite, 503, "Service Unavailable");
            return;
        }
        if (claim instanceof RetrieveClaim.NothingParked) {
            core.app.metrics().retrieveMissed();
            LOG.info("404 to retrieve by " + retriever.number() + ": nothing parked at " + extension + "@" + tenant.domain());
            SipMessages.answer(invite, 404, "Nothing Parked");
            return;
        }
        if (claim instanceof RetrieveClaim.HeldElsewhere elsewhere) {
            redirectToOwner(invite, elsewhere.call());
            return;
        }
        if (claim instanceof RetrieveClaim.LostRace) {
            core.app.metrics().retrieveMissed();
            LOG.info("480 to retrieve by " + retriever.number() + " at " + extension + "@" + tenant.domain() + ": taken by another");
            SipMessages.answer(invite, 480, "Already Taken");
            return;
        }
        ParkedCall call = ((RetrieveClaim.Claimed) claim).call();
        Leg parkedLeg = core.parkedLegs.leg(call.id());
        if (parkedLeg == null) {
            // no dialog here to reconnect: the call is between its park and its hold, or its BYE is ending it;
            // whichever it is, it stays as it was
            core.app.parkService().releaseClaim(call.id(), ParkStatus.RETRIEVING);
            LOG.info("480 to retrieve of park " + call.id() + ": its dialog is being held or hung up");
            SipMessages.answer(invite, 480, "Temporarily Unavailable");
            return;
        }
        Leg retrieverLeg = Leg.attach(invite.getSession(), tenant, SipCore.partyOf(tenant, retriever), retriever.number());
        try {
            parkedLeg.exclusively(() -> reconnect(invite, tenant, call, retrieverLeg, parkedLeg));
        } catch (Exception e) {
            LOG.error("retrieve of " + call.id() + " failed: " + e.getMessage());
            refuse(invite, 500, "Server Internal Error");
        }
    }

    /** Holding the parked party's call lock: the re-INVITE that brings it back. */
    private void reconnect(SipServletRequest invite, Tenant tenant, ParkedCall call, Leg retrieverLeg, Leg parkedLeg) {
        if (core.parkedLegs.leg(call.id()) != parkedLeg) {
            // ended (by its BYE, the operator, another node) while this retrieve waited for the call lock
            LOG.info("480 to retrieve of park " + call.id() + ": it ended just now");
            refuse(invite, 480, "Temporarily Unavailable");
            return;
        }
        core.parkedLegs.cancelRecall(call.id());
        // the parked party's BYE may cross our re-INVITE, whose answer then never comes: the retriever hears at once
        AtomicBoolean settled = new AtomicBoolean();
        Runnable partyLeft = () -> {
            if (settled.compareAndSet(false, true) && !invite.isCommitted()) {
                LOG.info("park " + call.id() + ": the parked party hung up during the retrieve");
                refuse(invite, 480, "Parked Party Left");
            }
        };
        if (!parkedLeg.onHangUp(partyLeft)) {
            partyLeft.run();
            return;
        }
        try {
            SipServletRequest reconnect = parkedLeg.session().createRequest("INVITE");
            byte[] holdSdp = parkedLeg.localSdp();
            SipMessages.setSdp(reconnect, parkedLeg.stamp(SipMessages.body(invite)));
            Callbacks.onResponse(reconnect, answer -> parkedLeg.exclusively(() -> {
                if (answer.getStatus() >= 200) {
                    parkedLeg.takeOnHangUp();
                    if (!settled.compareAndSet(false, true)) {
                        if (SipMessages.isSuccess(answer)) {
                            SipMessages.ack(answer, null);
                        }
                        return;
                    }
                }
                reconnected(invite, tenant, call, retrieverLeg, parkedLeg, holdSdp, answer);
            }));
            reconnect.send();
        } catch (Exception e) {
            parkedLeg.takeOnHangUp();
            if (!settled.compareAndSet(false, true)) {
                return;
            }
            giveBack(tenant, call, parkedLeg);
            if (parkedLeg.dialogOver()) {
                // its BYE ended the dialog under us; handling that BYE ends the park ABANDONED
                LOG.info("park " + call.id() + ": the parked party hung up during the retrieve (" + e.getMessage() + ")");
                refuse(invite, 480, "Parked Party Left");
                return;
            }
            LOG.error("retrieve of " + call.id() + " failed: " + e.getMessage());
            refuse(invite, 500, "Server Internal Error");
        }
    }

    private void reconnected(SipServletRequest invite, Tenant tenant, ParkedCall call, Leg retrieverLeg, Leg parkedLeg,
                             byte[] holdSdp, SipServletResponse answer) throws Exception {
        if (answer.getStatus() < 200) {
            return;
        }
        if (!SipMessages.isSuccess(answer)) {
            parkedLeg.restoreSdp(holdSdp);
            if (answer.getStatus() == 481) {
                // its phone has no such call: it hung up, its BYE perhaps crossing our re-INVITE
                LOG.info("park " + call.id() + ": the parked party hung up during the retrieve (481)");
                core.endAbandoned(parkedLeg, call.id());
                refuse(invite, 480, "Parked Party Left");
                return;
            }
            if (answer.getStatus() == 408) {
                LOG.warn("park " + call.id() + ": the parked party does not answer (408)");
                recall.endFailed(tenant, call.id());
            } else {
                giveBack(tenant, call, parkedLeg);
            }
            refuse(invite, 480, "Temporarily Unavailable");
            return;
        }
        SipMessages.ack(answer, null);
        beforeBridge.accept(parkedLeg);
        if (parkedLeg.ended()) {
            // the parked party hung up while we reconnected it: the park ended ABANDONED, nothing to bridge
            refuse(invite, 480, "Parked Party Left");
            return;
        }
        beforeAnswer.accept(invite);
        // bridged before the 200, so what the retriever sends as soon as it has it (a re-INVITE, its BYE) reaches the
        // parked party; the store records the end while the two already talk, the row saying RETRIEVING until then,
        // which no other retrieve, recall or repair takes
        Leg.bridge(retrieverLeg, parkedLeg);
        if (!SipMessages.answerWithSdp(invite, 200, retrieverLeg.stamp(SipMessages.body(answer)))) {
            // the retriever gave up (its CANCEL answered by the container) as the parked party took its media
            LOG.info("park " + call.id() + ": retriever cancelled; holding again");
            retrieverLeg.unbridge();
            giveBack(tenant, call, parkedLeg);
            SipMessages.reinvite(parkedLeg, holdSdp);
            ApplicationSessions.endAfterAck(invite.getApplicationSession());
            return;
        }
        afterAnswer.accept(parkedLeg);
        core.parkedLegs.release(call.id());
        parkedLeg.parkedAs(null);
        core.endPark(tenant, call.id(), Resolution.RETRIEVED, retrieverLeg.extension());
        core.app.metrics().retrieveAnswered(Duration.ofNanos(System.nanoTime() - (Long) invite.getAttribute(RECEIVED_AT)));
    }

    /** 302 to the node holding the call, naming the call, so the load balancer sends the retrieve there. */
    private void redirectToOwner(SipServletRequest invite, ParkedCall call) {
        Optional<Node> owner;
        try {
            owner = core.app.cluster().alive(call.ownerNode());
        } catch (StoreUnavailableException e) {
            SipMessages.answer(invite, 503, "Service Unavailable");
            return;
        }
        if (owner.isEmpty()) {
            core.app.metrics().retrieveMissed();
            LOG.warn("480 to retrieve of park " + call.id() + ": its node " + call.ownerNode() + " is down");
            SipMessages.answer(invite, 480, "Parked On A Node That Is Down");
            return;
        }
        try {
            SipURI contact = (SipURI) core.factory.createURI(owner.get().sipUri());
            contact.setUser(((SipURI) invite.getRequestURI()).getUser());
            contact.setParameter("park-id", call.id());
            SipServletResponse redirect = invite.createResponse(302, "Parked On " + owner.get().id());
            redirect.setHeader("Contact", "<" + contact + ">");
            LOG.info("302 to retrieve of park " + call.id() + ": held by node " + owner.get().id());
            redirect.send();
        } catch (Exception e) {
            LOG.error("could not redirect the retrieve of " + call.id() + " to " + owner.get().sipUri() + ": " + e.getMessage());
            SipMessages.answer(invite, 500, "Server Internal Error");
        }
    }

    /** The retrieve fails after its leg was set up: answered, and its session ends with it. */
    private static void refuse(SipServletRequest invite, int status, String reason) {
        SipMessages.answer(invite, status, reason);
        ApplicationSessions.endAfterAck(invite.getApplicationSession());
    }

    /** The claim could not be carried out: the call is parked again, its recall timer running again. */
    private void giveBack(Tenant tenant, ParkedCall call, Leg parkedLeg) {
        if (core.app.parkService().releaseClaim(call.id(), ParkStatus.RETRIEVING) && !parkedLeg.ended()) {
            recall.schedule(tenant, call);
        }
    }
}
