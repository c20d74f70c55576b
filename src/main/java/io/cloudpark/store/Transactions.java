package io.cloudpark.store;

import java.sql.SQLException;
import java.sql.SQLTransientConnectionException;
import java.util.Set;
import java.util.function.BooleanSupplier;
import java.util.function.Consumer;
import java.util.function.Function;

import javax.persistence.EntityManager;
import javax.persistence.EntityManagerFactory;
import javax.persistence.EntityTransaction;
import javax.persistence.LockTimeoutException;
import javax.persistence.PessimisticLockException;
import javax.persistence.PersistenceException;

import org.apache.log4j.Logger;

import io.cloudpark.park.StoreBusyException;
import io.cloudpark.park.StoreUnavailableException;

/**
 * Runs each store method as one resource-local transaction and turns database failures into the ports' exceptions:
 * a unique-key violation into {@link DuplicateKeyException}, a lock not granted in time, a serialization failure or a
 * deadlock, or no pooled connection free within the pool's timeout into {@link StoreBusyException}, anything else JPA/JDBC into {@link StoreUnavailableException}. Only that
 * last kind may mean lost connections: the others are the database answering, and leave the pool alone. Other
 * exceptions (programming errors) pass through unchanged.
 */
final class Transactions {
    private static final Logger LOG = Logger.getLogger(Transactions.class);

    /** SQLSTATE of a unique-constraint violation, the same in H2 and PostgreSQL. */
    private static final String UNIQUE_VIOLATION = "23505";
    /** SQLSTATE class of every integrity-constraint violation: the database refused the data, it is not down. */
    private static final String CONSTRAINT_VIOLATION_CLASS = "23";
    /**
     * SQLSTATEs of contention: serialization failure (both; H2 also for a deadlock), PostgreSQL's deadlock and
     * lock_timeout, H2's lock timeout.
     */
    private static final Set<String> CONTENTION = Set.of("40001", "40P01", "55P03", "HYT00");

    private final EntityManagerFactory emf;
    private final Runnable connectionsMayBeLost;
    private final BooleanSupplier poolConnected;

    /**
     * @param connectionsMayBeLost run when the database failed an operation for no reason it gave (lost connections?)
     * @param poolConnected        whether the pool holds open connections now: a pool timeout then means they are
     *                             all in use (busy); without any, the database cannot be reached
     */
    Transactions(EntityManagerFactory emf, Runnable connectionsMayBeLost, BooleanSupplier poolConnected) {
        this.emf = emf;
        this.connectionsMayBeLost = connectionsMayBeLost;
        this.poolConnected = poolConnected;
    }

    <T> T call(Function<EntityManager, T> work) {
        EntityManager em = open();
        EntityTransaction tx = em.getTransaction();
        T result;
        try {
            tx.begin();
            result = work.apply(em);
            tx.commit();
        } catch (RuntimeException e) {
            rollback(tx, e);
            close(em, e);
            RuntimeException translated = translate(e, poolConnected);
            if (connectionsMayBeLost(translated)) {
                connectionsMayBeLost.run();
            }
            throw translated;
        }
        try {
            em.close();
        } catch (RuntimeException e) {
            // committed is committed: failing to hand the connection back must not report the work as lost
            LOG.warn("could not release a database connection after commit", e);
        }
        return result;
    }

    void run(Consumer<EntityManager> work) {
        call(em -> {
            work.accept(em);
            return null;
        });
    }

    private EntityManager open() {
        try {
            return emf.createEntityManager();
        } catch (IllegalStateException closed) {
            throw new StoreUnavailableException("the database has been closed", closed);
        }
    }

    private static void rollback(EntityTransaction tx, RuntimeException cause) {
        try {
            if (tx.isActive()) {
                tx.rollback();
            }
        } catch (RuntimeException rollbackFailed) {
            // with the connection gone the rollback fails too; the first failure is the one to report
            cause.addSuppressed(rollbackFailed);
        }
    }

    private static void close(EntityManager em, RuntimeException cause) {
        try {
            em.close();
        } catch (RuntimeException closeFailed) {
            cause.addSuppressed(closeFailed);
        }
    }

    private static RuntimeException translate(RuntimeException e, BooleanSupplier poolConnected) {
        if (!(e instanceof PersistenceException)) {
            return e;
        }
        return translate(e, e instanceof LockTimeoutException || e instanceof PessimisticLockException, poolConnected);
    }

    /** The same rules for plain JDBC ({@link Jdbc}): what a failed statement or connection means for the caller. */
    static RuntimeException translate(Throwable e, boolean lockNotGranted, BooleanSupplier poolConnected) {
        String state = sqlState(e);
        if (UNIQUE_VIOLATION.equals(state)) {
            return new DuplicateKeyException(e);
        }
        if (lockNotGranted || state != null && CONTENTION.contains(state)) {
            return new Contention(e);
        }
        if (poolTimedOut(e) && poolConnected.getAsBoolean()) {
            return new PoolExhausted(e);
        }
        if (state != null && state.startsWith(CONSTRAINT_VIOLATION_CLASS)) {
            return new ConstraintViolation(e);
        }
        return new StoreUnavailableException("database operation failed: " + e.getMessage(), e);
    }

    /**
     * No pooled connection came free within the connection timeout. Hikari names its last connection failure as the
     * cause, and that may be one idle connection it found dead and replaced, long before: the cause says nothing about
     * the connections in use. Whether any are open decides between busy and unreachable.
     */
    private static boolean poolTimedOut(Throwable e) {
        for (Throwable t = e; t != null; t = t.getCause()) {
            if (t instanceof SQLTransientConnectionException) {
                return true;
            }
        }
        return false;
    }

    /** Whether the database failed without giving a reason: then its connections may be lost. */
    static boolean connectionsMayBeLost(RuntimeException translated) {
        return translated instanceof StoreUnavailableException && !(translated instanceof DatabaseAnswered);
    }

    /** The SQLSTATE of the innermost SQLException that has one. */
    private static String sqlState(Throwable e) {
        String state = null;
        for (Throwable t = e; t != null; t = t.getCause()) {
            if (t instanceof SQLException sql && sql.getSQLState() != null) {
                state = sql.getSQLState();
            }
        }
        return state;
    }

    /** The database is there and gave its reason: its connections are fine. */
    private interface DatabaseAnswered {
    }

    private static final class Contention extends StoreBusyException implements DatabaseAnswered {
        private static final long serialVersionUID = 1L;

        Contention(Throwable cause) {
            super("database busy: " + cause.getMessage(), cause);
        }
    }

    /** No pooled connection came free within the connection timeout: busy, like a lock not granted in time. */
    private static final class PoolExhausted extends StoreBusyException implements DatabaseAnswered {
        private static final long serialVersionUID = 1L;

        PoolExhausted(Throwable cause) {
            super("no database connection free: " + cause.getMessage(), cause);
        }
    }

    /** A constraint other than a unique key: a programming error, reported as the ports promise. */
    private static final class ConstraintViolation extends StoreUnavailableException implements DatabaseAnswered {
        private static final long serialVersionUID = 1L;

        ConstraintViolation(Throwable cause) {
            super("constraint violated: " + cause.getMessage(), cause);
        }
    }

    /**
     * A unique key was taken, usually by a concurrent transaction. Callers that expect it (create-if-absent) catch
     * it; anywhere else it stays what the ports promise, a {@link StoreUnavailableException}.
     */
    static final class DuplicateKeyException extends StoreUnavailableException implements DatabaseAnswered {
        private static final long serialVersionUID = 1L;

        DuplicateKeyException(Throwable cause) {
            super("duplicate key: " + cause.getMessage(), cause);
        }
    }
}
