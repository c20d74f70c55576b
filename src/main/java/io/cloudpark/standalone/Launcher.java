package io.cloudpark.standalone;

import java.nio.file.Path;
import java.nio.file.Paths;

import org.apache.log4j.Logger;
import org.mobicents.servlet.sip.startup.SipStandardContext;

import io.cloudpark.app.Config;

/**
 * {@code java -jar target/cloudpark-standalone.jar}: the embedded container with cloudpark deployed at "/", an H2
 * database under ./data and the demo tenant. Exits non-zero, with a message, when it cannot serve.
 */
public final class Launcher {
    private static final Logger LOG = Logger.getLogger(Launcher.class);

    private Launcher() {
    }

    public static void main(String[] args) {
        if (System.getenv("CLOUDPARK_DEMO_TENANT") == null && System.getProperty("CLOUDPARK_DEMO_TENANT") == null) {
            System.setProperty("CLOUDPARK_DEMO_TENANT", "true");
        }
        EmbeddedContainer container = null;
        try {
            Config config = Config.fromEnvironment();
            Path home = standaloneHome();
            container = new EmbeddedContainer(Paths.get("data", "container").toAbsolutePath(), home.resolve("conf"),
                    config.sipBind(), config.sipPort(), config.httpPort());
            container.start();
            SipStandardContext app = container.deploy("", home.resolve("webapp"));
            if (!app.getState().isAvailable()) {
                throw new IllegalStateException("the cloudpark application did not start (see the log above)");
            }
            LOG.info("cloudpark ready: SIP udp+tcp " + config.sipBind() + ":" + config.sipPort() + ", admin API http://"
                    + config.sipBind() + ":" + config.httpPort() + "/api, " + config);
            EmbeddedContainer running = container;
            Runtime.getRuntime().addShutdownHook(new Thread(() -> stopQuietly(running), "cloudpark-shutdown"));
        } catch (Exception e) {
            System.err.println("cloudpark cannot start: " + e.getMessage());
            LOG.error("start-up failed", e);
            if (container != null) {
                stopQuietly(container);
            }
            System.exit(1); // the SIP stack's threads are not daemons: the JVM would otherwise hang half-started
        }
    }

    /** target/standalone next to the launcher jar (or next to target/classes when run from the build tree). */
    private static Path standaloneHome() throws Exception {
        Path codeSource = Paths.get(Launcher.class.getProtectionDomain().getCodeSource().getLocation().toURI());
        return codeSource.getParent().resolve("standalone");
    }

    private static void stopQuietly(EmbeddedContainer container) {
        try {
            container.stop();
        } catch (Exception e) {
            LOG.warn("stop: " + e.getMessage());
        }
    }
}
