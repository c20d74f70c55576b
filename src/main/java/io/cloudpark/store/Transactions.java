package io.cloudpark.store;

import java.sql.SQLException;
import java.util.function.Consumer;
import java.util.function.Function;

import javax.persistence.EntityManager;
import javax.persistence.EntityManagerFactory;
import javax.persistence.EntityTransaction;
import javax.persistence.PersistenceException;

import org.apache.log4j.Logger;

import io.cloudpark.park.StoreUnavailableException;

/**
 * Runs each store method as one resource-local transaction and turns database failures into the ports' exceptions:
 * a unique-key violation into {@link DuplicateKeyException}, anything else JPA/JDBC into
 * {@link StoreUnavailableException}. Other exceptions (programming errors) pass through unchanged.
 */
final class Transactions {
    private static final Logger LOG = Logger.getLogger(Transactions.class);

    /** SQLSTATE of a unique-constraint violation, the same in H2 and PostgreSQL. */
    private static final String UNIQUE_VIOLATION = "23505";

    private final EntityManagerFactory emf;
    private final Runnable afterFailure;

    /** @param afterFailure run when the database failed an operation (the pool's connections may be dead) */
    Transactions(EntityManagerFactory emf, Runnable afterFailure) {
        this.emf = emf;
        this.afterFailure = afterFailure;
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
            RuntimeException translated = translate(e);
            if (translated instanceof StoreUnavailableException && !(translated instanceof DuplicateKeyException)) {
                afterFailure.run();
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

    private static RuntimeException translate(RuntimeException e) {
        if (!(e instanceof PersistenceException)) {
            return e;
        }
        if (isUniqueViolation(e)) {
            return new DuplicateKeyException(e);
        }
        return new StoreUnavailableException("database operation failed: " + e.getMessage(), e);
    }

    private static boolean isUniqueViolation(Throwable e) {
        for (Throwable t = e; t != null; t = t.getCause()) {
            if (t instanceof SQLException sql && UNIQUE_VIOLATION.equals(sql.getSQLState())) {
                return true;
            }
        }
        return false;
    }

    /**
     * A unique key was taken, usually by a concurrent transaction. Callers that expect it (create-if-absent) catch
     * it; anywhere else it stays what the ports promise, a {@link StoreUnavailableException}.
     */
    static final class DuplicateKeyException extends StoreUnavailableException {
        private static final long serialVersionUID = 1L;

        DuplicateKeyException(Throwable cause) {
            super("duplicate key: " + cause.getMessage(), cause);
        }
    }
}
