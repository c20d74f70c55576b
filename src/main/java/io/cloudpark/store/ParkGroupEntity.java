package io.cloudpark.store;

import javax.persistence.Column;
import javax.persistence.Entity;
import javax.persistence.GeneratedValue;
import javax.persistence.GenerationType;
import javax.persistence.Id;
import javax.persistence.Table;

@Entity
@Table(name = "park_group")
class ParkGroupEntity {
    @Id
    @GeneratedValue(strategy = GenerationType.IDENTITY)
    private Long id;

    @Column(name = "tenant_id", nullable = false)
    private long tenantId;

    @Column(name = "name", nullable = false, length = 64)
    private String name;

    protected ParkGroupEntity() {
    }

    ParkGroupEntity(long tenantId, String name) {
        this.tenantId = tenantId;
        this.name = name;
    }

    Long id() {
        return id;
    }

    long tenantId() {
        return tenantId;
    }

    String name() {
        return name;
    }
}
