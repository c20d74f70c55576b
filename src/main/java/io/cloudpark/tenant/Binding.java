package io.cloudpark.tenant;

import java.time.Instant;
import java.util.List;

/**
 * One registered device (contact) of an extension, valid until {@code expiresAt}. {@code parkInfoRefused}: the
 * device refused a park-info NOTIFY (481, 489, 405, 415, 501), so it gets text MESSAGEs instead until it registers
 * with a new Call-ID (a refresh keeps the refusal). {@code path}:
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
