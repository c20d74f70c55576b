package io.cloudpark.sip;

import java.nio.charset.StandardCharsets;

import javax.servlet.sip.SipServletRequest;
import javax.servlet.sip.SipSession;

import org.apache.log4j.Logger;

/**
 * The implicit subscription a REFER creates (RFC 3515): NOTIFYs with {@code message/sipfrag} bodies telling the
 * transferor how the transfer goes. None at all when the REFER said {@code Refer-Sub: false} (RFC 4488).
 */
final class ReferProgress {
    private static final Logger LOG = Logger.getLogger(ReferProgress.class);

    private final SipSession dialog;
    private final boolean subscribed;

    ReferProgress(SipServletRequest refer) {
        this.dialog = refer.getSession();
        this.subscribed = !"false".equalsIgnoreCase(String.valueOf(refer.getHeader("Refer-Sub")).trim());
    }

    boolean subscribed() {
        return subscribed;
    }

    void trying() {
        notify(100, "Trying", false);
    }

    /** The final outcome; ends the subscription. */
    void finish(int status, String reason) {
        notify(status, reason, true);
    }

    private void notify(int status, String reason, boolean terminated) {
        if (!subscribed || !dialog.isValid()) {
            return;
        }
        try {
            SipServletRequest notify = dialog.createRequest("NOTIFY");
            notify.setHeader("Event", "refer");
            notify.setHeader("Subscription-State", terminated ? "terminated;reason=noresource" : "active;expires=60");
            notify.setContent(("SIP/2.0 " + status + " " + reason + "\r\n").getBytes(StandardCharsets.US_ASCII),
                    "message/sipfrag;version=2.0");
            notify.send();
        } catch (Exception e) {
            LOG.info("refer NOTIFY " + status + " not sent (the transferor has left?): " + e.getMessage());
        }
    }
}
