package io.cloudpark.store;

import java.time.Instant;

import javax.persistence.Column;
import javax.persistence.Entity;
import javax.persistence.EnumType;
import javax.persistence.Enumerated;
import javax.persistence.GeneratedValue;
import javax.persistence.GenerationType;
import javax.persistence.Id;
import javax.persistence.Table;

import io.cloudpark.account.Account;
import io.cloudpark.account.Role;

@Entity
@Table(name = "account")
class AccountEntity {
    @Id
    @GeneratedValue(strategy = GenerationType.IDENTITY)
    private Long id;

    @Column(name = "name", nullable = false, length = 64)
    private String name;

    @Enumerated(EnumType.STRING)
    @Column(name = "role", nullable = false, length = 16)
    private Role role;

    @Column(name = "tenant_id")
    private Long tenantId;

    @Column(name = "password_hash", nullable = false, length = 72)
    private String passwordHash;

    @Column(name = "created_at", nullable = false)
    private Instant createdAt;

    protected AccountEntity() {
    }

    AccountEntity(String name, Role role, Long tenantId, String passwordHash, Instant createdAt) {
        this.name = name;
        this.role = role;
        this.tenantId = tenantId;
        this.passwordHash = passwordHash;
        this.createdAt = createdAt;
    }

    void setPasswordHash(String hash) {
        passwordHash = hash;
    }

    Account toDomain() {
        return new Account(id, name, role, tenantId, passwordHash, createdAt);
    }
}
