package io.cloudpark.tenant;

import java.util.List;

/**
 * Extensions that park for each other (DESIGN §2 {@code *58}): a group park takes the first member, in this
 * order, that has nothing parked; every member is told of calls parked at any member. An extension belongs to at
 * most one group, a group to one tenant.
 */
public record ParkGroup(long id, long tenantId, String name, List<String> members) {
    public ParkGroup {
        members = List.copyOf(members);
    }
}
