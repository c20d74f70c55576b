package io.cloudpark.sip;

import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Set;

import javax.servlet.sip.SipApplicationSession;
import javax.servlet.sip.SipServletRequest;
import javax.servlet.sip.SipServletResponse;

import org.apache.log4j.Logger;

import io.cloudpark.park.ParkInfo;
import io.cloudpark.park.ParkedCall;
import io.cloudpark.park.Party;
import io.cloudpark.tenant.Binding;
import io.cloudpark.tenant.Extension;
import io.cloudpark.tenant.Tenant;

/**
 * The park-info fallback for devices that show text and no park-info (softphones such as baresip and linphone): an
 * out-of-dialog SIP {@code MESSAGE} (RFC 3428, {@code text/plain}) saying who parked whom where, and what to dial to
 * take the call. Sent for a call parked and, when such a device registers, for each call parked then. A retrieve,
 * recall or hang-up sends nothing: a text cannot be taken back, and a stale one is harmless (the retrieve code of a
 * call gone answers 404). One attempt: a device that cannot take MESSAGE either is told nothing.
 * <pre>
 *   PBX                                  device
 *    |--- MESSAGE text/plain ------------->|   "Alice parked at 202 by Bob (201). Dial *88202 to pick up."
 *    |&lt;-- 200 (or any final) --------------|   its session ends
 * </pre>
 */
final class ParkTextMessages {
    private static final Logger LOG = Logger.getLogger(ParkTextMessages.class);
    static final String CONTENT_TYPE = "text/plain;charset=UTF-8";
    /** The states a text is sent for: a new park, and what a device that just registered has missed. */
    private static final Set<String> TOLD = Set.of("parked", "refresh");

    private final SipCore core;

    ParkTextMessages(SipCore core) {
        this.core = core;
    }

    void send(Tenant tenant, Extension recipient, Binding device, ParkInfo info) {
        if (!TOLD.contains(info.reason())) {
            return;
        }
        List<ParkedCall> calls = "refresh".equals(info.reason()) ? info.announced()
                : info.announced().stream().filter(call -> call.id().equals(info.parkId())).toList();
        if (calls.isEmpty()) {
            return;
        }
        SipApplicationSession appSession = null;
        try {
            appSession = core.factory.createApplicationSession();
            SipServletRequest message = core.requestToDevice(appSession, "MESSAGE",
                    "\"Call park\" <sip:park@" + tenant.domain() + ">", tenant, recipient, device);
            message.setContent(text(tenant, calls).getBytes(StandardCharsets.UTF_8), CONTENT_TYPE);
            message.getSession().setHandler(core.handler);
            Callbacks.onResponse(message, response -> answered(response, device));
            message.send();
        } catch (Exception e) {
            LOG.warn("park text to " + device.contactUri() + " not sent: " + e.getMessage());
            if (appSession != null) {
                ApplicationSessions.endNow(appSession); // no answer will come to end it
            }
        }
    }

    private static void answered(SipServletResponse response, Binding device) {
        if (response.getStatus() < 200) {
            return;
        }
        ApplicationSessions.endNow(response.getApplicationSession());
        if (response.getStatus() >= 300) {
            LOG.info("park text to " + device.contactUri() + " answered " + response.getStatus() + "; not sent again");
        }
    }

    /** One line per call: {@code Alice parked at 202 by Bob (201). Dial *88202 to pick up.} */
    static String text(Tenant tenant, List<ParkedCall> calls) {
        StringBuilder text = new StringBuilder();
        for (ParkedCall call : calls) {
            if (!text.isEmpty()) {
                text.append('\n');
            }
            text.append(name(call.parked())).append(" parked at ").append(call.extension());
            if (call.parker() != null) {
                text.append(" by ").append(name(call.parker()));
                if (call.parkerExtension() != null) {
                    text.append(" (").append(call.parkerExtension()).append(')');
                }
            }
            text.append(". Dial ").append(tenant.policy().retrieveCode()).append(call.extension()).append(" to pick up.");
        }
        return text.toString();
    }

    /** Its display name, else the user of its URI, else the URI. */
    private static String name(Party party) {
        if (party.displayName() != null) {
            return party.displayName();
        }
        String uri = party.uri();
        int at = uri.indexOf('@');
        int colon = uri.indexOf(':');
        return at > colon && colon >= 0 ? uri.substring(colon + 1, at) : uri;
    }
}
