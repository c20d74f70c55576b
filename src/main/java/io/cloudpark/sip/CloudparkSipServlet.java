package io.cloudpark.sip;

import java.io.IOException;
import java.util.Optional;
import java.util.concurrent.TimeUnit;

import javax.servlet.ServletException;
import javax.servlet.sip.SipFactory;
import javax.servlet.sip.SipServlet;
import javax.servlet.sip.SipServletRequest;
import javax.servlet.sip.SipServletResponse;
import javax.servlet.sip.SipURI;

import org.apache.log4j.Logger;

import io.cloudpark.app.CloudparkApp;
import io.cloudpark.app.ServedPorts;
import io.cloudpark.cluster.KamailioRpc;
import io.cloudpark.park.FeatureRequest;
import io.cloudpark.park.StoreUnavailableException;
import io.cloudpark.tenant.Extension;
import io.cloudpark.tenant.Tenant;

/** The one SIP servlet: sends each request to its call flow, and each answer to the step that waits for it. */
public final class CloudparkSipServlet extends SipServlet {
    private static final long serialVersionUID = 1L;
    private static final Logger LOG = Logger.getLogger(CloudparkSipServlet.class);
    private static final String ALLOW = "INVITE, ACK, CANCEL, BYE, REFER, NOTIFY, OPTIONS, INFO, UPDATE, MESSAGE, REGISTER";

    private transient SipCore core;
    private transient DigestAuthenticator authenticator;
    private transient Registrar registrar;
    private transient CallFlow calls;
    private transient InDialogRelay relay;
    private transient HangupFlow hangups;
    private transient ParkFlow parks;
    private transient AttendedParkFlow attendedParks;
    private transient RetrieveFlow retrieves;
    private transient NodeReaper reaper;
    private transient ReparkFlow reparks;

    @Override
    public void init() throws ServletException {
        super.init();
        SipFactory factory = (SipFactory) getServletContext().getAttribute(SIP_FACTORY);
        core = new SipCore(factory, getServletName(), CloudparkApp.of(getServletContext()));
        authenticator = new DigestAuthenticator(core.directory, core.app.clock(), core.app.config().digestSecret());
        registrar = new Registrar(core, authenticator);
        calls = new CallFlow(core);
        relay = new InDialogRelay();
        attendedParks = new AttendedParkFlow(core);
        hangups = new HangupFlow(core, attendedParks);
        RecallFlow recall = new RecallFlow(core);
        parks = new ParkFlow(core, recall, attendedParks, new MusicOnHoldFlow(core));
        retrieves = new RetrieveFlow(core, recall);
        core.app.operatorHangup(hangups::byOperator);
        KamailioRpc kamailio = KamailioRpc.of(core.app.config().kamailioRpc());
        reparks = new ReparkFlow(core, kamailio, recall, core.app.config().digestSecret());
        reaper = new NodeReaper(core, kamailio, reparks);
    }

    /**
     * The application can send requests now: close what a restart lost, and from now on look for parks no flow will
     * end (called by {@link SipApplicationReady}).
     */
    void applicationReady() {
        LOG.info("cloudpark serving: " + ServedPorts.describe(getServletContext()) + ", node " + core.app.config().nodeId());
        hangups.closeCallsLostInRestart();
        hangups.watchParksEndedElsewhere();
        reaper.start();
        long period = core.app.config().stuckParkRepairSeconds();
        core.app.scheduler().scheduleWithFixedDelay(new StuckParkRepair(core), period, period, TimeUnit.SECONDS);
    }

    @Override
    protected void doRequest(SipServletRequest request) throws ServletException, IOException {
        try {
            super.doRequest(request);
        } catch (StoreUnavailableException e) {
            LOG.error("503 to " + request.getMethod() + ": store unavailable: " + e.getMessage());
            SipMessages.answer(request, 503, "Service Unavailable");
        } catch (IOException e) {
            // the answer could not go out: a TCP phone that closed its connection (as phones do after a
            // de-REGISTER) is normal, and nothing else can reach it on that connection either
            LOG.info("no answer to " + request.getMethod() + " from " + request.getRemoteAddr() + ":"
                    + request.getRemotePort() + ": " + e.getMessage());
        } catch (ServletException | RuntimeException e) {
            LOG.error("500 to " + request.getMethod() + " " + request.getRequestURI(), e);
            SipMessages.answer(request, 500, "Server Internal Error");
        }
        releaseIfAnswered(request);
    }

    /**
     * An initial request answered here (REGISTER, a challenge, a refusal) that started no call: its session has done
     * its work. Every initial request but INVITE is answered before its handler returns and starts nothing in its
     * session. An INVITE that no call took (no leg) and that was answered here still gets its ACK in that session.
     * {@code isCommitted()} alone does not tell: over TCP the stack may have ended the transaction by now, and then it
     * says false, which left one session behind per challenged REGISTER.
     */
    private static void releaseIfAnswered(SipServletRequest request) {
        String method = request.getMethod();
        if (!request.isInitial() || "ACK".equals(method) || "CANCEL".equals(method)
                || !request.getApplicationSession().isValid()) {
            return; // nothing left to release: the flow that answered has ended it already
        }
        if (!"INVITE".equals(method)) {
            ApplicationSessions.endNow(request.getApplicationSession());
        } else if (Leg.of(request.getSession()) == null && SipMessages.answered(request)) {
            ApplicationSessions.endAfterAck(request.getApplicationSession());
        }
    }

    @Override
    protected void doRegister(SipServletRequest request) throws ServletException, IOException {
        call(() -> registrar.register(request));
    }

    @Override
    protected void doInvite(SipServletRequest invite) throws ServletException, IOException {
        if (!invite.isInitial()) {
            call(() -> relay.relay(invite));
            return;
        }
        Optional<Tenant> tenant = core.tenantOf(invite);
        if (tenant.isEmpty()) {
            LOG.info("404 to INVITE for unknown domain " + invite.getRequestURI());
            SipMessages.answer(invite, 404, "Not Found");
            return;
        }
        if (ReparkFlow.isMovedParty(invite)) {
            // a dead node's parked party, REFERred here by Kamailio: the cluster's signature stands for a digest
            call(() -> reparks.accept(invite, tenant.get()));
            return;
        }
        Optional<Extension> caller = authenticator.authenticate(invite, tenant.get(), DigestAuthenticator.Challenge.PROXY);
        if (caller.isEmpty()) {
            return;
        }
        String dialled = ((SipURI) invite.getRequestURI()).getUser();
        FeatureRequest request = FeatureRequest.parse(dialled, tenant.get().policy());
        if (request instanceof FeatureRequest.Retrieve retrieve) {
            retrieves.start(invite, tenant.get(), caller.get(), retrieve);
        } else if (request instanceof FeatureRequest.Park || request instanceof FeatureRequest.GroupPark) {
            call(() -> attendedParks.answer(invite, tenant.get(), caller.get(), request));
        } else if (request instanceof FeatureRequest.Malformed malformed) {
            LOG.info("404 to INVITE " + invite.getRequestURI() + ": " + malformed.reason());
            SipMessages.answer(invite, 404, "Not Found");
        } else {
            call(() -> calls.start(invite, tenant.get(), caller.get(), dialled));
        }
    }

    @Override
    protected void doAck(SipServletRequest ack) {
        relay.ack(ack);
    }

    @Override
    protected void doCancel(SipServletRequest cancel) {
        calls.cancelled(cancel);
    }

    @Override
    protected void doBye(SipServletRequest bye) {
        hangups.bye(bye);
    }

    @Override
    protected void doRefer(SipServletRequest refer) throws ServletException, IOException {
        if (refer.isInitial()) {
            // a transfer needs a call to transfer: whoever asks is told so, once they have proven who they are
            Optional<Tenant> tenant = core.tenantOf(refer);
            if (tenant.isEmpty()) {
                SipMessages.answer(refer, 404, "Not Found");
            } else if (authenticator.authenticate(refer, tenant.get(), DigestAuthenticator.Challenge.PROXY).isPresent()) {
                LOG.info("481 to REFER outside a call from " + refer.getFrom());
                SipMessages.answer(refer, 481, "Call/Transaction Does Not Exist");
            }
            return;
        }
        call(() -> parks.refer(refer));
    }

    @Override
    protected void doUpdate(SipServletRequest request) throws ServletException, IOException {
        call(() -> relay.relay(request));
    }

    @Override
    protected void doInfo(SipServletRequest request) throws ServletException, IOException {
        call(() -> relay.relay(request));
    }

    @Override
    protected void doMessage(SipServletRequest request) throws ServletException, IOException {
        if (request.isInitial()) {
            SipMessages.answer(request, 405, "Method Not Allowed");
        } else {
            call(() -> relay.relay(request));
        }
    }

    @Override
    protected void doNotify(SipServletRequest request) throws ServletException, IOException {
        if (request.isInitial()) {
            SipMessages.answer(request, 489, "Bad Event");
        } else {
            call(() -> relay.relay(request));
        }
    }

    @Override
    protected void doSubscribe(SipServletRequest request) {
        SipMessages.answer(request, 489, "Bad Event"); // park-info needs no subscription
    }

    @Override
    protected void doPublish(SipServletRequest request) {
        SipMessages.answer(request, 405, "Method Not Allowed");
    }

    @Override
    protected void doOptions(SipServletRequest request) throws IOException {
        if (core.app.draining()) {
            // the load balancer's probe: it stops sending this node new calls, and in-dialog requests still come
            SipMessages.answer(request, 503, "Draining");
            return;
        }
        SipServletResponse ok = request.createResponse(200);
        ok.setHeader("Allow", ALLOW);
        ok.send();
    }

    @Override
    protected void doResponse(SipServletResponse response) {
        Callbacks.OnResponse callback = Callbacks.of(response);
        if (callback == null) {
            return;
        }
        try {
            callback.accept(response);
        } catch (Exception e) {
            LOG.error("handling " + response.getStatus() + " to " + response.getMethod() + " failed", e);
        }
    }

    @FunctionalInterface
    private interface Step {
        void run() throws Exception;
    }

    private static void call(Step step) throws ServletException, IOException {
        try {
            step.run();
        } catch (ServletException | IOException | RuntimeException e) {
            throw e;
        } catch (Exception e) {
            throw new ServletException(e);
        }
    }
}
