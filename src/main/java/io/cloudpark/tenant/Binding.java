package io.cloudpark.tenant;

import java.time.Instant;

/**
 * One registered device (contact) of an extension, valid until {@code expiresAt}. {@code parkInfoRefused}: the
 * device answered a park-info NOTIFY with 481, 489 or 405, so it gets none until it registers again.
 */
public record Binding(String contactUri, Instant expiresAt, String callId, long cseq, String userAgent,
                      boolean parkInfoRefused) {

    public Binding(String contactUri, Instant expiresAt, String callId, long cseq, String userAgent) {
        this(contactUri, expiresAt, callId, cseq, userAgent, false);
    }
}
