package io.cloudpark.store;

import java.time.Instant;
import java.util.Arrays;
import java.util.List;

import javax.persistence.Column;
import javax.persistence.Entity;
import javax.persistence.GeneratedValue;
import javax.persistence.GenerationType;
import javax.persistence.Id;
import javax.persistence.Table;

import io.cloudpark.tenant.Binding;

@Entity
@Table(name = "registration")
class RegistrationEntity {
    @Id
    @GeneratedValue(strategy = GenerationType.IDENTITY)
    private Long id;

    @Column(name = "extension_id", nullable = false)
    private long extensionId;

    @Column(name = "contact_uri", nullable = false, length = 1024)
    private String contactUri;

    @Column(name = "expires_at", nullable = false)
    private Instant expiresAt;

    @Column(name = "call_id")
    private String callId;

    @Column(name = "cseq", nullable = false)
    private long cseq;

    @Column(name = "user_agent")
    private String userAgent;

    @Column(name = "park_info_refused", nullable = false)
    private boolean parkInfoRefused;

    /** The Path URIs, comma-separated (a SIP URI in a Path is in angle brackets, so it has no bare comma). */
    @Column(name = "path")
    private String path;

    protected RegistrationEntity() {
    }

    RegistrationEntity(long extensionId, Binding binding) {
        this.extensionId = extensionId;
        this.contactUri = binding.contactUri();
        this.expiresAt = binding.expiresAt();
        this.callId = binding.callId();
        this.cseq = binding.cseq();
        this.userAgent = binding.userAgent();
        this.path = joined(binding.path());
    }

    static String joined(List<String> path) {
        return path.isEmpty() ? null : String.join(",", path);
    }

    Binding toDomain() {
        return new Binding(contactUri, expiresAt, callId, cseq, userAgent, parkInfoRefused,
                path == null ? List.of() : Arrays.asList(path.split(",")));
    }
}
