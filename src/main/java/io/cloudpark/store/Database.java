package io.cloudpark.store;

import java.sql.Connection;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Clock;
import java.time.Duration;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ThreadFactory;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.regex.Pattern;

import javax.persistence.EntityManagerFactory;

import org.apache.log4j.Logger;
import org.flywaydb.core.Flyway;
import org.hibernate.jpa.HibernatePersistenceProvider;

import com.zaxxer.hikari.HikariConfig;
import com.zaxxer.hikari.HikariDataSource;
import com.zaxxer.hikari.metrics.prometheus.PrometheusHistogramMetricsTrackerFactory;

import io.prometheus.client.CollectorRegistry;

import io.cloudpark.account.AccountStore;
import io.cloudpark.audit.AuditStore;
import io.cloudpark.cluster.NodeStore;
import io.cloudpark.events.WebhookStore;
import io.cloudpark.park.ParkEventStore;
import io.cloudpark.park.ParkedCallStore;
import io.cloudpark.park.StoreUnavailableException;
import io.cloudpark.tenant.RegistrationStore;
import io.cloudpark.tenant.TenantDirectory;

/**
 * The application's database: a connection pool, the schema brought up to date by Flyway, and the JPA stores on
 * top. One per application; H2 (embedded, file or memory) and PostgreSQL are supported. H2 creates the directory of
 * a file database itself, so {@code jdbc:h2:file:./data/cloudpark} works on a first start.
 */
public final class Database implements AutoCloseable {
    private static final Logger LOG = Logger.getLogger(Database.class);

    static final int POOL_SIZE = 10;
    private static final Duration POOL_THREADS_END_WAIT = Duration.ofSeconds(5);
    /**
     * How long a store call waits for a pooled connection before it reports the store busy: less than SIP's T1
     * (500 ms), so a SIP thread that cannot get one answers (480) before the phone retransmits, instead of queueing
     * behind the others. 250 ms is the least Hikari takes.
     */
    static final long CONNECTION_TIMEOUT_MS = 400;
    /** Hikari wants it below the connection timeout; 250 ms is its least. */
    private static final long VALIDATION_TIMEOUT_MS = 250;
    /** Row-lock waits are short in normal operation; a stuck one fails the call instead of hanging it. */
    private static final int LOCK_TIMEOUT_MS = 5_000;
    private static final int REACHABILITY_QUERY_TIMEOUT_SECONDS = 2;
    private static final Pattern PASSWORD_IN_URL = Pattern.compile("(?i)(password=)[^&;]*");

    private final HikariDataSource pool;
    private final PoolThreads poolThreads;
    private final EntityManagerFactory emf;
    private final TenantDirectory tenants;
    private final RegistrationStore registrations;
    private final ParkedCallStore parkedCalls;
    private final AccountStore accounts;
    private final AuditStore audit;
    private final NodeStore nodes;
    private final ParkEventStore parkEvents;
    private final WebhookStore webhooks;

    private Database(HikariDataSource pool, PoolThreads poolThreads, EntityManagerFactory emf, Clock clock,
                     Backend backend) {
        this.pool = pool;
        this.poolThreads = poolThreads;
        this.emf = emf;
        Transactions tx = new Transactions(emf, this::connectionsMayBeLost, this::poolConnected);
        this.tenants = new CachedTenantDirectory(new JpaTenantDirectory(tx), clock);
        Jdbc jdbc = new Jdbc(pool, this::connectionsMayBeLost, this::poolConnected);
        this.registrations = new CachedRegistrationStore(new JpaRegistrationStore(tx), jdbc, clock);
        Returning returning = backend == Backend.POSTGRESQL ? Returning.POSTGRESQL : Returning.H2;
        this.parkedCalls = new JpaParkedCallStore(tx, jdbc, returning);
        this.accounts = new JpaAccountStore(tx);
        this.audit = new JpaAuditStore(tx);
        this.nodes = new JpaNodeStore(tx, pool, backend == Backend.POSTGRESQL);
        this.parkEvents = new JdbcParkEventStore(jdbc, returning);
        this.webhooks = new JpaWebhookStore(tx);
    }

    /**
     * Connects, migrates the schema and starts JPA.
     *
     * @throws StoreUnavailableException when the database cannot be reached
     * @throws IllegalArgumentException  for a URL that is neither H2 nor PostgreSQL
     */
    public static Database open(String jdbcUrl, String user, String password) {
        return open(jdbcUrl, user, password, Clock.systemUTC(), null);
    }

    /** @param poolMetrics where the pool registers its metrics (connections, wait and usage times) */
    public static Database open(String jdbcUrl, String user, String password, CollectorRegistry poolMetrics) {
        return open(jdbcUrl, user, password, Clock.systemUTC(), poolMetrics);
    }

    /** @param clock what the tenant cache's expiry is measured with */
    static Database open(String jdbcUrl, String user, String password, Clock clock) {
        return open(jdbcUrl, user, password, clock, null);
    }

    private static Database open(String jdbcUrl, String user, String password, Clock clock, CollectorRegistry poolMetrics) {
        Objects.requireNonNull(jdbcUrl, "jdbcUrl");
        Backend backend = Backend.of(jdbcUrl);
        HikariDataSource pool;
        PoolThreads poolThreads = new PoolThreads();
        try {
            HikariConfig config = poolConfig(jdbcUrl, user, password, backend);
            config.setThreadFactory(poolThreads);
            if (poolMetrics != null) {
                config.setMetricsTrackerFactory(new PrometheusHistogramMetricsTrackerFactory(poolMetrics));
            }
            pool = new HikariDataSource(config);
        } catch (RuntimeException e) {
            throw new StoreUnavailableException("cannot connect to " + redact(jdbcUrl) + ": " + e.getMessage(), e);
        }
        try {
            Flyway.configure(Database.class.getClassLoader())
                    .dataSource(pool)
                    .locations("classpath:db/migration")
                    .load()
                    .migrate();
            EntityManagerFactory emf = new HibernatePersistenceProvider()
                    .createContainerEntityManagerFactory(new StorePersistenceUnit(pool), Map.of(
                            "hibernate.dialect", backend.dialect,
                            "hibernate.hbm2ddl.auto", "validate",
                            // with plain TIMESTAMP columns this makes every instant UTC wall-clock time in the database
                            "hibernate.jdbc.time_zone", "UTC",
                            // PostgreSQL's driver has no createClob(); without this Hibernate logs a stack trace at boot
                            "hibernate.jdbc.lob.non_contextual_creation", "true"));
            LOG.info("database open: " + redact(jdbcUrl));
            return new Database(pool, poolThreads, emf, clock, backend);
        } catch (RuntimeException e) {
            pool.close();
            throw e;
        }
    }

    public TenantDirectory tenants() {
        return tenants;
    }

    public RegistrationStore registrations() {
        return registrations;
    }

    public ParkedCallStore parkedCalls() {
        return parkedCalls;
    }

    public AccountStore accounts() {
        return accounts;
    }

    public AuditStore audit() {
        return audit;
    }

    public NodeStore nodes() {
        return nodes;
    }

    public ParkEventStore parkEvents() {
        return parkEvents;
    }

    public WebhookStore webhooks() {
        return webhooks;
    }

    /** Whether a trivial query on our schema answers within a few seconds: for the health check. */
    public boolean isReachable() {
        try (Connection connection = pool.getConnection(); Statement statement = connection.createStatement()) {
            statement.setQueryTimeout(REACHABILITY_QUERY_TIMEOUT_SECONDS);
            // our schema, not just a connection: an H2 file deleted under us would come back empty
            statement.execute("select 1 from tenant where 1 = 0");
            return true;
        } catch (SQLException | RuntimeException e) {
            LOG.debug("database not reachable", e);
            retireConnections();
            return false;
        }
    }

    /** Whether the pool holds open connections (in use or idle) now. */
    private boolean poolConnected() {
        return !pool.isClosed() && pool.getHikariPoolMXBean() != null && pool.getHikariPoolMXBean().getTotalConnections() > 0;
    }

    /** A store call failed without the database giving a reason it is busy or refusing the data. */
    private void connectionsMayBeLost() {
        LOG.warn("database operation failed: retiring the pooled connections");
        retireConnections();
    }

    /**
     * After a database failure the pooled connections may all be dead (a restarted server), and Hikari only notices
     * by SQL state 08xxx, which H2 does not use: retire them all, so the next request gets a fresh connection.
     */
    private void retireConnections() {
        if (!pool.isClosed() && pool.getHikariPoolMXBean() != null) {
            pool.getHikariPoolMXBean().softEvictConnections();
        }
    }

    /** Closes JPA and the pool; later store calls throw {@link StoreUnavailableException}. */
    @Override
    public void close() {
        if (emf.isOpen()) {
            emf.close();
        }
        pool.close();
        poolThreads.awaitEnd(POOL_THREADS_END_WAIT);
    }

    /**
     * The pool's own threads (housekeeper, connection adder and closer). Hikari asks them to stop on close but does
     * not wait for the last to end: an undeploy must leave none behind, so close waits for them, boundedly.
     */
    private static final class PoolThreads implements ThreadFactory {
        private final Set<Thread> started = ConcurrentHashMap.newKeySet();
        private final AtomicInteger count = new AtomicInteger();

        @Override
        public Thread newThread(Runnable task) {
            Thread thread = new Thread(task, "cloudpark-db-pool-" + count.incrementAndGet());
            thread.setDaemon(true);
            started.add(thread);
            return thread;
        }

        void awaitEnd(Duration bound) {
            long deadline = System.nanoTime() + bound.toNanos();
            for (Thread thread : started) {
                long left = deadline - System.nanoTime();
                try {
                    if (left > 0) {
                        thread.join(Math.max(1, left / 1_000_000));
                    }
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    return;
                }
                if (thread.isAlive()) {
                    LOG.warn("database pool thread " + thread.getName() + " still running after close");
                }
            }
            started.clear();
        }
    }

    private static HikariConfig poolConfig(String jdbcUrl, String user, String password, Backend backend) {
        HikariConfig config = new HikariConfig();
        config.setPoolName("cloudpark-db");
        config.setJdbcUrl(backend == Backend.H2 ? withQueryCache(jdbcUrl) : jdbcUrl);
        // under Tomcat, DriverManager never sees drivers in WEB-INF/lib ("No suitable driver"): name the class
        config.setDriverClassName(backend.driverClass);
        config.setUsername(user);
        config.setPassword(password);
        config.setMaximumPoolSize(POOL_SIZE);
        config.setConnectionTimeout(CONNECTION_TIMEOUT_MS);
        config.setValidationTimeout(VALIDATION_TIMEOUT_MS);
        config.setConnectionInitSql(backend.lockTimeoutSql);
        return config;
    }

    /**
     * H2 keeps the parsed form of only 8 statements per connection by default; the park path alone rotates through
     * more than that on every pooled connection, so each statement was parsed again every time (a quarter of H2's
     * CPU, and parser code the JIT kept recompiling). PostgreSQL's driver keeps 256 prepared per connection.
     */
    private static String withQueryCache(String jdbcUrl) {
        return jdbcUrl.toUpperCase(Locale.ROOT).contains(";QUERY_CACHE_SIZE=") ? jdbcUrl
                : jdbcUrl + ";QUERY_CACHE_SIZE=" + H2_QUERY_CACHE_SIZE;
    }

    /** The URL as it may appear in a log: PostgreSQL URLs can carry the password. */
    public static String redact(String jdbcUrl) {
        return PASSWORD_IN_URL.matcher(jdbcUrl).replaceAll("$1***");
    }

    private static final int H2_QUERY_CACHE_SIZE = 64;

    private enum Backend {
        H2("org.h2.Driver", "org.hibernate.dialect.H2Dialect", "SET LOCK_TIMEOUT " + LOCK_TIMEOUT_MS),
        POSTGRESQL("org.postgresql.Driver", "org.hibernate.dialect.PostgreSQL10Dialect", "SET lock_timeout = " + LOCK_TIMEOUT_MS);

        final String driverClass;
        final String dialect;
        final String lockTimeoutSql;

        Backend(String driverClass, String dialect, String lockTimeoutSql) {
            this.driverClass = driverClass;
            this.dialect = dialect;
            this.lockTimeoutSql = lockTimeoutSql;
        }

        static Backend of(String jdbcUrl) {
            if (jdbcUrl.startsWith("jdbc:h2:")) {
                return H2;
            }
            if (jdbcUrl.startsWith("jdbc:postgresql:")) {
                return POSTGRESQL;
            }
            throw new IllegalArgumentException("not an H2 or PostgreSQL JDBC URL: " + redact(jdbcUrl));
        }
    }
}
