package io.cloudpark.sip;

import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.ListIterator;
import java.util.Locale;
import java.util.Optional;

import javax.servlet.sip.Address;
import javax.servlet.sip.ServletParseException;
import javax.servlet.sip.SipServletRequest;
import javax.servlet.sip.SipServletResponse;
import javax.servlet.sip.SipURI;

import org.apache.log4j.Logger;

import io.cloudpark.park.StoreUnavailableException;
import io.cloudpark.tenant.Binding;
import io.cloudpark.tenant.Extension;
import io.cloudpark.tenant.Tenant;

/**
 * REGISTER (RFC 3261 §10): the tenant is the Request-URI host, the extension the To user, proven by digest
 * credentials. Several devices per extension, each with its own expiry; {@code Expires: 0} removes one,
 * {@code Contact: *} all. Bindings are kept in the store.
 */
final class Registrar {
    private static final Logger LOG = Logger.getLogger(Registrar.class);
    static final int MIN_EXPIRES = 60;
    static final int MAX_EXPIRES = 3600;

    private final SipCore core;
    private final DigestAuthenticator authenticator;

    Registrar(SipCore core, DigestAuthenticator authenticator) {
        this.core = core;
        this.authenticator = authenticator;
    }

    void register(SipServletRequest register) throws Exception {
        Optional<Tenant> tenant = core.tenantOf(register);
        if (tenant.isEmpty()) {
            LOG.info("404 to REGISTER for unknown domain " + register.getRequestURI());
            SipMessages.answer(register, 404, "Not Found");
            return;
        }
        if (!(register.getTo().getURI() instanceof SipURI aor)
                || !tenant.get().domain().equalsIgnoreCase(aor.getHost()) || aor.getUser() == null) {
            SipMessages.answer(register, 403, "To must be an extension of " + tenant.get().domain());
            return;
        }
        Optional<Extension> extension = authenticator.authenticate(register, tenant.get(), DigestAuthenticator.Challenge.REGISTRAR);
        if (extension.isEmpty()) {
            return;
        }
        if (!extension.get().number().equals(aor.getUser())) {
            LOG.info("403 to REGISTER: " + extension.get().number() + " tried to register " + aor);
            SipMessages.answer(register, 403, "Cannot register another extension");
            return;
        }
        try {
            update(register, tenant.get(), extension.get());
        } catch (StoreUnavailableException e) {
            LOG.error("REGISTER for " + aor + " failed: store unavailable: " + e.getMessage());
            SipMessages.answer(register, 503, "Service Unavailable");
        }
    }

    private void update(SipServletRequest register, Tenant tenant, Extension extension) throws Exception {
        Instant now = Instant.now(core.app.clock());
        int defaultExpires = register.getExpires() >= 0 ? register.getExpires() : MAX_EXPIRES;
        List<Address> contacts = new ArrayList<>();
        ListIterator<Address> it = register.getAddressHeaders("Contact");
        while (it.hasNext()) {
            contacts.add(it.next());
        }
        List<String> boundBefore = core.registrations.activeBindings(extension.id(), now).stream()
                .map(Binding::contactUri).toList();
        if (contacts.stream().anyMatch(Address::isWildcard)) {
            if (contacts.size() != 1 || register.getExpires() != 0) {
                SipMessages.answer(register, 400, "Contact: * needs Expires: 0 and no other contact");
                return;
            }
            core.registrations.removeAll(extension.id());
        }
        for (Address contact : contacts) {
            if (contact.isWildcard()) {
                continue;
            }
            int expires = contact.getExpires() >= 0 ? contact.getExpires() : defaultExpires;
            if (expires > 0 && expires < MIN_EXPIRES) {
                SipServletResponse tooBrief = register.createResponse(423, "Interval Too Brief");
                tooBrief.setHeader("Min-Expires", Integer.toString(MIN_EXPIRES));
                tooBrief.send();
                return;
            }
        }
        List<String> path = path(register);
        for (Address contact : contacts) {
            if (contact.isWildcard()) {
                continue;
            }
            String uri = contact.getURI().toString();
            int expires = contact.getExpires() >= 0 ? contact.getExpires() : defaultExpires;
            if (expires == 0) {
                core.registrations.removeBinding(extension.id(), uri);
            } else {
                core.registrations.putBinding(extension.id(), new Binding(uri,
                        now.plusSeconds(Math.min(expires, MAX_EXPIRES)), register.getCallId(),
                        cseq(register), register.getHeader("User-Agent"), path));
            }
        }
        core.app.metrics().registered();
        SipServletResponse ok = register.createResponse(200);
        List<Binding> bound = core.registrations.activeBindings(extension.id(), now);
        for (Binding binding : bound) {
            ok.addAddressHeader("Contact", bound(binding, now), false);
        }
        ok.send();
        for (Binding binding : bound) {
            if (!boundBefore.contains(binding.contactUri())) {
                core.notifier.refresh(tenant, extension, binding);
            }
        }
    }

    /**
     * The way back to this device. Behind the load balancer: the Path it added (RFC 3327), with where the device really
     * is. A device that registered directly over TCP or TLS: the connection it registered on (its flow, RFC 5626 §3),
     * as the one hop, so what the PBX sends it goes back on that connection, which the stack keeps open (it is
     * cached under the address it came from). Its Contact may name an address a NAT or firewall keeps closed.
     */
    private static List<String> path(SipServletRequest register) throws ServletParseException {
        List<String> path = new ArrayList<>();
        ListIterator<Address> it = register.getAddressHeaders("Path");
        while (it.hasNext()) {
            path.add(it.next().toString());
        }
        String transport = connectionTransport(register);
        if (path.isEmpty() && transport != null) {
            path.add("<sip:" + register.getRemoteAddr() + ":" + register.getRemotePort() + ";transport=" + transport
                    + ";lr;" + SipCore.FLOW_PARAM + ">");
        }
        return path;
    }

    /** {@code tcp} or {@code tls} when the request came over a connection (its top Via says how it was sent), else null. */
    private static String connectionTransport(SipServletRequest request) {
        String via = request.getHeader("Via");
        if (via == null) {
            return null;
        }
        String protocol = via.trim().split("\\s+")[0].toUpperCase(Locale.ROOT);
        if (protocol.endsWith("/TCP")) {
            return "tcp";
        }
        return protocol.endsWith("/TLS") ? "tls" : null;
    }

    private Address bound(Binding binding, Instant now) throws ServletParseException {
        Address address = core.factory.createAddress(core.factory.createURI(binding.contactUri()));
        address.setExpires((int) Math.max(0, binding.expiresAt().getEpochSecond() - now.getEpochSecond()));
        return address;
    }

    private static long cseq(SipServletRequest request) {
        String cseq = request.getHeader("CSeq");
        try {
            return Long.parseLong(cseq.trim().split("\\s+")[0]);
        } catch (RuntimeException e) {
            return 0;
        }
    }
}
