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

import io.cloudpark.park.ParkEvent;
import io.cloudpark.park.ParkedCall;
import io.cloudpark.park.Resolution;

@Entity
@Table(name = "park_event")
class ParkEventEntity {
    @Id
    @GeneratedValue(strategy = GenerationType.IDENTITY)
    private Long id;

    @Column(name = "type", nullable = false, length = 24)
    private String type;

    @Column(name = "park_id", nullable = false, length = 64)
    private String parkId;

    @Embedded
    private ParkedCallColumns call;

    @Enumerated(EnumType.STRING)
    @Column(name = "resolution", length = 24)
    private Resolution resolution;

    @Column(name = "ended_by", length = 64)
    private String endedBy;

    @Column(name = "occurred_at", nullable = false)
    private Instant occurredAt;

    protected ParkEventEntity() {
    }

    ParkEventEntity(String type, ParkedCall parked, Instant occurredAt, Resolution resolution, String endedBy) {
        this.type = type;
        this.parkId = parked.id();
        this.call = new ParkedCallColumns(parked);
        this.occurredAt = occurredAt;
        this.resolution = resolution;
        this.endedBy = endedBy;
    }

    ParkEvent toDomain() {
        return new ParkEvent(id, type, call.toDomain(parkId), occurredAt, resolution, endedBy);
    }
}
