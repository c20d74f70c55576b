package io.cloudpark.app;

import java.io.IOException;
import java.io.InputStream;
import java.time.Clock;
import java.time.Duration;
import java.util.Optional;
import java.util.Properties;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

import javax.servlet.ServletContext;

import org.apache.log4j.Logger;

import io.prometheus.client.Counter;

import io.cloudpark.account.Accounts;
import io.cloudpark.account.LoginThrottle;
import io.cloudpark.audit.AuditLog;
import io.cloudpark.cluster.Cluster;
import io.cloudpark.events.EventFeed;
import io.cloudpark.events.EventWriter;
import io.cloudpark.jmx.ConsoleBeans;
import io.cloudpark.park.ParkService;
import io.cloudpark.store.Database;

/**
 * Everything one deployment of cloudpark shares between its SIP and HTTP sides: the configuration, the store, the
 * park service, the timers and the counters. Created when the application starts, closed when it stops.
 */
public final class CloudparkApp {
    private static final Logger LOG = Logger.getLogger(CloudparkApp.class);
    static final String ATTRIBUTE = CloudparkApp.class.getName();

    private final Config config;
    private final Database database;
    private final Clock clock = Clock.systemUTC();
    private final ParkService parkService;
    private final EventFeed eventFeed;
    private final EventWriter eventWriter;
    private final Cluster cluster;
    private final ScheduledExecutorService scheduler;
    private final Metrics metrics;
    private final Accounts accounts;
    private final LoginThrottle loginThrottle;
    private final AuditLog audit;
    private volatile boolean draining;
    private volatile OperatorHangup operatorHangup = (tenant, parkId) -> false;
    private Optional<ConsoleBeans> consoleBeans = Optional.empty();

    private CloudparkApp(Config config, Database database, Metrics metrics) {
        this.config = config;
        this.database = database;
        this.metrics = metrics;
        this.eventFeed = new EventFeed(database.parkEvents(), clock, Duration.ofMillis(config.events().pollMillis()));
        Counter dropped = Counter.build("cloudpark_events_dropped", "Park events not recorded: the event queue was full")
                .register(metrics.registry());
        this.eventWriter = new EventWriter(database.parkEvents(), config.events().queue(), eventFeed::recorded, dropped::inc);
        this.parkService = new ParkService(database.tenants(), database.parkedCalls(), clock, config.nodeId(), eventWriter);
        this.accounts = new Accounts(database.accounts(), clock);
        this.loginThrottle = new LoginThrottle(config.authMaxFailures(), Duration.ofSeconds(config.authLockoutSeconds()), clock);
        this.audit = new AuditLog(database.audit(), clock);
        AtomicInteger threads = new AtomicInteger();
        this.scheduler = Executors.newScheduledThreadPool(2, task -> {
            Thread t = new Thread(task, "cloudpark-timer-" + threads.incrementAndGet());
            t.setDaemon(true);
            return t;
        });
        ExpiredBindingsPurge.schedule(scheduler, database.registrations(), clock);
        scheduler.scheduleWithFixedDelay(this::pruneEvents, 1, 1, TimeUnit.MINUTES);
        this.cluster = new Cluster(database.nodes(), clock, config.nodeId(), config.nodeSipUri());
        cluster.heartbeat(); // alive before it serves: a retrieve redirected here must not find it dead
        scheduler.scheduleWithFixedDelay(this::heartbeat, Cluster.HEARTBEAT_EVERY.toMillis(),
                Cluster.HEARTBEAT_EVERY.toMillis(), TimeUnit.MILLISECONDS);
        metrics.gauge("cloudpark_cluster_nodes", "Nodes that ever ran on this database (-1: database unavailable)",
                () -> nodeCount(false));
        metrics.gauge("cloudpark_cluster_nodes_alive", "Nodes whose heartbeat is recent, as this node sees them",
                () -> nodeCount(true));
    }

    private long nodeCount(boolean aliveOnly) {
        try {
            return cluster.all().stream().filter(node -> !aliveOnly || cluster.isAlive(node)).count();
        } catch (RuntimeException e) {
            return -1;
        }
    }

    /** Events are kept CLOUDPARK_EVENTS_RETENTION_HOURS, and at most CLOUDPARK_EVENTS_RETENTION_MAX of them. */
    private void pruneEvents() {
        try {
            int pruned = database.parkEvents().prune(clock.instant().minus(Duration.ofHours(config.events().retentionHours())),
                    config.events().retentionMax());
            if (pruned > 0) {
                LOG.debug(pruned + " old park events pruned");
            }
        } catch (RuntimeException e) {
            LOG.warn("park events not pruned: " + e.getMessage());
        }
    }

    private void heartbeat() {
        try {
            cluster.heartbeat();
        } catch (RuntimeException e) {
            LOG.warn("heartbeat not recorded: " + e.getMessage());
        }
    }

    static CloudparkApp start(Config config) {
        LOG.info("starting cloudpark: " + config);
        Metrics metrics = new Metrics();
        Database database = Database.open(config.dbUrl(), config.dbUser(), config.dbPassword(), metrics.registry());
        if (config.demoTenant()) {
            DemoTenant.seedIfEmpty(database.tenants());
        }
        CloudparkApp app = new CloudparkApp(config, database, metrics);
        try {
            app.accounts.bootstrapOperator(config.adminPassword());
        } catch (RuntimeException e) {
            app.stop();
            throw e;
        }
        app.consoleBeans = ConsoleBeans.register(app);
        return app;
    }

    void stop() {
        consoleBeans.ifPresent(ConsoleBeans::close);
        scheduler.shutdownNow();
        eventWriter.close();
        eventFeed.close();
        database.close();
    }

    /** This build's version, from version.properties. */
    public String version() {
        try (InputStream in = CloudparkApp.class.getResourceAsStream("version.properties")) {
            Properties properties = new Properties();
            if (in != null) {
                properties.load(in);
            }
            return properties.getProperty("version", "unknown");
        } catch (IOException e) {
            return "unknown";
        }
    }

    public static CloudparkApp of(ServletContext context) {
        CloudparkApp app = (CloudparkApp) context.getAttribute(ATTRIBUTE);
        if (app == null) {
            throw new IllegalStateException("cloudpark did not start: see the log");
        }
        return app;
    }

    public Config config() {
        return config;
    }

    public Database database() {
        return database;
    }

    public Clock clock() {
        return clock;
    }

    public ParkService parkService() {
        return parkService;
    }

    /** Every node's park events as they are recorded, for the event streams and webhooks. */
    public EventFeed eventFeed() {
        return eventFeed;
    }

    public Cluster cluster() {
        return cluster;
    }

    /** A draining node tells the load balancer (OPTIONS 503) to send it nothing new; its calls go on. */
    public boolean draining() {
        return draining;
    }

    public void draining(boolean on) {
        LOG.info(on ? "draining: the load balancer sends this node nothing new" : "serving again");
        draining = on;
    }

    public ScheduledExecutorService scheduler() {
        return scheduler;
    }

    public Metrics metrics() {
        return metrics;
    }

    public Accounts accounts() {
        return accounts;
    }

    /** Failed sign-ins to the admin API, per user name and address. */
    public LoginThrottle loginThrottle() {
        return loginThrottle;
    }

    /** Where every adapter records the changes it makes. */
    public AuditLog audit() {
        return audit;
    }

    /** How the admin API hangs up a parked call: the SIP side installs it when it starts. */
    public OperatorHangup operatorHangup() {
        return operatorHangup;
    }

    public void operatorHangup(OperatorHangup hangup) {
        operatorHangup = hangup;
    }
}
