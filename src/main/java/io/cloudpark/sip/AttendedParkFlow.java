package io.cloudpark.sip;

import java.io.IOException;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;

import javax.servlet.sip.SipServletRequest;
import javax.servlet.sip.SipServletResponse;

import org.apache.log4j.Logger;

import io.cloudpark.park.FeatureRequest;
import io.cloudpark.tenant.Extension;
import io.cloudpark.tenant.Tenant;

/**
 * Park by attended transfer, first half (DESIGN §3). B, holding A, calls the park code; the PBX answers that call
 * itself, as the park service, and waits for B's REFER of A with {@code Replaces} naming this call:
 * <pre>
 *   B                     PBX (park service)
 *   |-- INVITE *68103 ---->|
 *   |<------ 200 ----------|   a=inactive: there is nothing to hear
 *   |------- ACK --------->|
 *   |   (REFER A … Refer-To: *68103?Replaces=this call, see ParkFlow)
 *   |<------ BYE ----------|   once A is parked, or after {@link #WAIT} without a REFER
 * </pre>
 */
final class AttendedParkFlow {
    private static final Logger LOG = Logger.getLogger(AttendedParkFlow.class);
    static final Duration WAIT = Duration.ofSeconds(30);

    /** A call to the park service, waiting for the REFER that replaces it. */
    record Waiting(Leg leg, FeatureRequest request, String localTag, String remoteTag) { }

    private final SipCore core;
    private final Map<String, Waiting> byCallId = new ConcurrentHashMap<>();

    AttendedParkFlow(SipCore core) {
        this.core = core;
    }

    void answer(SipServletRequest invite, Tenant tenant, Extension caller, FeatureRequest request) throws Exception {
        Leg leg = Leg.attach(invite.getSession(), tenant, SipCore.partyOf(tenant, caller), caller.number());
        SipServletResponse ok = invite.createResponse(200);
        SipMessages.setSdp(ok, leg.stamp(Sdp.inactive(core.localAddress())));
        // waiting before the 200 leaves: the phone may send its REFER the moment it has the 200
        Waiting waiting = new Waiting(leg, request, ok.getTo().getParameter("tag"), invite.getFrom().getParameter("tag"));
        byCallId.put(invite.getCallId(), waiting);
        try {
            ok.send();
        } catch (IOException | RuntimeException e) {
            byCallId.remove(invite.getCallId(), waiting);
            throw e;
        }
        core.app.scheduler().schedule(() -> {
            if (byCallId.remove(invite.getCallId(), waiting)) {
                LOG.info("park service call " + invite.getCallId() + " got no REFER in " + WAIT.toSeconds() + " s");
                SipMessages.hangUp(leg);
            }
        }, WAIT.toMillis(), TimeUnit.MILLISECONDS);
    }

    /**
     * The park-service call a {@code Replaces} value ({@code call-id;to-tag=…;from-tag=…}) names, if it is one of
     * this tenant's waiting calls; the tags are those of the transferor's view of the call.
     */
    Waiting replaced(Tenant tenant, String replaces) {
        String[] parts = percentDecoded(replaces).split(";");
        Waiting waiting = byCallId.get(parts[0].trim());
        if (waiting == null || waiting.leg().ended() || waiting.leg().tenant().id() != tenant.id()) {
            return null;
        }
        String toTag = null;
        String fromTag = null;
        for (int i = 1; i < parts.length; i++) {
            String[] kv = parts[i].trim().split("=", 2);
            if (kv.length == 2 && kv[0].equalsIgnoreCase("to-tag")) {
                toTag = kv[1];
            } else if (kv.length == 2 && kv[0].equalsIgnoreCase("from-tag")) {
                fromTag = kv[1];
            }
        }
        return waiting.localTag().equals(toTag) && waiting.remoteTag().equals(fromTag) ? waiting : null;
    }

    /** Refer-To carries Replaces as a URI header: {@code %3B} for ';', {@code %3D} for '=', and so on. */
    private static String percentDecoded(String value) {
        StringBuilder out = new StringBuilder(value.length());
        for (int i = 0; i < value.length(); i++) {
            char c = value.charAt(i);
            if (c == '%' && i + 2 < value.length()) {
                try {
                    out.append((char) Integer.parseInt(value.substring(i + 1, i + 3), 16));
                    i += 2;
                    continue;
                } catch (NumberFormatException e) {
                    // not an escape: keep the '%'
                }
            }
            out.append(c);
        }
        return out.toString();
    }

    /** The park is done (or the caller left): the park-service call is over. */
    void finished(Waiting waiting) {
        byCallId.values().remove(waiting);
        SipMessages.hangUp(waiting.leg());
    }

    void forget(Leg leg) {
        byCallId.values().removeIf(waiting -> waiting.leg() == leg);
    }
}
