package io.cloudpark.sip;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

import javax.servlet.sip.SipApplicationSession;
import javax.servlet.sip.SipServletRequest;
import javax.servlet.sip.SipServletResponse;

import org.apache.log4j.Logger;

import io.cloudpark.park.ParkInfo;
import io.cloudpark.tenant.Binding;
import io.cloudpark.tenant.Extension;
import io.cloudpark.tenant.ParkInfoFormat;
import io.cloudpark.tenant.Tenant;

/**
 * Tells devices what is parked: one out-of-dialog {@code NOTIFY Event: park-info} per registered contact, full state
 * with its version (DESIGN §4), no subscription needed. The devices of an extension are told of calls parked there;
 * when the extension is in a park group, every member's devices are.
 * <ul>
 * <li>A device answering 481, 489, 405, 415 or 501 cannot take park-info: it gets none until it registers anew (a
 *     new Call-ID), and is told by {@link ParkTextMessages} instead, from this state on. So is every device of an
 *     extension whose format is {@link ParkInfoFormat#TEXT}.</li>
 * <li>408 (or no answer at all, which the container reports as 408) is tried again, {@link #MAX_ATTEMPTS} times in
 *     all, unless a newer state has gone out meanwhile.</li>
 * <li>A device that registers while calls are parked gets the state at once, {@code reason="refresh"}.</li>
 * </ul>
 */
final class ParkInfoNotifier {
    private static final Logger LOG = Logger.getLogger(ParkInfoNotifier.class);
    static final int MAX_ATTEMPTS = 3;
    static final Duration RETRY_DELAY = Duration.ofSeconds(2);

    private final SipCore core;
    private final ParkTextMessages texts;

    ParkInfoNotifier(SipCore core) {
        this.core = core;
        this.texts = new ParkTextMessages(core);
    }

    /** The device cannot take park-info, or its extension wants text: it is told by MESSAGE. */
    private static boolean textOnly(Extension recipient, Binding device) {
        return device.parkInfoRefused() || recipient.parkInfoFormat() == ParkInfoFormat.TEXT;
    }

    /**
     * Tells every device watching the extension its new state. Returns at once: the NOTIFYs go out on {@link FanOut}
     * lanes, after whatever the caller sends next (the answer it owes); each body is rendered once per format.
     */
    void announce(Tenant tenant, ParkInfo info) {
        core.fanOut.forExtension(tenant, info.extension(), () -> {
            Bodies bodies = new Bodies(tenant, info);
            for (Extension recipient : recipients(tenant, info.extension())) {
                for (Binding device : core.devicesOf(recipient)) {
                    if (textOnly(recipient, device)) {
                        core.fanOut.forDevice(device, () -> texts.send(tenant, recipient, device, info));
                    } else {
                        core.fanOut.forDevice(device, () -> send(tenant, recipient, device, info, bodies, 1));
                    }
                }
            }
        });
    }

    /** The body of one announcement in each format, rendered the first time a device needs it. */
    private static final class Bodies {
        private final Tenant tenant;
        private final ParkInfo info;
        // rendered at most a few times when lanes race: each rendering is the same
        private volatile byte[] cloudpark;
        private volatile byte[] broadWorks;

        Bodies(Tenant tenant, ParkInfo info) {
            this.tenant = tenant;
            this.info = info;
        }

        byte[] of(ParkInfoFormat format) {
            if (format == ParkInfoFormat.BROADWORKS) {
                byte[] body = broadWorks;
                if (body == null) {
                    broadWorks = body = BroadWorksCallParkXml.render(info).getBytes(StandardCharsets.UTF_8);
                }
                return body;
            }
            byte[] body = cloudpark;
            if (body == null) {
                cloudpark = body = ParkInfoXml.render(tenant, info).getBytes(StandardCharsets.UTF_8);
            }
            return body;
        }
    }

    /** A device just registered (or came back after its binding expired): tell it what is parked now. */
    void refresh(Tenant tenant, Extension registered, Binding device) {
        for (String parkedAt : watchedBy(tenant, registered.number())) {
            ParkInfo state = core.app.parkService().snapshot(tenant, parkedAt, "refresh");
            if (state.announced().isEmpty()) {
                continue;
            }
            if (textOnly(registered, device)) {
                texts.send(tenant, registered, device, state);
            } else {
                send(tenant, registered, device, state, new Bodies(tenant, state), 1);
            }
        }
    }

    /** Who is told about calls parked at {@code extension}: the whole park group, or the extension alone. */
    private List<Extension> recipients(Tenant tenant, String extension) {
        List<Extension> out = new ArrayList<>();
        for (String number : watchedBy(tenant, extension)) {
            core.directory.extension(tenant.id(), number).ifPresent(out::add);
        }
        return out;
    }

    /** The extensions of the park group {@code extension} is in (itself included), or just itself. */
    private List<String> watchedBy(Tenant tenant, String extension) {
        return core.directory.parkGroupOf(tenant.id(), extension).map(g -> g.members()).orElse(List.of(extension));
    }

    private void send(Tenant tenant, Extension recipient, Binding device, ParkInfo info, Bodies bodies, int attempt) {
        SipApplicationSession appSession = null;
        try {
            appSession = core.factory.createApplicationSession();
            SipServletRequest notify = core.requestToDevice(appSession, "NOTIFY", "<sip:park@" + tenant.domain() + ">",
                    tenant, recipient, device);
            notify.setHeader("Event", "park-info");
            notify.setHeader("Subscription-State", "active");
            notify.setContent(bodies.of(recipient.parkInfoFormat()),
                    recipient.parkInfoFormat() == ParkInfoFormat.BROADWORKS ? BroadWorksCallParkXml.CONTENT_TYPE
                            : ParkInfoXml.CONTENT_TYPE);
            notify.getSession().setHandler(core.handler);
            Callbacks.onResponse(notify, response -> delivered(response, tenant, recipient, device, info, bodies, attempt));
            notify.send();
            core.app.metrics().notifySent();
        } catch (Exception e) {
            core.app.metrics().notifyFailed();
            LOG.warn("park-info to " + device.contactUri() + " not sent: " + e.getMessage());
            if (appSession != null) {
                ApplicationSessions.endNow(appSession); // no answer will come to end it
            }
        }
    }

    private void delivered(SipServletResponse response, Tenant tenant, Extension recipient, Binding device,
                           ParkInfo info, Bodies bodies, int attempt) {
        int status = response.getStatus();
        if (status < 200) {
            return;
        }
        SipApplicationSession appSession = response.getApplicationSession();
        if (appSession.isValid()) {
            appSession.invalidate();
        }
        if (status < 300) {
            return;
        }
        core.app.metrics().notifyFailed();
        if (status == 481 || status == 489 || status == 405 || status == 415 || status == 501) {
            LOG.info("park-info refused (" + status + ") by " + device.contactUri() + " of " + recipient.number() + "@"
                    + tenant.domain() + ": text MESSAGEs instead until it registers anew");
            core.registrations.refuseParkInfo(recipient.id(), device.contactUri());
            texts.send(tenant, recipient, device, info);
        } else if (status == 408 && attempt < MAX_ATTEMPTS) {
            LOG.info("park-info to " + device.contactUri() + " unanswered; attempt " + (attempt + 1) + " of " + MAX_ATTEMPTS);
            core.app.scheduler().schedule(() -> retry(tenant, recipient, device, info, bodies, attempt + 1),
                    RETRY_DELAY.toMillis() * attempt, TimeUnit.MILLISECONDS);
        } else {
            LOG.info("park-info to " + device.contactUri() + " answered " + status + "; given up");
        }
    }

    /** Sends the state again, unless a newer one went out since (the device will get or got that one). */
    private void retry(Tenant tenant, Extension recipient, Binding device, ParkInfo info, Bodies bodies, int attempt) {
        try {
            ParkInfo now = core.app.parkService().snapshot(tenant, info.extension(), info.reason());
            if (now.version() == info.version()) {
                send(tenant, recipient, device, info, bodies, attempt);
            }
        } catch (RuntimeException e) {
            LOG.warn("park-info retry to " + device.contactUri() + " failed: " + e.getMessage());
        }
    }
}
