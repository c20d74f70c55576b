package io.cloudpark.cluster;

import java.time.Instant;
import java.util.List;
import java.util.Optional;
import java.util.function.Supplier;

/** The cluster's nodes in the shared database. Every method may throw {@code StoreUnavailableException}. */
public interface NodeStore {

    /** Inserts or refreshes the node's row: alive now, not reaped. */
    void heartbeat(String id, String sipUri, Instant startedAt, Instant now);

    List<Node> all();

    Optional<Node> find(String id);

    /**
     * Marks a dead node reaped, unless it beat again since {@code lastSeen} or was reaped already: of two survivors
     * only one gets true.
     */
    boolean markReaped(String id, Instant lastSeen, Instant now);

    /**
     * Runs {@code work} if no other node is running it now (on PostgreSQL an advisory lock; with H2, which one node
     * uses alone, a lock in this JVM). Empty if another node holds it.
     */
    <T> Optional<T> exclusively(Supplier<T> work);
}
