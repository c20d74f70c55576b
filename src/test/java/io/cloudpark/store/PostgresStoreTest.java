package io.cloudpark.store;

import java.sql.Connection;
import java.sql.Statement;

import io.zonky.test.db.postgres.embedded.EmbeddedPostgres;

/** The store contract on a real PostgreSQL 16 server, started from the binaries in the test dependencies. */
class PostgresStoreTest extends StoreContract {
    private EmbeddedPostgres postgres;

    @Override
    void startBackend() throws Exception {
        postgres = EmbeddedPostgres.start();
    }

    @Override
    void stopBackend() throws Exception {
        if (postgres != null) {
            postgres.close();
        }
    }

    @Override
    String createDatabase(String name) throws Exception {
        admin("create database " + name);
        return postgres.getJdbcUrl("postgres", name);
    }

    @Override
    void destroyDatabase(String name) throws Exception {
        admin("drop database " + name + " with (force)");
    }

    @Override
    String user() {
        return "postgres";
    }

    @Override
    String sessionsWaitingForALock() {
        return "select count(*) from pg_stat_activity where wait_event_type = 'Lock' and datname = current_database()";
    }

    private void admin(String sql) throws Exception {
        try (Connection c = postgres.getPostgresDatabase().getConnection(); Statement s = c.createStatement()) {
            s.execute(sql);
        }
    }
}
