package io.cloudpark.sip;

import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentMap;
import java.util.concurrent.TimeUnit;

import javax.servlet.sip.Address;
import javax.servlet.sip.ServletParseException;
import javax.servlet.sip.SipApplicationSession;
import javax.servlet.sip.SipFactory;
import javax.servlet.sip.SipServletRequest;
import javax.servlet.sip.SipURI;
import javax.servlet.sip.URI;

import org.apache.log4j.Logger;
import org.mobicents.servlet.sip.core.session.MobicentsSipSession;

import io.cloudpark.app.CloudparkApp;
import io.cloudpark.park.ParkInfo;
import io.cloudpark.park.Party;
import io.cloudpark.park.Resolution;
import io.cloudpark.park.StoreUnavailableException;
import io.cloudpark.tenant.Binding;
import io.cloudpark.tenant.Extension;
import io.cloudpark.tenant.RegistrationStore;
import io.cloudpark.tenant.Tenant;
import io.cloudpark.tenant.TenantDirectory;

/** What every call flow needs: the SIP factory, the application's stores and services, and a few look-ups. */
final class SipCore {
    private static final Logger LOG = Logger.getLogger(SipCore.class);
    private static final Duration END_RETRY_FIRST = Duration.ofMillis(500);
    private static final Duration END_RETRY_MAX = Duration.ofSeconds(5);
    final SipFactory factory;
    final String handler;
    final CloudparkApp app;
    final TenantDirectory directory;
    final RegistrationStore registrations;
    final ParkedLegs parkedLegs;
    final ParkInfoNotifier notifier;
    final FanOut fanOut;
    /** Ends the SIP side has done and the store has not recorded yet, by park id. */
    private final ConcurrentMap<String, PendingEnd> pendingEnds = new ConcurrentHashMap<>();

    SipCore(SipFactory factory, String handler, CloudparkApp app) {
        this.factory = factory;
        this.handler = handler;
        this.app = app;
        this.directory = app.database().tenants();
        this.registrations = app.database().registrations();
        this.parkedLegs = new ParkedLegs();
        this.notifier = new ParkInfoNotifier(this);
        this.fanOut = new FanOut(app.fanOutLanes());
    }

    /** The tenant named by the Request-URI host (DESIGN §1). */
    Optional<Tenant> tenantOf(SipServletRequest request) {
        URI uri = request.getRequestURI();
        return uri instanceof SipURI sip ? directory.tenantByDomain(sip.getHost().toLowerCase()) : Optional.empty();
    }

    List<Binding> devicesOf(Tenant tenant, String extension) {
        return directory.extension(tenant.id(), extension).map(this::devicesOf).orElse(List.of());
    }

    List<Binding> devicesOf(Extension extension) {
        return registrations.activeBindings(extension.id(), Instant.now(app.clock()));
    }

    /** Marks the one-hop "path" of a device registered directly over TCP/TLS: the connection it registered on. */
    static final String FLOW_PARAM = "cloudpark-flow";

    /**
     * An out-of-dialog request the PBX sends a device of {@code recipient} ({@code NOTIFY park-info}, a text
     * {@code MESSAGE}): from {@code from} to the extension's address, at the device's Contact, by its stored route.
     */
    SipServletRequest requestToDevice(SipApplicationSession appSession, String method, String from, Tenant tenant,
                                      Extension recipient, Binding device) throws ServletParseException {
        SipServletRequest request = factory.createRequest(appSession, method, factory.createAddress(from),
                factory.createAddress("<sip:" + recipient.number() + "@" + tenant.domain() + ">"));
        request.setRequestURI(factory.createURI(device.contactUri()));
        routeTo(request, device);
        return request;
    }

    /**
     * Sends a request the PBX originates to a device the way its REGISTER came: its stored Path as the Route set, so
     * it goes through the load balancer that holds the device's binding, whichever node sends it. A device registered
     * directly over TCP/TLS is reached on its connection; the dialog this request starts stays on it too when the
     * device's Contact says {@code ;ob} (RFC 5626 §5.3): Restcomm sends a request whose target has {@code ob} on the
     * session's flow, which it records itself for the requests a device sends, and which is set here for ours.
     */
    void routeTo(SipServletRequest request, Binding device) throws ServletParseException {
        List<String> path = device.path();
        for (int i = path.size() - 1; i >= 0; i--) {
            Address hop = factory.createAddress(path.get(i));
            request.pushRoute(hop);
            if (path.size() == 1 && hop.getURI() instanceof SipURI flow && flow.getParameter(FLOW_PARAM) != null) {
                keepOnFlow(request, flow);
            }
        }
    }

    private static void keepOnFlow(SipServletRequest request, SipURI flow) {
        if (!(request.getSession() instanceof MobicentsSipSession session)) {
            return; // not Restcomm: the first request still takes the flow, in-dialog ones go to the Contact
        }
        try {
            javax.sip.address.SipURI hop = javax.sip.SipFactory.getInstance().createAddressFactory()
                    .createSipURI(null, flow.getHost());
            hop.setPort(flow.getPort());
            hop.setTransportParam(flow.getTransportParam());
            session.setFlow(hop);
        } catch (javax.sip.PeerUnavailableException | java.text.ParseException e) {
            LOG.warn("no flow kept for " + request.getRequestURI() + ": " + e.getMessage());
        }
    }

    static Party partyOf(Tenant tenant, Extension extension) {
        return new Party("sip:" + extension.number() + "@" + tenant.domain(), extension.displayName());
    }

    Address address(Party party) throws ServletParseException {
        Address address = factory.createAddress(factory.createURI(party.uri()));
        if (party.displayName() != null) {
            address.setDisplayName(party.displayName());
        }
        return address;
    }

    /**
     * The one place a park ends: its resolution is recorded, counted, logged and announced to the extension's devices
     * (which clears them). Returns false if the park had already ended.
     * <p>
     * The SIP side has acted by now and cannot take it back, so an end the store cannot record is kept in memory and
     * tried again until the store is back; meanwhile it counts as ended here. Only then is it announced: the
     * devices are told what the store says.
     */
    boolean endPark(Tenant tenant, String parkId, Resolution resolution, String endedBy) {
        PendingEnd end = new PendingEnd(tenant, parkId, resolution, endedBy, app.parkService().now());
        if (pendingEnds.putIfAbsent(parkId, end) != null) {
            return false; // another end is waiting for the store: it came first
        }
        return record(end, 0);
    }

    /** An end of this park is waiting for the store: the park is over, whatever its row still says. */
    boolean endPending(String parkId) {
        return pendingEnds.containsKey(parkId);
    }

    private record PendingEnd(Tenant tenant, String parkId, Resolution resolution, String endedBy, Instant endedAt) { }

    private boolean record(PendingEnd end, int failures) {
        Optional<ParkInfo> ended;
        try {
            ended = app.parkService().end(end.parkId(), end.resolution(), end.endedBy(), end.endedAt());
        } catch (StoreUnavailableException e) {
            long retryMillis = Math.min(END_RETRY_MAX.toMillis(), END_RETRY_FIRST.toMillis() << Math.min(failures, 10));
            LOG.warn("park " + end.parkId() + " ended " + end.resolution() + ", but the store could not record it ("
                    + e.getMessage() + "); trying again in " + retryMillis + " ms");
            app.scheduler().schedule(() -> record(end, failures + 1), retryMillis, TimeUnit.MILLISECONDS);
            return true;
        }
        pendingEnds.remove(end.parkId());
        ended.ifPresent(info -> {
            app.metrics().ended(end.resolution());
            LOG.info("park " + end.parkId() + " at " + info.extension() + "@" + end.tenant().domain() + " "
                    + end.resolution() + " (" + end.endedBy() + ")");
            notifier.announce(end.tenant(), info);
        });
        return ended.isPresent();
    }

    /**
     * The parked party hung up, or its phone answered 481 (it has no such call any more): the park ends ABANDONED.
     * Recorded before the leg leaves {@link ParkedLegs}, so a retrieve or recall that finds no leg finds no park either.
     */
    void endAbandoned(Leg parkedLeg, String parkId) {
        parkedLeg.end(); // after a 481 nothing more may be sent to it; after its BYE it is ended already
        parkedLeg.parkedAs(null);
        endPark(parkedLeg.tenant(), parkId, Resolution.ABANDONED, parkedLeg.party().uri());
        parkedLegs.release(parkId);
    }

    /** The address the container listens on, for the SDP of a hold offer made from nothing. */
    String localAddress() {
        return app.config().sipBind();
    }
}
