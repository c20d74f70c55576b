package io.cloudpark.tenant;

import java.time.Instant;

/** One registered device (contact) of an extension, valid until {@code expiresAt}. */
public record Binding(String contactUri, Instant expiresAt, String callId, long cseq, String userAgent) {
}
