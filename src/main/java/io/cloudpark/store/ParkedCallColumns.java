package io.cloudpark.store;

import java.time.Instant;

import javax.persistence.Column;
import javax.persistence.Embeddable;
import javax.persistence.EnumType;
import javax.persistence.Enumerated;

import io.cloudpark.park.ParkStatus;
import io.cloudpark.park.ParkedCall;
import io.cloudpark.park.Party;

/** The columns a parked call has in both parked_call and park_history (all but its id). */
@Embeddable
class ParkedCallColumns {
    @Column(name = "tenant_id", nullable = false)
    private long tenantId;

    @Column(name = "extension", nullable = false, length = 32)
    private String extension;

    @Column(name = "parked_uri", nullable = false)
    private String parkedUri;

    @Column(name = "parked_display")
    private String parkedDisplay;

    @Column(name = "parker_uri", nullable = false)
    private String parkerUri;

    @Column(name = "parker_display")
    private String parkerDisplay;

    @Column(name = "parker_extension", length = 32)
    private String parkerExtension;

    @Column(name = "parked_at", nullable = false)
    private Instant parkedAt;

    @Column(name = "recall_at", nullable = false)
    private Instant recallAt;

    @Enumerated(EnumType.STRING)
    @Column(name = "status", nullable = false, length = 16)
    private ParkStatus status;

    @Column(name = "owner_node", length = 128)
    private String ownerNode;

    protected ParkedCallColumns() {
    }

    ParkedCallColumns(ParkedCall call) {
        tenantId = call.tenantId();
        extension = call.extension();
        parkedUri = call.parked().uri();
        parkedDisplay = call.parked().displayName();
        parkerUri = call.parker().uri();
        parkerDisplay = call.parker().displayName();
        parkerExtension = call.parkerExtension();
        parkedAt = call.parkedAt();
        recallAt = call.recallAt();
        status = call.status();
        ownerNode = call.ownerNode();
    }

    long tenantId() {
        return tenantId;
    }

    String extension() {
        return extension;
    }

    ParkedCall toDomain(String id) {
        return new ParkedCall(id, tenantId, extension, new Party(parkedUri, parkedDisplay),
                new Party(parkerUri, parkerDisplay), parkerExtension, parkedAt, recallAt, status, ownerNode);
    }
}
