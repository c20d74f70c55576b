package io.cloudpark.store;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.sql.SQLException;
import java.sql.SQLTransientConnectionException;

import org.junit.jupiter.api.Test;

import io.cloudpark.park.StoreBusyException;
import io.cloudpark.park.StoreUnavailableException;

/** How a failure of the pool itself is read, with the exceptions HikariCP 5.1 builds. */
class TransactionsTest {

    /**
     * The soak's lost calls: Hikari found one idle connection dead and replaced it; its failure stays the pool's
     * "last connection failure", so a timeout moments later names it as the cause, though the pool's other nine
     * connections were open and merely in use. Read as an outage, every pooled connection was retired, and the SIP
     * threads then queued behind one new connection.
     */
    @Test
    void aTimeoutNamingAnIdleConnectionFoundDeadEarlierIsBusyWhileConnectionsAreOpen() {
        SQLException validationFailure = new SQLException("This connection has been closed.", "08003");
        SQLException timeout = hikariTimeout(validationFailure);

        RuntimeException translated = Transactions.translate(timeout, false, () -> true);

        assertInstanceOf(StoreBusyException.class, translated);
        assertFalse(Transactions.connectionsMayBeLost(translated), "a busy pool keeps its connections");
    }

    @Test
    void aTimeoutWithNoConnectionOpenIsTheDatabaseUnreachable() {
        SQLException refused = new SQLException("Connection to 127.0.0.1:5432 refused.", "08001");

        RuntimeException translated = Transactions.translate(hikariTimeout(refused), false, () -> false);

        assertInstanceOf(StoreUnavailableException.class, translated);
        assertFalse(translated instanceof StoreBusyException);
        assertTrue(Transactions.connectionsMayBeLost(translated));
    }

    @Test
    void aTimeoutWithoutACauseIsBusyWhileConnectionsAreOpen() {
        RuntimeException translated = Transactions.translate(hikariTimeout(null), false, () -> true);

        assertInstanceOf(StoreBusyException.class, translated);
    }

    /** As {@code HikariPool.createTimeoutException}: the last connection failure is the cause, its SQLSTATE copied. */
    private static SQLException hikariTimeout(SQLException lastConnectionFailure) {
        return new SQLTransientConnectionException(
                "cloudpark-db - Connection is not available, request timed out after 404ms (total=9, active=9, idle=0, waiting=4)",
                lastConnectionFailure == null ? null : lastConnectionFailure.getSQLState(), lastConnectionFailure);
    }
}
