package io.cloudpark.store;

import java.time.Instant;

import javax.persistence.Column;
import javax.persistence.Entity;
import javax.persistence.GeneratedValue;
import javax.persistence.GenerationType;
import javax.persistence.Id;
import javax.persistence.Table;

import io.cloudpark.audit.AuditEntry;

@Entity
@Table(name = "audit_log")
class AuditEntryEntity {
    @Id
    @GeneratedValue(strategy = GenerationType.IDENTITY)
    private Long id;

    @Column(name = "recorded_at", nullable = false)
    private Instant recordedAt;

    @Column(name = "actor", nullable = false, length = 128)
    private String actor;

    @Column(name = "tenant_domain", length = 253)
    private String tenantDomain;

    @Column(name = "action", nullable = false, length = 64)
    private String action;

    @Column(name = "before_json")
    private String beforeJson;

    @Column(name = "after_json")
    private String afterJson;

    protected AuditEntryEntity() {
    }

    AuditEntryEntity(Instant recordedAt, String actor, String tenantDomain, String action, String beforeJson, String afterJson) {
        this.recordedAt = recordedAt;
        this.actor = actor;
        this.tenantDomain = tenantDomain;
        this.action = action;
        this.beforeJson = beforeJson;
        this.afterJson = afterJson;
    }

    AuditEntry toDomain() {
        return new AuditEntry(id, recordedAt, actor, tenantDomain, action, beforeJson, afterJson);
    }
}
