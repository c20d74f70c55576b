package io.cloudpark.cluster;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import java.util.function.Supplier;

/**
 * This node's view of the cluster: it beats in the shared database, and tells who else is alive. A node is dead
 * when its last beat is older than {@link #DEAD_AFTER}: under two beats, so that a survivor closes its calls within
 * 5 s of its death (DEAD_AFTER plus the reaper's {@link #REAP_EVERY}).
 */
public final class Cluster {
    public static final Duration HEARTBEAT_EVERY = Duration.ofSeconds(2);
    public static final Duration DEAD_AFTER = Duration.ofMillis(3_500);
    public static final Duration REAP_EVERY = Duration.ofSeconds(1);

    private final NodeStore nodes;
    private final Clock clock;
    private final String selfId;
    private final String selfSipUri;
    private final Instant startedAt;

    public Cluster(NodeStore nodes, Clock clock, String selfId, String selfSipUri) {
        this.nodes = nodes;
        this.clock = clock;
        this.selfId = selfId;
        this.selfSipUri = selfSipUri;
        this.startedAt = clock.instant();
    }

    public String selfId() {
        return selfId;
    }

    public void heartbeat() {
        nodes.heartbeat(selfId, selfSipUri, startedAt, clock.instant());
    }

    public boolean isAlive(Node node) {
        return node.lastSeen().isAfter(clock.instant().minus(DEAD_AFTER));
    }

    /** The node, if it is alive now. */
    public Optional<Node> alive(String nodeId) {
        return nodes.find(nodeId).filter(this::isAlive);
    }

    public List<Node> all() {
        return nodes.all();
    }

    /** Dead nodes whose calls no survivor has closed yet. */
    public List<Node> unreaped() {
        return nodes.all().stream().filter(node -> !node.id().equals(selfId) && !isAlive(node) && node.reapedAt() == null)
                .toList();
    }

    /** This node takes the reaping of {@code dead}; false if it beat again or another survivor took it. */
    public boolean takeReaping(Node dead) {
        return nodes.markReaped(dead.id(), dead.lastSeen(), clock.instant());
    }

    /** Runs {@code work} unless another node runs it now (see {@link NodeStore#exclusively}). */
    public <T> Optional<T> exclusively(Supplier<T> work) {
        return nodes.exclusively(work);
    }
}
