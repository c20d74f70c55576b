package io.cloudpark.app;

import java.net.InetAddress;
import java.net.UnknownHostException;

/**
 * cloudpark's settings (DESIGN §6). Each is read from the environment variable of its name, or from a JVM system
 * property of the same name (which wins), else the documented default. README lists them all.
 */
public record Config(String sipBind, int sipPort, int httpPort, String dbUrl, String dbUser, String dbPassword,
                     String adminPassword, String nodeId, boolean demoTenant, int stuckParkRepairSeconds) {

    public static final String DEFAULT_ADMIN_PASSWORD = "cloudpark-admin";

    public static Config fromEnvironment() {
        return new Config(
                get("CLOUDPARK_BIND", "127.0.0.1"),
                port("CLOUDPARK_SIP_PORT", 5060),
                port("CLOUDPARK_HTTP_PORT", 8080),
                get("CLOUDPARK_DB_URL", "jdbc:h2:file:./data/cloudpark"),
                get("CLOUDPARK_DB_USER", "sa"),
                get("CLOUDPARK_DB_PASSWORD", ""),
                get("CLOUDPARK_ADMIN_PASSWORD", DEFAULT_ADMIN_PASSWORD),
                get("CLOUDPARK_NODE_ID", hostName()),
                Boolean.parseBoolean(get("CLOUDPARK_DEMO_TENANT", "false")),
                positive("CLOUDPARK_STUCK_PARK_REPAIR_SECONDS", 60));
    }

    static String get(String name, String fallback) {
        String value = System.getProperty(name, System.getenv(name));
        return value == null || value.isBlank() ? fallback : value.trim();
    }

    private static int port(String name, int fallback) {
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

    private static int positive(String name, int fallback) {
        String value = get(name, Integer.toString(fallback));
        try {
            int seconds = Integer.parseInt(value);
            if (seconds < 1) {
                throw new NumberFormatException();
            }
            return seconds;
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException(name + " must be a whole number of seconds (1 or more), got: " + value);
        }
    }

    private static String hostName() {
        try {
            return InetAddress.getLocalHost().getHostName();
        } catch (UnknownHostException e) {
            return "node-1";
        }
    }

    /** For logs: every setting but the passwords. */
    @Override
    public String toString() {
        return "sip=" + sipBind + ":" + sipPort + " http=" + httpPort + " db=" + dbUrl + " dbUser=" + dbUser
                + " node=" + nodeId + " demoTenant=" + demoTenant + " stuckParkRepair=" + stuckParkRepairSeconds + "s";
    }
}
