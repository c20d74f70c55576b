package io.cloudpark.sip;

import java.nio.charset.StandardCharsets;

import javax.servlet.sip.SipServletRequest;
import javax.servlet.sip.SipServletResponse;
import javax.servlet.sip.SipSession;

import org.apache.log4j.Logger;

/**
 * The implicit subscription a REFER creates (RFC 3515): NOTIFYs with {@code message/sipfrag} bodies telling the
 * transferor how the transfer goes. None at all when the REFER said {@code Refer-Sub: false} (RFC 4488).
 *
 * <pre>
 *   transferor                cloudpark
 *       |  NOTIFY 100 Trying      |
 *       |&lt;------------------------|
 *       |                         |  park decided: the final sipfrag waits
 *       |  200 (or 408, ...)      |
 *       |------------------------&gt;|
 *       |  NOTIFY 200 terminated  |
 *       |&lt;------------------------|
 * </pre>
 * One NOTIFY at a time: the next is sent once the previous has its final answer (or its transaction timed out),
 * because UDP and a proxy between may reorder two in flight, and a transferor that sees the final sipfrag before
 * the 100 takes the transfer as failed. A 481 ends the subscription: nothing more is sent.
 * The transferor's answer and the park's decision come on different threads: this object's monitor orders them.
 */
final class ReferProgress {
    private static final Logger LOG = Logger.getLogger(ReferProgress.class);

    private final SipSession dialog;
    private final boolean subscribed;
    private boolean notifyInFlight;
    private boolean ended;
    private int pendingStatus;
    private String pendingReason;

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

    /** The final outcome; ends the subscription, once the NOTIFY before it is answered. */
    synchronized void finish(int status, String reason) {
        if (notifyInFlight) {
            pendingStatus = status;
            pendingReason = reason;
            return;
        }
        notify(status, reason, true);
    }

    private synchronized void answered(SipServletResponse response) {
        if (response.getStatus() < 200) {
            return;
        }
        notifyInFlight = false;
        if (response.getStatus() == 481) {
            ended = true;
            LOG.info("refer NOTIFY answered 481: the transferor ended the subscription");
            return;
        }
        if (pendingReason != null) {
            String reason = pendingReason;
            pendingReason = null;
            notify(pendingStatus, reason, true);
        }
    }

    private synchronized void notify(int status, String reason, boolean terminated) {
        if (!subscribed || ended || !dialog.isValid()) {
            return;
        }
        ended = terminated;
        try {
            SipServletRequest notify = dialog.createRequest("NOTIFY");
            notify.setHeader("Event", "refer");
            notify.setHeader("Subscription-State", terminated ? "terminated;reason=noresource" : "active;expires=60");
            notify.setContent(("SIP/2.0 " + status + " " + reason + "\r\n").getBytes(StandardCharsets.US_ASCII),
                    "message/sipfrag;version=2.0");
            if (!terminated) {
                Callbacks.onResponse(notify, this::answered);
            }
            notify.send();
            notifyInFlight = !terminated;
        } catch (Exception e) {
            LOG.info("refer NOTIFY " + status + " not sent (the transferor has left?): " + e.getMessage());
        }
    }
}
