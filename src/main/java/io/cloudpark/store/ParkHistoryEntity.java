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

import io.cloudpark.park.EndedPark;
import io.cloudpark.park.ParkStatus;
import io.cloudpark.park.ParkedCall;
import io.cloudpark.park.Party;
import io.cloudpark.park.Resolution;

@Entity
@Table(name = "park_history")
class ParkHistoryEntity {
    @Id
    @GeneratedValue(strategy = GenerationType.IDENTITY)
    private Long id;

    @Column(name = "park_id", nullable = false, length = 64)
    private String parkId;

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

    @Enumerated(EnumType.STRING)
    @Column(name = "resolution", nullable = false, length = 24)
    private Resolution resolution;

    @Column(name = "ended_at", nullable = false)
    private Instant endedAt;

    @Column(name = "ended_by", length = 64)
    private String endedBy;

    protected ParkHistoryEntity() {
    }

    ParkHistoryEntity(EndedPark ended) {
        ParkedCall call = ended.call();
        parkId = call.id();
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
        resolution = ended.resolution();
        endedAt = ended.endedAt();
        endedBy = ended.endedBy();
    }

    EndedPark toDomain() {
        ParkedCall call = new ParkedCall(parkId, tenantId, extension, new Party(parkedUri, parkedDisplay),
                new Party(parkerUri, parkerDisplay), parkerExtension, parkedAt, recallAt, status, ownerNode);
        return new EndedPark(call, resolution, endedAt, endedBy);
    }
}
