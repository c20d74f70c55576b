package io.cloudpark.tenant;

import io.cloudpark.park.ParkingPolicy;

/** A virtual PBX, named by its SIP domain. Every request belongs to exactly one tenant. */
public record Tenant(long id, String domain, String name, ParkingPolicy policy) {
}
