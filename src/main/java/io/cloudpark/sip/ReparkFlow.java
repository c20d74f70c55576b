package io.cloudpark.sip;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.MessageDigest;
import java.security.SecureRandom;
import java.time.Duration;
import java.util.HexFormat;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.TimeUnit;

import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;
import javax.servlet.sip.SipServletRequest;
import javax.servlet.sip.SipServletResponse;
import javax.servlet.sip.SipURI;

import org.apache.log4j.Logger;

import io.cloudpark.cluster.KamailioRpc;
import io.cloudpark.cluster.Node;
import io.cloudpark.park.FeatureRequest;
import io.cloudpark.park.ParkStatus;
import io.cloudpark.park.ParkedCall;
import io.cloudpark.park.Resolution;
import io.cloudpark.park.StoreUnavailableException;
import io.cloudpark.tenant.Extension;
import io.cloudpark.tenant.Tenant;

/**
 * Re-park: a dead node's parked call is moved to a live node instead of failing (README "Running a cluster"). The
 * dead node held the parked party's dialog, but Kamailio's dialog module holds it too: the survivor that reaps the
 * node (one at a time, see {@link NodeReaper}) has Kamailio REFER the party to the park code of its extension, with a
 * {@code repark} parameter the cluster signed. The party calls that in; whichever node Kamailio hands the INVITE to
 * parks it again. It is the same park (its row, id, extension, parker and recall time), so the devices of the
 * extension, never cleared, see no change, and the park still ends with exactly one resolution.
 * <pre>
 *  A (parked)         Kamailio                 survivor (reaper)              any live node
 *    |                   |                           | node 1 dead: adopt the park
 *    |                   |                           | (REPARKING, owned here; still announced)
 *    |                   |<-- POST /repark ----------|  Call-ID, tags, Refer-To *68103;repark=…
 *    |<-- REFER *68103 --|  (dlg_refer)              |
 *    |--- 202 ---------->|                           |
 *    |<-- BYE (old call) |                           |
 *    |--- 200 ---------->|                           |
 *    |-- INVITE sip:*68103@domain;repark=… -->|------------ dispatcher ------------->| signature checked (no digest)
 *    |                   |                           |                           | REPARKING → PARKED, owned here
 *    |<---------------------------------- 200 (a=inactive) -------------------------| recall timer as it was
 *    |--- ACK ---------------------------------------------------------------------->|
 * </pre>
 * No such INVITE within {@link #WITHIN} (the REFER refused or unanswered, a phone without REFER, the INVITE failed):
 * the survivor ends the park FAILED, which clears the devices; Kamailio has hung up the party already. A park whose
 * node recorded no dialog for it ({@code CLOUDPARK_REPARK_ON_NODE_DEATH=false}), that was not PARKED, or whose call
 * Kamailio does not hold, is not moved: the reaper ends it FAILED at once.
 */
final class ReparkFlow {
    private static final Logger LOG = Logger.getLogger(ReparkFlow.class);
    /** The Request-URI parameter of a moved party's INVITE: park id, issue time and the cluster's signature. */
    static final String PARAMETER = "repark";
    /** From the REFER to the moved party's INVITE: a phone does it in well under a second. */
    static final Duration WITHIN = Duration.ofSeconds(4);
    private static final int SIGNATURE_HEX = 32;

    private final SipCore core;
    private final KamailioRpc kamailio;
    private final RecallFlow recall;
    private final byte[] key;

    /** @param sharedSecret the cluster's digest secret, which signs the Refer-To too; empty: good on this node only */
    ReparkFlow(SipCore core, KamailioRpc kamailio, RecallFlow recall, String sharedSecret) {
        this.core = core;
        this.kamailio = kamailio;
        this.recall = recall;
        this.key = new byte[32];
        if (sharedSecret.isEmpty()) {
            new SecureRandom().nextBytes(key);
        } else {
            System.arraycopy(sha256("repark:" + sharedSecret), 0, key, 0, key.length);
        }
    }

    /** What a park records of its parked party's call so a survivor can move it; null: this node moves none. */
    static String movableDialog(SipCore core, Leg parkedLeg) {
        return core.app.config().reparkOnNodeDeath() ? parkedLeg.session().getCallId() : null;
    }

    /** A moved party calling in: its Request-URI carries the signed parameter. */
    static boolean isMovedParty(SipServletRequest invite) {
        return invite.getRequestURI() instanceof SipURI sip && sip.getParameter(PARAMETER) != null;
    }

    // ---------------------------------------------------------------- the survivor that reaps the dead node

    /**
     * Has Kamailio move the dead node's parked party here; returns the Call-ID of the dialog being moved (which
     * must not be ended), or empty when the call is not moved and must end FAILED.
     */
    Optional<String> move(Tenant tenant, ParkedCall call, Node dead, List<KamailioRpc.Dialog> dialogs) {
        if (!kamailio.enabled() || call.status() != ParkStatus.PARKED) {
            return Optional.empty();
        }
        Optional<String> callId = core.app.parkService().parkedDialog(call.id());
        if (callId.isEmpty()) {
            return Optional.empty();
        }
        Optional<KamailioRpc.Dialog> dialog = dialogs.stream().filter(d -> d.callId().equals(callId.get())).findFirst();
        if (dialog.isEmpty()) {
            LOG.warn("park " + call.id() + ": Kamailio holds no call " + callId.get() + " through " + dead.sipUri()
                    + ": it cannot be moved");
            return Optional.empty();
        }
        String node = hostPort(dead.sipUri());
        boolean nodeIsCallee = node.equals(hostPort(dialog.get().calleeContact()));
        if (nodeIsCallee == node.equals(hostPort(dialog.get().callerContact()))) {
            LOG.warn("park " + call.id() + ": cannot tell which side of call " + callId.get() + " is node " + dead.id());
            return Optional.empty();
        }
        if (!core.app.parkService().adoptOrphan(call.id(), dead.id())) {
            return Optional.empty();
        }
        String target = "sip:" + tenant.policy().parkCode() + call.extension() + "@" + tenant.domain();
        try {
            if (!kamailio.refer(dialog.get(), nodeIsCallee, target + ";" + PARAMETER + "=" + signed(call.id()))) {
                LOG.warn("park " + call.id() + ": Kamailio no longer holds call " + callId.get() + ": it cannot be moved");
                return Optional.empty();
            }
        } catch (IOException e) {
            LOG.warn("park " + call.id() + ": Kamailio could not REFER its parked party: " + e.getMessage());
            return Optional.empty();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return Optional.empty();
        }
        LOG.info("park " + call.id() + " at " + call.extension() + "@" + tenant.domain() + ": node " + dead.id()
                + " died; Kamailio REFERs " + call.parked().uri() + " to " + target);
        giveUpUnlessMoved(tenant, call.id(), WITHIN);
        return callId;
    }

    private void giveUpUnlessMoved(Tenant tenant, String parkId, Duration after) {
        core.app.scheduler().schedule(() -> {
            try {
                if (core.app.parkService().giveUpMove(parkId)) {
                    LOG.warn("park " + parkId + ": its parked party did not call in within " + WITHIN.toSeconds()
                            + " s of the REFER: ending it FAILED");
                    core.endPark(tenant, parkId, Resolution.FAILED, NodeReaper.ENDED_BY);
                }
            } catch (StoreUnavailableException e) {
                LOG.warn("park " + parkId + ": could not give up its move (" + e.getMessage() + "); trying again");
                giveUpUnlessMoved(tenant, parkId, Duration.ofSeconds(1));
            }
        }, after.toMillis(), TimeUnit.MILLISECONDS);
    }

    // ---------------------------------------------------------------- the node the moved party calls

    /** The moved party's INVITE: parked here again if its signature is the cluster's and its move still awaited. */
    void accept(SipServletRequest invite, Tenant tenant) throws Exception {
        SipURI uri = (SipURI) invite.getRequestURI();
        Optional<String> parkId = verified(uri.getParameter(PARAMETER));
        if (parkId.isEmpty()) {
            LOG.warn("403 to INVITE " + uri.getUser() + "@" + tenant.domain() + " from " + invite.getRemoteAddr()
                    + ": its " + PARAMETER + " parameter is not signed by this cluster, or is too old");
            SipMessages.answer(invite, 403, "Forbidden");
            return;
        }
        FeatureRequest request = FeatureRequest.parse(uri.getUser(), tenant.policy());
        Optional<ParkedCall> awaited = core.app.parkService().find(tenant, parkId.get())
                .filter(call -> request instanceof FeatureRequest.Park park
                        && park.extension().equals(Optional.of(call.extension())));
        Optional<ParkedCall> taken = awaited.isEmpty() ? Optional.empty()
                : core.app.parkService().takeOverMoved(parkId.get(), invite.getCallId());
        if (taken.isEmpty()) {
            LOG.info("404 to moved party " + invite.getFrom().getURI() + ": park " + parkId.get() + " at "
                    + uri.getUser() + "@" + tenant.domain() + " awaits no move (ended, or its move given up)");
            SipMessages.answer(invite, 404, "No Park Awaits This Call");
            return;
        }
        ParkedCall call = taken.get();
        Leg leg = Leg.attach(invite.getSession(), tenant, call.parked(), extensionOf(tenant, invite));
        leg.parkedAs(call.id());
        core.parkedLegs.hold(call.id(), leg);
        try {
            SipServletResponse ok = invite.createResponse(200);
            SipMessages.setSdp(ok, leg.stamp(Sdp.inactive(core.localAddress())));
            ok.send();
        } catch (IOException | RuntimeException e) {
            core.parkedLegs.release(call.id());
            leg.parkedAs(null);
            core.endPark(tenant, call.id(), Resolution.FAILED, "system");
            throw e;
        }
        LOG.info("park " + call.id() + " at " + call.extension() + "@" + tenant.domain() + " moved here: "
                + call.parked().uri() + " parked again, the same park");
        recall.schedule(tenant, call);
    }

    /** The moved party's extension, if it is one of the tenant's (it may be an outside caller). */
    private String extensionOf(Tenant tenant, SipServletRequest invite) {
        return invite.getFrom().getURI() instanceof SipURI from && from.getUser() != null
                ? core.directory.extension(tenant.id(), from.getUser()).map(Extension::number).orElse(null) : null;
    }

    // ---------------------------------------------------------------- the signature

    /** {@code <park id>.<issued, epoch ms>.<HMAC>}: only a node of this cluster can make one. */
    private String signed(String parkId) {
        String signedPart = parkId + "." + core.app.clock().millis();
        return signedPart + "." + mac(signedPart);
    }

    /** The park id, if the value is one this cluster signed within {@link #WITHIN} (plus clock skew). */
    private Optional<String> verified(String value) {
        int last = value.lastIndexOf('.');
        int first = value.indexOf('.');
        if (first <= 0 || last == first) {
            return Optional.empty();
        }
        String signedPart = value.substring(0, last);
        if (!MessageDigest.isEqual(mac(signedPart).getBytes(StandardCharsets.US_ASCII),
                value.substring(last + 1).getBytes(StandardCharsets.US_ASCII))) {
            return Optional.empty();
        }
        long issued;
        try {
            issued = Long.parseLong(value.substring(first + 1, last));
        } catch (NumberFormatException e) {
            return Optional.empty();
        }
        long age = core.app.clock().millis() - issued;
        return age > WITHIN.multipliedBy(2).toMillis() || age < -WITHIN.toMillis() ? Optional.empty()
                : Optional.of(value.substring(0, first));
    }

    private String mac(String text) {
        try {
            Mac mac = Mac.getInstance("HmacSHA256");
            mac.init(new SecretKeySpec(key, "HmacSHA256"));
            return HexFormat.of().formatHex(mac.doFinal(text.getBytes(StandardCharsets.UTF_8))).substring(0, SIGNATURE_HEX);
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("HmacSHA256 is required of every Java runtime", e);
        }
    }

    private static byte[] sha256(String text) {
        try {
            return MessageDigest.getInstance("SHA-256").digest(text.getBytes(StandardCharsets.UTF_8));
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("SHA-256 is required of every Java runtime", e);
        }
    }

    /** {@code host:port} of a SIP URI or Contact value, the port 5060 when none is given. */
    static String hostPort(String uri) {
        String rest = uri.trim().replaceFirst("^<", "").replaceFirst("^sips?:", "");
        int at = rest.indexOf('@');
        if (at >= 0) {
            rest = rest.substring(at + 1);
        }
        int end = rest.length();
        for (char stop : new char[] {';', '>', '?'}) {
            int i = rest.indexOf(stop);
            if (i >= 0 && i < end) {
                end = i;
            }
        }
        rest = rest.substring(0, end).toLowerCase();
        return rest.contains(":") ? rest : rest + ":5060";
    }
}
