package io.cloudpark.store;

import javax.persistence.Column;
import javax.persistence.Entity;
import javax.persistence.EnumType;
import javax.persistence.Enumerated;
import javax.persistence.GeneratedValue;
import javax.persistence.GenerationType;
import javax.persistence.Id;
import javax.persistence.Table;

import io.cloudpark.tenant.Extension;
import io.cloudpark.tenant.ParkInfoFormat;

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

    @Enumerated(EnumType.STRING)
    @Column(name = "park_info_format", nullable = false, length = 16)
    private ParkInfoFormat parkInfoFormat;

    /** Only ever changed by an UPDATE statement, so concurrent bumps cannot lose one. */
    @Column(name = "park_info_version", nullable = false, insertable = false, updatable = false)
    private long parkInfoVersion;

    protected ExtensionEntity() {
    }

    ExtensionEntity(long tenantId, String number, String displayName, String ha1, ParkInfoFormat format) {
        this.tenantId = tenantId;
        this.number = number;
        update(displayName, ha1, format);
    }

    void update(String newDisplayName, String newHa1, ParkInfoFormat format) {
        displayName = newDisplayName;
        ha1 = newHa1;
        parkInfoFormat = format == null ? ParkInfoFormat.CLOUDPARK : format;
    }

    Long id() {
        return id;
    }

    String number() {
        return number;
    }

    Extension toDomain() {
        return new Extension(id, tenantId, number, displayName, ha1, parkInfoFormat);
    }
}
