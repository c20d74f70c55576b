package io.cloudpark.store;

import javax.persistence.Column;
import javax.persistence.Entity;
import javax.persistence.GeneratedValue;
import javax.persistence.GenerationType;
import javax.persistence.Id;
import javax.persistence.Table;

import io.cloudpark.park.ParkingPolicy;
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

    protected TenantEntity() {
    }

    TenantEntity(String domain, String name, ParkingPolicy policy) {
        this.domain = domain;
        this.name = name;
        setPolicy(policy);
    }

    void setPolicy(ParkingPolicy policy) {
        parkCode = policy.parkCode();
        retrieveCode = policy.retrieveCode();
        parkTimeoutSeconds = policy.parkTimeoutSeconds();
        recallRingSeconds = policy.recallRingSeconds();
        maxParkedPerExtension = policy.maxParkedPerExtension();
    }

    Tenant toDomain() {
        return new Tenant(id, domain, name,
                new ParkingPolicy(parkCode, retrieveCode, parkTimeoutSeconds, recallRingSeconds, maxParkedPerExtension));
    }
}
