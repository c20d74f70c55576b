package io.cloudpark.testing;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.ConnectException;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Predicate;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

/**
 * A real softphone for the interop tests: Debian's {@code baresip} (baresip-core), headless, driven through its
 * {@code ctrl_tcp} module (netstring-framed JSON commands; answers and events come back the same way). Each instance
 * has its own configuration directory under {@code target/} and three loopback ports from the base it is given: SIP
 * (UDP and TCP; TLS takes the next one, which baresip binds on its own), ctrl_tcp at +5 and the {@code cons} console at
 * +6, where baresip prints what its UI shows: that is where a received MESSAGE appears, since baresip 1.0's ctrl_tcp
 * has no event for it. Fails, never skips, when baresip is not installed.
 */
public final class Baresip implements AutoCloseable {
    public static final String BINARY = "/usr/bin/baresip";
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final long DEFAULT_WAIT_MS = 10_000;

    private final Path dir;
    private final int sipPort;
    private final int ctrlPort;
    private final int consPort;
    private Process process;
    private Socket ctrl;
    private Socket console;
    private final List<JsonNode> events = new ArrayList<>();
    private final List<JsonNode> answers = new ArrayList<>();
    private final StringBuilder screen = new StringBuilder();
    private final AtomicLong tokens = new AtomicLong();

    /** A baresip using {@code basePort} to {@code basePort + 6} (7 ports of the test's free range). */
    public Baresip(String name, int basePort) {
        this.dir = Path.of("target", "baresip", name).toAbsolutePath();
        this.sipPort = basePort;
        this.ctrlPort = basePort + 5;
        this.consPort = basePort + 6;
        if (!Files.isExecutable(Path.of(BINARY))) {
            throw new AssertionError(BINARY + " is missing: install Debian's baresip-core (.ci/run does)");
        }
        start();
    }

    public int sipPort() {
        return sipPort;
    }

    /** Starts baresip (again, after {@link #kill()}: a restart, with fresh connections and registrations). */
    public void start() {
        try {
            Files.createDirectories(dir);
            if (process == null) {
                Files.deleteIfExists(dir.resolve("baresip.log"));
            }
            Files.writeString(dir.resolve("config"), String.join("\n",
                    "poll_method epoll",
                    "sip_listen 127.0.0.1:" + sipPort,
                    "module_path /usr/lib/baresip/modules",
                    "module g711.so",
                    "module ausine.so",
                    "module aufile.so",
                    "module cons.so",
                    "module_app menu.so",
                    "module_app ctrl_tcp.so",
                    "ctrl_tcp_listen 127.0.0.1:" + ctrlPort,
                    "cons_listen 127.0.0.1:" + consPort,
                    "audio_player aufile,/dev/null",
                    "audio_alert aufile,/dev/null",
                    "audio_source ausine,440",
                    "ausrc_srate 48000", // ausine makes 48 kHz stereo only; baresip resamples for G.711
                    "ausrc_channels 2",
                    "rtp_ports " + (sipPort + 2) + "-" + (sipPort + 4),
                    "") );
            Files.writeString(dir.resolve("accounts"), "");
            Files.writeString(dir.resolve("contacts"), "");
            process = new ProcessBuilder(BINARY, "-s", "-f", dir.toString()) // -s: its SIP trace, in baresip.log
                    .redirectErrorStream(true)
                    .redirectOutput(ProcessBuilder.Redirect.appendTo(dir.resolve("baresip.log").toFile())).start();
            ctrl = connect(ctrlPort);
            console = connect(consPort);
            console.getOutputStream().write("\n".getBytes(StandardCharsets.US_ASCII)); // the console talks to whoever spoke
            reader("ctrl", this::readCtrl);
            reader("console", this::readConsole);
        } catch (IOException e) {
            throw new IllegalStateException("baresip did not start: " + log(), e);
        }
    }

    private Socket connect(int port) throws IOException {
        long deadline = System.currentTimeMillis() + DEFAULT_WAIT_MS;
        while (true) {
            try {
                return new Socket("127.0.0.1", port);
            } catch (ConnectException notYet) {
                if (!process.isAlive() || System.currentTimeMillis() > deadline) {
                    throw new IOException("baresip does not listen on " + port + ": " + log(), notYet);
                }
                sleep(50);
            }
        }
    }

    private static void reader(String name, Runnable loop) {
        Thread thread = new Thread(loop, "baresip-" + name);
        thread.setDaemon(true);
        thread.start();
    }

    /** Adds an account: {@code <sip:100@domain;transport=tcp>;auth_pass=...;outbound="sip:127.0.0.1:5060;transport=tcp"}. */
    public String uanew(String account) {
        return command("uanew", account);
    }

    /** Removes the account, unregistering it first. */
    public String uadel(String aor) {
        return command("uadel", aor);
    }

    public String dial(String uri) {
        return command("dial", uri);
    }

    public String accept() {
        return command("accept", "");
    }

    public String hangup() {
        return command("hangup", "");
    }

    /** Blind transfer (REFER) of the current call. */
    public String transfer(String uri) {
        return command("transfer", uri);
    }

    /** Runs one ctrl_tcp command, returning the text it printed; fails if baresip says it failed. */
    public String command(String command, String params) {
        String token = "t" + tokens.incrementAndGet();
        byte[] json;
        try {
            json = JSON.writeValueAsBytes(Map.of("command", command, "params", params, "token", token));
            OutputStream out = ctrl.getOutputStream();
            synchronized (out) {
                out.write((json.length + ":").getBytes(StandardCharsets.US_ASCII));
                out.write(json);
                out.write(',');
                out.flush();
            }
        } catch (IOException e) {
            throw new IllegalStateException("ctrl_tcp " + command + ": " + e.getMessage() + log(), e);
        }
        JsonNode answer = take(answers, a -> token.equals(a.path("token").asText()), DEFAULT_WAIT_MS,
                "no answer to " + command + " " + params);
        if (!answer.path("ok").asBoolean()) {
            throw new AssertionError("baresip refused " + command + " " + params + ": " + answer);
        }
        return answer.path("data").asText();
    }

    /** Waits for a ctrl_tcp event of this type ({@code REGISTER_OK}, {@code CALL_INCOMING}…), consuming it. */
    public JsonNode awaitEvent(String type) {
        return awaitEvent(type, DEFAULT_WAIT_MS);
    }

    public JsonNode awaitEvent(String type, long timeoutMs) {
        return take(events, e -> type.equals(e.path("type").asText()), timeoutMs, "no " + type + " event");
    }

    /** Waits until baresip's screen (its UI console) shows {@code text}. */
    public String awaitScreen(String text) {
        long deadline = System.currentTimeMillis() + DEFAULT_WAIT_MS;
        synchronized (screen) {
            while (screen.indexOf(text) < 0) {
                long left = deadline - System.currentTimeMillis();
                if (left <= 0) {
                    throw new AssertionError("baresip never showed \"" + text + "\"; it showed:\n" + screen);
                }
                waitOn(screen, left);
            }
            return screen.toString();
        }
    }

    public String screen() {
        synchronized (screen) {
            return screen.toString();
        }
    }

    private JsonNode take(List<JsonNode> queue, Predicate<JsonNode> which, long timeoutMs, String what) {
        long deadline = System.currentTimeMillis() + timeoutMs;
        synchronized (queue) {
            while (true) {
                for (int i = 0; i < queue.size(); i++) {
                    if (which.test(queue.get(i))) {
                        return queue.remove(i);
                    }
                }
                long left = deadline - System.currentTimeMillis();
                if (left <= 0) {
                    throw new AssertionError("baresip: " + what + " within " + timeoutMs + " ms; events " + events
                            + log());
                }
                waitOn(queue, left);
            }
        }
    }

    private void readCtrl() {
        try (InputStream in = ctrl.getInputStream()) {
            while (true) {
                int length = 0;
                int c;
                while ((c = in.read()) != ':') {
                    if (c < 0) {
                        return;
                    }
                    length = length * 10 + (c - '0');
                }
                JsonNode message = JSON.readTree(in.readNBytes(length));
                in.read(); // the netstring's closing comma
                List<JsonNode> queue = message.path("response").asBoolean() ? answers : events;
                synchronized (queue) {
                    queue.add(message);
                    queue.notifyAll();
                }
            }
        } catch (IOException closed) {
            // baresip stopped
        }
    }

    private void readConsole() {
        byte[] buffer = new byte[4096];
        try (InputStream in = console.getInputStream()) {
            int n;
            while ((n = in.read(buffer)) > 0) {
                synchronized (screen) {
                    screen.append(new String(buffer, 0, n, StandardCharsets.UTF_8));
                    screen.notifyAll();
                }
            }
        } catch (IOException closed) {
            // baresip stopped
        }
    }

    /** Kills baresip without letting it unregister: a crash, or a phone switched off. */
    public void kill() {
        process.destroyForcibly();
        waitFor();
    }

    /** Stops baresip as its user would: it unregisters and closes its connections. */
    public void stop() {
        process.destroy();
        waitFor();
    }

    private void waitFor() {
        try {
            if (!process.waitFor(DEFAULT_WAIT_MS, TimeUnit.MILLISECONDS)) {
                process.destroyForcibly().waitFor();
            }
            ctrl.close();
            console.close();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } catch (IOException ignored) {
            // closing what baresip already closed
        }
        synchronized (events) {
            events.clear();
        }
    }

    private String log() {
        try {
            return "\n--- baresip.log ---\n" + Files.readString(dir.resolve("baresip.log"));
        } catch (IOException e) {
            return "";
        }
    }

    private static void waitOn(Object monitor, long millis) {
        try {
            monitor.wait(millis);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new AssertionError("interrupted");
        }
    }

    private static void sleep(long millis) {
        try {
            Thread.sleep(millis);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    @Override
    public void close() {
        if (process != null && process.isAlive()) {
            stop();
        }
    }
}
