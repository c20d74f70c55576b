package io.cloudpark.jmx;

import java.beans.ConstructorProperties;

import io.cloudpark.park.ParkedCall;

/** A parked call as the console shows it: a CompositeData with these items, which a JMX proxy can map back. */
public final class ParkedCallView {
    private final String id;
    private final String extension;
    private final String parked;
    private final String parker;
    private final String parkedAt;
    private final String recallAt;
    private final String status;
    private final String ownerNode;

    @ConstructorProperties({"id", "extension", "parked", "parker", "parkedAt", "recallAt", "status", "ownerNode"})
    public ParkedCallView(String id, String extension, String parked, String parker, String parkedAt, String recallAt,
                          String status, String ownerNode) {
        this.id = id;
        this.extension = extension;
        this.parked = parked;
        this.parker = parker;
        this.parkedAt = parkedAt;
        this.recallAt = recallAt;
        this.status = status;
        this.ownerNode = ownerNode;
    }

    static ParkedCallView of(ParkedCall call) {
        return new ParkedCallView(call.id(), call.extension(), call.parked().uri(), call.parker().uri(),
                call.parkedAt().toString(), call.recallAt().toString(), call.status().name(), call.ownerNode());
    }

    public String getId() { return id; }

    public String getExtension() { return extension; }

    public String getParked() { return parked; }

    public String getParker() { return parker; }

    public String getParkedAt() { return parkedAt; }

    public String getRecallAt() { return recallAt; }

    public String getStatus() { return status; }

    public String getOwnerNode() { return ownerNode; }
}
