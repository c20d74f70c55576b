package io.cloudpark.sip;

import java.nio.charset.StandardCharsets;

import javax.servlet.sip.SipApplicationSession;
import javax.servlet.sip.SipServletRequest;
import javax.servlet.sip.SipServletResponse;

import org.apache.log4j.Logger;

import io.cloudpark.park.ParkInfo;
import io.cloudpark.tenant.Binding;
import io.cloudpark.tenant.Tenant;

/**
 * Tells every registered device of an extension what is parked there now: one out-of-dialog
 * {@code NOTIFY Event: park-info} per contact, full state with its version (DESIGN §4). No subscription is needed.
 */
final class ParkInfoNotifier {
    private static final Logger LOG = Logger.getLogger(ParkInfoNotifier.class);

    private final SipCore core;

    ParkInfoNotifier(SipCore core) {
        this.core = core;
    }

    void announce(Tenant tenant, ParkInfo info) {
        byte[] body = ParkInfoXml.render(tenant, info).getBytes(StandardCharsets.UTF_8);
        for (Binding device : core.devicesOf(tenant, info.extension())) {
            try {
                send(tenant, info.extension(), device, body);
            } catch (Exception e) {
                core.app.metrics().notifyFailed();
                LOG.warn("park-info to " + device.contactUri() + " not sent: " + e.getMessage());
            }
        }
    }

    private void send(Tenant tenant, String extension, Binding device, byte[] body) throws Exception {
        SipApplicationSession appSession = core.factory.createApplicationSession();
        SipServletRequest notify = core.factory.createRequest(appSession, "NOTIFY",
                core.factory.createAddress("<sip:park@" + tenant.domain() + ">"),
                core.factory.createAddress("<sip:" + extension + "@" + tenant.domain() + ">"));
        notify.setRequestURI(core.factory.createURI(device.contactUri()));
        notify.setHeader("Event", "park-info");
        notify.setHeader("Subscription-State", "active");
        notify.setContent(body, ParkInfoXml.CONTENT_TYPE);
        notify.getSession().setHandler(core.handler);
        Callbacks.onResponse(notify, response -> delivered(response, device));
        notify.send();
        core.app.metrics().notifySent();
    }

    private void delivered(SipServletResponse response, Binding device) {
        if (response.getStatus() < 200) {
            return;
        }
        if (response.getStatus() >= 300) {
            core.app.metrics().notifyFailed();
            LOG.info("park-info to " + device.contactUri() + " answered " + response.getStatus());
        }
        SipApplicationSession appSession = response.getApplicationSession();
        if (appSession.isValid()) {
            appSession.invalidate();
        }
    }
}
