package io.cloudpark.store;

import javax.persistence.Column;
import javax.persistence.Entity;
import javax.persistence.GeneratedValue;
import javax.persistence.GenerationType;
import javax.persistence.Id;
import javax.persistence.Table;

import io.cloudpark.tenant.Extension;

@Entity
@Table(name = "extension")
class ExtensionEntity {
    @Id
    @GeneratedValue(strategy = GenerationType.IDENTITY)
    private Long id;

    @Column(name = "tenant_id", nullable = false)
    private long tenantId;

    @Column(name = "number", nullable = false, length = 32)
    private String number;

    @Column(name = "display_name")
    private String displayName;

    @Column(name = "ha1", length = 128)
    private String ha1;

    /** Only ever changed by an UPDATE statement, so concurrent bumps cannot lose one. */
    @Column(name = "park_info_version", nullable = false, insertable = false, updatable = false)
    private long parkInfoVersion;

    protected ExtensionEntity() {
    }

    ExtensionEntity(long tenantId, String number, String displayName, String ha1) {
        this.tenantId = tenantId;
        this.number = number;
        update(displayName, ha1);
    }

    void update(String newDisplayName, String newHa1) {
        displayName = newDisplayName;
        ha1 = newHa1;
    }

    Extension toDomain() {
        return new Extension(id, tenantId, number, displayName, ha1);
    }
}
