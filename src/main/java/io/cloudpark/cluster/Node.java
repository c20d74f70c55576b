package io.cloudpark.cluster;

import java.time.Instant;

/**
 * One cloudpark node of the cluster, as the shared database knows it.
 *
 * @param id        its {@code CLOUDPARK_NODE_ID}, also its dispatcher {@code duid}
 * @param sipUri    where the load balancer reaches it ({@code CLOUDPARK_NODE_SIP_URI})
 * @param startedAt when it last started
 * @param lastSeen  its last heartbeat
 * @param reapedAt  when a survivor closed its parked calls after it stopped beating; null while it lives
 */
public record Node(String id, String sipUri, Instant startedAt, Instant lastSeen, Instant reapedAt) {
}
