package io.cloudpark.bench.floor;

import java.nio.file.Path;
import java.nio.file.Paths;

import org.mobicents.servlet.sip.startup.SipStandardContext;

import io.cloudpark.standalone.EmbeddedContainer;

/**
 * Starts the benchmark floor in the very container cloudpark's standalone launcher uses (same class, same stack
 * settings), listening where CLOUDPARK_BIND / CLOUDPARK_SIP_PORT / CLOUDPARK_HTTP_PORT say.
 * Arguments: the conf directory (dar.properties routing to "floor", and cloudpark's sip-stack.properties) and the
 * exploded floor webapp.
 */
public final class FloorLauncher {
    private FloorLauncher() {
    }

    public static void main(String[] args) throws Exception {
        String bind = env("CLOUDPARK_BIND", "127.0.0.1");
        int sipPort = Integer.parseInt(env("CLOUDPARK_SIP_PORT", "5060"));
        int httpPort = Integer.parseInt(env("CLOUDPARK_HTTP_PORT", "8080"));
        EmbeddedContainer container = new EmbeddedContainer(Paths.get("data", "container").toAbsolutePath(),
                Path.of(args[0]), bind, sipPort, httpPort);
        try {
            container.start();
            SipStandardContext app = container.deploy("", Path.of(args[1]));
            if (!app.getState().isAvailable()) {
                throw new IllegalStateException("the floor application did not start");
            }
        } catch (Exception e) {
            System.err.println("floor cannot start: " + e);
            System.exit(1);
        }
        Runtime.getRuntime().addShutdownHook(new Thread(() -> {
            try {
                container.stop();
            } catch (Exception e) {
                // stopping anyway
            }
        }));
        System.out.println("floor ready: SIP udp+tcp " + bind + ":" + sipPort);
    }

    private static String env(String name, String fallback) {
        String value = System.getenv(name);
        return value == null || value.isBlank() ? fallback : value;
    }
}
