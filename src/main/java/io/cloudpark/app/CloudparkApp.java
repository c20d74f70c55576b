package io.cloudpark.app;

import java.time.Clock;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

import javax.servlet.ServletContext;

import org.apache.log4j.Logger;

import io.cloudpark.cluster.Cluster;
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
    private final Cluster cluster;
    private final ScheduledExecutorService scheduler;
    private final Metrics metrics = new Metrics();
    private volatile boolean draining;
    private volatile OperatorHangup operatorHangup = (tenant, parkId) -> false;

    private CloudparkApp(Config config, Database database) {
        this.config = config;
        this.database = database;
        this.parkService = new ParkService(database.tenants(), database.parkedCalls(), clock, config.nodeId());
        AtomicInteger threads = new AtomicInteger();
        this.scheduler = Executors.newScheduledThreadPool(2, task -> {
            Thread t = new Thread(task, "cloudpark-timer-" + threads.incrementAndGet());
            t.setDaemon(true);
            return t;
        });
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

    private void heartbeat() {
        try {
            cluster.heartbeat();
        } catch (RuntimeException e) {
            LOG.warn("heartbeat not recorded: " + e.getMessage());
        }
    }

    static CloudparkApp start(Config config) {
        LOG.info("starting cloudpark: " + config);
        Database database = Database.open(config.dbUrl(), config.dbUser(), config.dbPassword());
        if (config.demoTenant()) {
            DemoTenant.seedIfEmpty(database.tenants());
        }
        return new CloudparkApp(config, database);
    }

    void stop() {
        scheduler.shutdownNow();
        database.close();
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

    /** How the admin API hangs up a parked call: the SIP side installs it when it starts. */
    public OperatorHangup operatorHangup() {
        return operatorHangup;
    }

    public void operatorHangup(OperatorHangup hangup) {
        operatorHangup = hangup;
    }
}
