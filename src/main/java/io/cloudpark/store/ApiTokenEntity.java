package io.cloudpark.store;

import java.time.Instant;

import javax.persistence.Column;
import javax.persistence.Entity;
import javax.persistence.GeneratedValue;
import javax.persistence.GenerationType;
import javax.persistence.Id;
import javax.persistence.Table;

import io.cloudpark.account.ApiToken;

@Entity
@Table(name = "api_token")
class ApiTokenEntity {
    @Id
    @GeneratedValue(strategy = GenerationType.IDENTITY)
    private Long id;

    @Column(name = "account_id", nullable = false)
    private long accountId;

    @Column(name = "name", nullable = false, length = 64)
    private String name;

    @Column(name = "token_hash", nullable = false, length = 64)
    private String tokenHash;

    @Column(name = "created_at", nullable = false)
    private Instant createdAt;

    protected ApiTokenEntity() {
    }

    ApiTokenEntity(long accountId, String name, String tokenHash, Instant createdAt) {
        this.accountId = accountId;
        this.name = name;
        this.tokenHash = tokenHash;
        this.createdAt = createdAt;
    }

    ApiToken toDomain() {
        return new ApiToken(id, accountId, name, createdAt);
    }
}
