package io.cloudpark.app;

import java.net.InetAddress;
import java.net.UnknownHostException;
import java.util.Arrays;
import java.util.List;
import java.util.function.UnaryOperator;

import io.cloudpark.store.Database;

/**
 * cloudpark's settings (DESIGN §6). Each is read from the deployment's context parameter of its name, else the JVM
 * system property, else the environment variable of that name, else the documented default. README lists them all.
 */
public record Config(String sipBind, int sipPort, int httpPort, String dbUrl, String dbUser, String dbPassword,
                     String adminPassword, String nodeId, boolean demoTenant, int authMaxFailures,
                     int authLockoutSeconds, List<String> allowedOrigins, String nodeSipUri, String kamailioRpc,
                     String digestSecret, int stuckParkRepairSeconds, boolean reparkOnNodeDeath, Events events) {

    /**
     * Live events and webhooks (README "Events and webhooks").
     *
     * @param queue          park events that may wait to be written; past it new ones are dropped
     * @param retentionHours how long events are kept for resuming clients and webhooks
     * @param retentionMax   at most this many events are kept
     * @param pollMillis     how often a node reads the events other nodes wrote
     * @param maxStreams     event streams open at once on this node; more get 503
     * @param webhookAllowedHosts hosts webhooks may be sent to; empty: none (no webhooks); "*": any host but loopback, link-local and
     *                       wildcard addresses
     * @param webhookMaxAttempts attempts per event before a webhook gives it up
     * @param webhookBacklog events a webhook may fall behind by; past it the oldest are skipped
     */
    public record Events(int queue, int retentionHours, int retentionMax, int pollMillis, int maxStreams,
                         List<String> webhookAllowedHosts, int webhookMaxAttempts, int webhookBacklog) { }

    public static final String DEFAULT_ADMIN_PASSWORD = "cloudpark-admin";

    public static Config fromEnvironment() {
        return from(name -> null);
    }

    /**
     * @param deploymentParameter a setting given to this deployment alone (a context parameter of the container's
     *                            context descriptor), which wins over the JVM's system properties and environment
     */
    public static Config from(UnaryOperator<String> deploymentParameter) {
        Settings settings = new Settings(deploymentParameter);
        String bind = settings.get("CLOUDPARK_BIND", "127.0.0.1");
        int sipPort = settings.port("CLOUDPARK_SIP_PORT", 5060);
        return new Config(
                bind,
                sipPort,
                settings.port("CLOUDPARK_HTTP_PORT", 8080),
                settings.get("CLOUDPARK_DB_URL", "jdbc:h2:file:./data/cloudpark"),
                settings.get("CLOUDPARK_DB_USER", "sa"),
                settings.get("CLOUDPARK_DB_PASSWORD", ""),
                settings.get("CLOUDPARK_ADMIN_PASSWORD", DEFAULT_ADMIN_PASSWORD),
                settings.get("CLOUDPARK_NODE_ID", hostName()),
                Boolean.parseBoolean(settings.get("CLOUDPARK_DEMO_TENANT", "false")),
                settings.number("CLOUDPARK_AUTH_MAX_FAILURES", 5, 1, 1000),
                settings.number("CLOUDPARK_AUTH_LOCKOUT_SECONDS", 60, 1, 86_400),
                Arrays.stream(settings.get("CLOUDPARK_ALLOWED_ORIGINS", "").split(",")).map(String::trim)
                        .filter(origin -> !origin.isEmpty()).toList(),
                // what the load balancer's dispatcher list names this node by
                settings.get("CLOUDPARK_NODE_SIP_URI", "sip:" + bind + ":" + sipPort),
                // Kamailio's JSON-RPC URL (e.g. http://127.0.0.1:5099/RPC): off unless the operator sets it
                settings.get("CLOUDPARK_KAMAILIO_RPC", ""),
                // shared by every node so a nonce one issues is good on all; empty: a random one per node
                settings.get("CLOUDPARK_DIGEST_SECRET", ""),
                settings.number("CLOUDPARK_STUCK_PARK_REPAIR_SECONDS", 60, 1, 86_400),
                // this node's parked calls are moved to a survivor if it dies (through Kamailio), not failed
                Boolean.parseBoolean(settings.get("CLOUDPARK_REPARK_ON_NODE_DEATH", "true")),
                new Events(settings.number("CLOUDPARK_EVENTS_QUEUE", 10_000, 1, 1_000_000),
                        settings.number("CLOUDPARK_EVENTS_RETENTION_HOURS", 24, 1, 24 * 90),
                        settings.number("CLOUDPARK_EVENTS_RETENTION_MAX", 100_000, 1, 100_000_000),
                        settings.number("CLOUDPARK_EVENTS_POLL_MS", 500, 50, 60_000),
                        settings.number("CLOUDPARK_EVENT_STREAMS_MAX", 200, 1, 100_000),
                        Arrays.stream(settings.get("CLOUDPARK_WEBHOOK_ALLOWED_HOSTS", "").split(",")).map(String::trim)
                                .filter(host -> !host.isEmpty()).map(host -> host.toLowerCase(java.util.Locale.ROOT)).toList(),
                        settings.number("CLOUDPARK_WEBHOOK_MAX_ATTEMPTS", 10, 1, 100),
                        settings.number("CLOUDPARK_WEBHOOK_BACKLOG", 1_000, 1, 1_000_000)));
    }

    private record Settings(UnaryOperator<String> deploymentParameter) {
        String get(String name, String fallback) {
            String value = deploymentParameter.apply(name);
            if (value == null || value.isBlank()) {
                value = System.getProperty(name, System.getenv(name));
            }
            return value == null || value.isBlank() ? fallback : value.trim();
        }

        int port(String name, int fallback) {
            String value = get(name, Integer.toString(fallback));
            try {
                int port = Integer.parseInt(value);
                if (port < 1 || port > 65_535) {
                    throw new NumberFormatException();
                }
                return port;
            } catch (NumberFormatException e) {
                throw new IllegalArgumentException(name + " must be a port number (1-65535), got: " + value);
            }
        }

        int number(String name, int fallback, int min, int max) {
            String value = get(name, Integer.toString(fallback));
            try {
                int number = Integer.parseInt(value);
                if (number < min || number > max) {
                    throw new NumberFormatException();
                }
                return number;
            } catch (NumberFormatException e) {
                throw new IllegalArgumentException(name + " must be a whole number from " + min + " to " + max
                        + ", got: " + value);
            }
        }
    }

    private static String hostName() {
        try {
            return InetAddress.getLocalHost().getHostName();
        } catch (UnknownHostException e) {
            return "node-1";
        }
    }

    /**
     * For logs: every setting but the passwords, the digest secret and the embedded launcher's ports, which a
     * container does not use (the launcher logs them itself; {@link ServedPorts} says what a container serves).
     */
    @Override
    public String toString() {
        return "db=" + Database.redact(dbUrl) + " dbUser=" + dbUser + " node=" + nodeId + " nodeSipUri=" + nodeSipUri
                + " kamailioRpc=" + (kamailioRpc.isEmpty() ? "off" : kamailioRpc.replaceFirst("//[^/@]*@", "//***@"))
                + " digestSecret=" + (digestSecret.isEmpty() ? "per-node" : "shared") + " demoTenant=" + demoTenant
                + " authMaxFailures=" + authMaxFailures + " authLockoutSeconds=" + authLockoutSeconds
                + " allowedOrigins=" + allowedOrigins + " stuckParkRepair=" + stuckParkRepairSeconds + "s"
                + " reparkOnNodeDeath=" + reparkOnNodeDeath
                + " events=" + events;
    }
}
