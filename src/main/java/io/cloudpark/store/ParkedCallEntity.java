package io.cloudpark.store;

import javax.persistence.Column;
import javax.persistence.Embedded;
import javax.persistence.Entity;
import javax.persistence.Id;
import javax.persistence.Table;

import io.cloudpark.park.ParkedCall;

@Entity
@Table(name = "parked_call")
class ParkedCallEntity {
    @Id
    @Column(name = "id", length = 64)
    private String id;

    @Embedded
    private ParkedCallColumns call;

    /** Set by the conditional updates of markParked and takeOver (see ParkedCallStore). */
    @Column(name = "parked_dialog")
    private String parkedDialog;

    protected ParkedCallEntity() {
    }

    ParkedCallEntity(ParkedCall parked) {
        id = parked.id();
        call = new ParkedCallColumns(parked);
    }

    long tenantId() {
        return call.tenantId();
    }

    String extension() {
        return call.extension();
    }

    String parkedDialog() {
        return parkedDialog;
    }

    ParkedCall toDomain() {
        return call.toDomain(id);
    }
}
