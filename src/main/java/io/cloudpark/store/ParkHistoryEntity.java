package io.cloudpark.store;

import java.time.Instant;

import javax.persistence.Column;
import javax.persistence.Embedded;
import javax.persistence.Entity;
import javax.persistence.EnumType;
import javax.persistence.Enumerated;
import javax.persistence.GeneratedValue;
import javax.persistence.GenerationType;
import javax.persistence.Id;
import javax.persistence.Table;

import io.cloudpark.park.EndedPark;
import io.cloudpark.park.Resolution;

@Entity
@Table(name = "park_history")
class ParkHistoryEntity {
    @Id
    @GeneratedValue(strategy = GenerationType.IDENTITY)
    private Long id;

    @Column(name = "park_id", nullable = false, length = 64)
    private String parkId;

    /** As it was when it ended: recall_at, status and owner_node too, so the call reads back whole. */
    @Embedded
    private ParkedCallColumns call;

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
        parkId = ended.call().id();
        call = new ParkedCallColumns(ended.call());
        resolution = ended.resolution();
        endedAt = ended.endedAt();
        endedBy = ended.endedBy();
    }

    EndedPark toDomain() {
        return new EndedPark(call.toDomain(parkId), resolution, endedAt, endedBy);
    }
}
