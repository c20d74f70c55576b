package io.cloudpark.jmx;

import io.cloudpark.park.ParkedCall;

/** A parked call as the console shows it (a CompositeData with these items). */
public final class ParkedCallView {
    private final ParkedCall call;

    ParkedCallView(ParkedCall call) {
        this.call = call;
    }

    public String getId() {
        return call.id();
    }

    public String getExtension() {
        return call.extension();
    }

    public String getParked() {
        return call.parked().uri();
    }

    public String getParker() {
        return call.parker().uri();
    }

    public String getParkedAt() {
        return call.parkedAt().toString();
    }

    public String getRecallAt() {
        return call.recallAt().toString();
    }

    public String getStatus() {
        return call.status().name();
    }

    public String getOwnerNode() {
        return call.ownerNode();
    }
}
