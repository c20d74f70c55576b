package io.cloudpark.store;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.Supplier;

import javax.sql.DataSource;

import io.cloudpark.cluster.Node;
import io.cloudpark.cluster.NodeStore;
import io.cloudpark.park.StoreUnavailableException;
import io.cloudpark.store.Transactions.DuplicateKeyException;

final class JpaNodeStore implements NodeStore {
    /** The PostgreSQL advisory lock key that one reaper at a time holds ("cpreap" in ASCII). */
    private static final long REAPER_LOCK_KEY = 0x637072656170L;

    private final Transactions tx;
    private final DataSource pool;
    private final boolean advisoryLocks;
    private final AtomicBoolean localLockHeld = new AtomicBoolean();

    /** @param advisoryLocks PostgreSQL: other nodes share the database, so the lock must live there */
    JpaNodeStore(Transactions tx, DataSource pool, boolean advisoryLocks) {
        this.tx = tx;
        this.pool = pool;
        this.advisoryLocks = advisoryLocks;
    }

    @Override
    public void heartbeat(String id, String sipUri, Instant startedAt, Instant now) {
        try {
            tx.run(em -> upsert(em, id, sipUri, startedAt, now));
        } catch (DuplicateKeyException insertedConcurrently) {
            tx.run(em -> upsert(em, id, sipUri, startedAt, now));
        }
    }

    private static void upsert(javax.persistence.EntityManager em, String id, String sipUri, Instant startedAt,
                               Instant now) {
        int updated = em.createQuery("update NodeEntity n set n.sipUri = :uri, n.startedAt = :started,"
                        + " n.lastSeen = :now, n.reapedAt = null where n.id = :id")
                .setParameter("uri", sipUri)
                .setParameter("started", startedAt)
                .setParameter("now", now)
                .setParameter("id", id)
                .executeUpdate();
        if (updated == 0) {
            em.persist(new NodeEntity(id, sipUri, startedAt, now));
        }
    }

    @Override
    public List<Node> all() {
        return tx.call(em -> em.createQuery("select n from NodeEntity n order by n.id", NodeEntity.class)
                .getResultStream().map(NodeEntity::toDomain).toList());
    }

    @Override
    public Optional<Node> find(String id) {
        return tx.call(em -> Optional.ofNullable(em.find(NodeEntity.class, id)).map(NodeEntity::toDomain));
    }

    @Override
    public boolean markReaped(String id, Instant lastSeen, Instant now) {
        return tx.call(em -> em.createQuery("update NodeEntity n set n.reapedAt = :now"
                        + " where n.id = :id and n.lastSeen = :lastSeen and n.reapedAt is null")
                .setParameter("now", now)
                .setParameter("id", id)
                .setParameter("lastSeen", lastSeen)
                .executeUpdate() == 1);
    }

    @Override
    public <T> Optional<T> exclusively(Supplier<T> work) {
        if (!advisoryLocks) {
            if (!localLockHeld.compareAndSet(false, true)) {
                return Optional.empty();
            }
            try {
                return Optional.ofNullable(work.get());
            } finally {
                localLockHeld.set(false);
            }
        }
        // a session lock, on a connection of its own held while the work runs (the work uses other connections)
        try (Connection connection = pool.getConnection()) {
            if (!advisory(connection, "select pg_try_advisory_lock(?)")) {
                return Optional.empty();
            }
            try {
                return Optional.ofNullable(work.get());
            } finally {
                advisory(connection, "select pg_advisory_unlock(?)");
            }
        } catch (SQLException e) {
            throw new StoreUnavailableException("reaper lock: " + e.getMessage(), e);
        }
    }

    private static boolean advisory(Connection connection, String sql) throws SQLException {
        try (PreparedStatement statement = connection.prepareStatement(sql)) {
            statement.setLong(1, REAPER_LOCK_KEY);
            try (ResultSet result = statement.executeQuery()) {
                return result.next() && result.getBoolean(1);
            }
        }
    }
}
