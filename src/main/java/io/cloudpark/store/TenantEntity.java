package io.cloudpark.store;

import javax.persistence.Column;
import javax.persistence.Entity;
import javax.persistence.GeneratedValue;
import javax.persistence.GenerationType;
import javax.persistence.Id;
import javax.persistence.Table;

import java.util.Arrays;
import java.util.List;

import javax.persistence.EnumType;
import javax.persistence.Enumerated;

import io.cloudpark.park.ParkingPolicy;
import io.cloudpark.park.RecallPolicy;
import io.cloudpark.tenant.Tenant;

@Entity
@Table(name = "tenant")
class TenantEntity {
    @Id
    @GeneratedValue(strategy = GenerationType.IDENTITY)
    private Long id;

    @Column(name = "domain", nullable = false, length = 253)
    private String domain;

    @Column(name = "name")
    private String name;

    @Column(name = "park_code", nullable = false, length = 8)
    private String parkCode;

    @Column(name = "retrieve_code", nullable = false, length = 8)
    private String retrieveCode;

    @Column(name = "park_timeout_seconds", nullable = false)
    private int parkTimeoutSeconds;

    @Column(name = "recall_ring_seconds", nullable = false)
    private int recallRingSeconds;

    @Column(name = "max_parked_per_extension", nullable = false)
    private int maxParkedPerExtension;

    @Column(name = "group_park_code", nullable = false, length = 8)
    private String groupParkCode;

    @Enumerated(EnumType.STRING)
    @Column(name = "recall_policy", nullable = false, length = 24)
    private RecallPolicy recallPolicy;

    @Column(name = "recall_attempts", nullable = false)
    private int recallAttempts;

    /** Comma-separated: a short ordered list that is only ever read and written whole. */
    @Column(name = "recall_group")
    private String recallGroup;

    @Column(name = "recall_fallback", length = 32)
    private String recallFallback;

    @Column(name = "music_on_hold_uri")
    private String musicOnHoldUri;

    protected TenantEntity() {
    }

    TenantEntity(String domain, String name, ParkingPolicy policy) {
        this.domain = domain;
        this.name = name;
        setPolicy(policy);
    }

    void setName(String newName) {
        name = newName;
    }

    void setPolicy(ParkingPolicy policy) {
        parkCode = policy.parkCode();
        retrieveCode = policy.retrieveCode();
        parkTimeoutSeconds = policy.parkTimeoutSeconds();
        recallRingSeconds = policy.recallRingSeconds();
        maxParkedPerExtension = policy.maxParkedPerExtension();
        groupParkCode = policy.groupParkCode();
        recallPolicy = policy.recallPolicy();
        recallAttempts = policy.recallAttempts();
        recallGroup = policy.recallGroup().isEmpty() ? null : String.join(",", policy.recallGroup());
        recallFallback = policy.recallFallback();
        musicOnHoldUri = policy.musicOnHoldUri();
    }

    Tenant toDomain() {
        return new Tenant(id, domain, name,
                new ParkingPolicy(parkCode, retrieveCode, groupParkCode, parkTimeoutSeconds, recallRingSeconds,
                        maxParkedPerExtension, recallPolicy, recallAttempts,
                        recallGroup == null ? List.of() : Arrays.asList(recallGroup.split(",")), recallFallback,
                        musicOnHoldUri));
    }
}
