package io.cloudpark.sip;

import java.time.Instant;
import java.util.List;
import java.util.Optional;

import javax.servlet.sip.Address;
import javax.servlet.sip.ServletParseException;
import javax.servlet.sip.SipFactory;
import javax.servlet.sip.SipServletRequest;
import javax.servlet.sip.SipURI;
import javax.servlet.sip.URI;

import org.apache.log4j.Logger;

import io.cloudpark.app.CloudparkApp;
import io.cloudpark.park.ParkInfo;
import io.cloudpark.park.Party;
import io.cloudpark.park.Resolution;
import io.cloudpark.tenant.Binding;
import io.cloudpark.tenant.Extension;
import io.cloudpark.tenant.RegistrationStore;
import io.cloudpark.tenant.Tenant;
import io.cloudpark.tenant.TenantDirectory;

/** What every call flow needs: the SIP factory, the application's stores and services, and a few look-ups. */
final class SipCore {
    private static final Logger LOG = Logger.getLogger(SipCore.class);
    final SipFactory factory;
    final String handler;
    final CloudparkApp app;
    final TenantDirectory directory;
    final RegistrationStore registrations;
    final ParkedLegs parkedLegs;
    final ParkInfoNotifier notifier;

    SipCore(SipFactory factory, String handler, CloudparkApp app) {
        this.factory = factory;
        this.handler = handler;
        this.app = app;
        this.directory = app.database().tenants();
        this.registrations = app.database().registrations();
        this.parkedLegs = new ParkedLegs();
        this.notifier = new ParkInfoNotifier(this);
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

    /**
     * Sends a request the PBX originates to a device the way its REGISTER came: its stored Path as the Route set, so
     * it goes through the load balancer that holds the device's binding, whichever node sends it.
     */
    void routeTo(SipServletRequest request, Binding device) throws ServletParseException {
        List<String> path = device.path();
        for (int i = path.size() - 1; i >= 0; i--) {
            request.pushRoute(factory.createAddress(path.get(i)));
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
     * Ends a park with its resolution and, if this was the end that won, counts it and tells the extension's devices.
     * A store failure is logged: the SIP side has already acted and cannot be undone.
     */
    boolean endPark(Tenant tenant, String parkId, Resolution resolution, String endedBy) {
        try {
            Optional<ParkInfo> ended = app.parkService().end(parkId, resolution, endedBy);
            ended.ifPresent(info -> {
                app.metrics().ended(resolution);
                LOG.info("park " + parkId + " at " + info.extension() + "@" + tenant.domain() + " " + resolution
                        + " (" + endedBy + ")");
                notifier.announce(tenant, info);
            });
            return ended.isPresent();
        } catch (RuntimeException e) {
            LOG.error("park " + parkId + " ended " + resolution + ", but the store could not record it: " + e.getMessage());
            return false;
        }
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
