package io.cloudpark.store;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.SQLException;
import java.sql.ResultSet;
import java.time.Instant;
import java.time.LocalDateTime;
import java.time.ZoneOffset;
import java.util.function.BooleanSupplier;

import javax.sql.DataSource;

/**
 * Plain JDBC transactions on the pool, for the statements on the SIP path, where Hibernate's session, persistence
 * context and flush cost more than they give. Failures are translated as {@link Transactions} does, with the same
 * consequence for the pool. Instants are UTC wall-clock time, as Hibernate writes them ({@code hibernate.jdbc.time_zone}).
 */
final class Jdbc {
    /** One transaction's work on its connection. */
    interface Work<T> {
        T apply(Connection connection) throws SQLException;
    }

    private final DataSource pool;
    private final Runnable connectionsMayBeLost;
    private final BooleanSupplier poolConnected;

    Jdbc(DataSource pool, Runnable connectionsMayBeLost, BooleanSupplier poolConnected) {
        this.pool = pool;
        this.connectionsMayBeLost = connectionsMayBeLost;
        this.poolConnected = poolConnected;
    }

    <T> T call(Work<T> work) {
        try (Connection connection = pool.getConnection()) {
            connection.setAutoCommit(false);
            try {
                T result = work.apply(connection);
                connection.commit();
                return result;
            } catch (SQLException | RuntimeException e) {
                rollback(connection, e);
                throw e;
            }
        } catch (SQLException e) {
            RuntimeException translated = Transactions.translate(e, false, poolConnected);
            if (Transactions.connectionsMayBeLost(translated)) {
                connectionsMayBeLost.run();
            }
            throw translated;
        }
    }

    private static void rollback(Connection connection, Exception cause) {
        try {
            connection.rollback();
        } catch (SQLException rollbackFailed) {
            cause.addSuppressed(rollbackFailed);
        }
    }

    static void setInstant(PreparedStatement statement, int index, Instant instant) throws SQLException {
        statement.setObject(index, LocalDateTime.ofInstant(instant, ZoneOffset.UTC));
    }

    static Instant getInstant(ResultSet row, String column) throws SQLException {
        return row.getObject(column, LocalDateTime.class).toInstant(ZoneOffset.UTC);
    }
}
