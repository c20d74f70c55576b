package io.cloudpark.tenant;

import java.time.Instant;
import java.util.List;

/**
 * One registered device (contact) of an extension, valid until {@code expiresAt}. {@code parkInfoRefused}: the
 * device answered a park-info NOTIFY with 481, 489 or 405, so it gets none until it registers again. {@code path}:
 * the Path its REGISTER came with (RFC 3327), first hop first, empty when it registered directly; whatever the PBX
 * sends the device goes that way.
 */
public record Binding(String contactUri, Instant expiresAt, String callId, long cseq, String userAgent,
                      boolean parkInfoRefused, List<String> path) {

    public Binding {
        path = List.copyOf(path);
    }

    public Binding(String contactUri, Instant expiresAt, String callId, long cseq, String userAgent, List<String> path) {
        this(contactUri, expiresAt, callId, cseq, userAgent, false, path);
    }

    public Binding(String contactUri, Instant expiresAt, String callId, long cseq, String userAgent) {
        this(contactUri, expiresAt, callId, cseq, userAgent, false, List.of());
    }
}
