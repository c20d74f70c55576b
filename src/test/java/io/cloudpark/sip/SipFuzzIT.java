package io.cloudpark.sip;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.DatagramPacket;
import java.net.DatagramSocket;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.UUID;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.stream.Stream;

import org.apache.log4j.AppenderSkeleton;
import org.apache.log4j.Level;
import org.apache.log4j.Logger;
import org.apache.log4j.spi.LoggingEvent;
import org.jboss.arquillian.container.test.api.Deployment;
import org.jboss.arquillian.container.test.api.RunAsClient;
import org.jboss.arquillian.junit5.ArquillianExtension;
import org.jboss.shrinkwrap.api.spec.WebArchive;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

import io.cloudpark.testing.Calls;
import io.cloudpark.testing.Deployments;
import io.cloudpark.testing.SipMutator;
import io.cloudpark.testing.TestPhone;
import io.cloudpark.testing.TestTenant;

/**
 * A bounded, deterministic fuzz run on the SIP port: REGISTER, INVITE, REFER and NOTIFY from the corpus
 * (src/test/resources/fuzz/corpus, the messages of the SIPp scenarios and the test phones), mutated by
 * {@link SipMutator} from a fixed seed, over UDP and over TCP, then every input kept in
 * src/test/resources/fuzz/regressions replayed as it is. Every 100 inputs an OPTIONS must still be answered (no
 * crash, no hang). Afterwards a normal park cycle works, nothing the fuzz sent is stored (no registration, no parked
 * call, no park history, no tenant), nothing was logged at ERROR, and no thread is left behind.
 *
 * <p>Size and seed: {@code -Dcloudpark.fuzz.messages} per transport (default 1500), {@code -Dcloudpark.fuzz.seed}
 * (default 20261203). An input after which the server stopped answering is written to target/fuzz-failures/, to be
 * kept under fuzz/regressions once the fault is fixed.
 */
@ExtendWith(ArquillianExtension.class)
@RunAsClient
class SipFuzzIT {
    private static final int MESSAGES = Integer.getInteger("cloudpark.fuzz.messages", 1500);
    private static final long SEED = Long.getLong("cloudpark.fuzz.seed", 20261203L);
    private static final int PROBE_EVERY = 100;
    private static final int MESSAGES_PER_TCP_CONNECTION = 25;
    private static final int PROBE_TIMEOUT_MS = 5_000;
    private static final Path CORPUS = Path.of("src/test/resources/fuzz/corpus");
    private static final Path REGRESSIONS = Path.of("src/test/resources/fuzz/regressions");
    private static final Path FAILURES = Path.of("target/fuzz-failures");
    private static final InetAddress SERVER = InetAddress.getLoopbackAddress();

    @Deployment
    static WebArchive deployment() {
        return Deployments.cloudpark();
    }

    /**
     * log4j events at ERROR or above while the fuzz runs: cloudpark's own (its loggers, or an exception thrown from
     * its code into the container), and the container's. JAIN-SIP and Restcomm log the malformed messages they
     * refuse before any application sees them at ERROR (unparsable UDP packets, "Malformed mandatory headers" on
     * TCP, "cannot get a new Server transaction"): those are counted and printed, not asserted, since only raising
     * their loggers' thresholds would silence them, and that would hide their real faults too.
     */
    private static final class ErrorEvents extends AppenderSkeleton {
        final List<String> cloudpark = new CopyOnWriteArrayList<>();
        final Map<String, Integer> container = new TreeMap<>();

        @Override
        protected void append(LoggingEvent event) {
            if (!event.getLevel().isGreaterOrEqual(Level.ERROR)) {
                return;
            }
            String summary = summary(event);
            if (event.getLoggerName().startsWith("io.cloudpark") || summary.contains(" at io.cloudpark")) {
                cloudpark.add(summary);
            } else {
                synchronized (container) {
                    container.merge(event.getLoggerName(), 1, Integer::sum);
                }
            }
        }

        /** logger: first line of the message (exception: its message, where in cloudpark it came from) */
        private static String summary(LoggingEvent event) {
            String message = String.valueOf(event.getRenderedMessage()).lines().findFirst().orElse("");
            StringBuilder out = new StringBuilder(event.getLoggerName()).append(": ")
                    .append(message, 0, Math.min(message.length(), 160));
            Throwable thrown = event.getThrowableInformation() == null ? null : event.getThrowableInformation().getThrowable();
            for (Throwable t = thrown; t != null; t = t.getCause()) {
                String text = String.valueOf(t.getMessage()).lines().findFirst().orElse("");
                out.append(" <- ").append(t.getClass().getName()).append(": ").append(text, 0, Math.min(text.length(), 120));
                for (StackTraceElement frame : t.getStackTrace()) {
                    if (frame.getClassName().startsWith("io.cloudpark")) {
                        out.append(" at ").append(frame);
                        break;
                    }
                }
            }
            return out.toString();
        }

        @Override
        public void close() {
        }

        @Override
        public boolean requiresLayout() {
            return false;
        }
    }

    @Test
    void mutatedMessagesOverUdpAndTcpNeitherCrashNorHangNorStoreAnything() throws Exception {
        try (TestTenant acme = TestTenant.create("fuzz", "1301", "1350")) {
            TestPhone parker = acme.registeredPhone("1301");
            TestPhone client = acme.registeredPhone("1350");
            Map<String, String> values = Map.of("domain", acme.domain(), "ext", "1301", "caller", "1350",
                    "server_port", Integer.toString(Deployments.SIP_PORT));
            List<String> corpus = corpus();
            assertTrue(corpus.size() >= 4, "the corpus has REGISTER, INVITE, REFER and NOTIFY");
            int tenantsBefore = acme.admin().get("/api/tenants").json().size();
            assertProbeAnswered(true, "before the fuzz");
            assertProbeAnswered(false, "before the fuzz");

            ErrorEvents errors = new ErrorEvents();
            Logger.getRootLogger().addAppender(errors);
            Map<String, Integer> answers = new TreeMap<>();
            Map<String, Integer> threadsAfterFirstPass;
            try {
                fuzzUdp(corpus, values, answers, SEED, MESSAGES);
                fuzzTcp(corpus, values, answers, SEED + 1, MESSAGES);
                // pools that start their threads lazily (JAIN-SIP's 30 TCP post-parsing threads, the container's
                // executor, Tomcat's) are full now: a second pass must not add any
                threadsAfterFirstPass = serverThreads();
                int replayed = replayRegressions();
                fuzzUdp(corpus, values, answers, SEED + 2, MESSAGES / 5);
                fuzzTcp(corpus, values, answers, SEED + 3, MESSAGES / 5);
                System.out.printf("SipFuzzIT: seeds %d..%d, %d mutated messages over UDP and %d over TCP, %d regression"
                        + " inputs replayed on both; answers %s%n", SEED, SEED + 3, MESSAGES + MESSAGES / 5,
                        MESSAGES + MESSAGES / 5, replayed, answers);
            } finally {
                Logger.getRootLogger().removeAppender(errors);
            }
            System.out.println("SipFuzzIT: ERROR lines of the container's own refusals, by logger: " + errors.container);
            assertEquals(List.of(), errors.cloudpark, "malformed input is answered and logged at WARN at most, never ERROR");

            // nothing the fuzz sent is stored
            assertEquals(List.of(parker.contact()), contacts(acme, "1301"), "only the real phone is registered at 1301");
            assertEquals(List.of(client.contact()), contacts(acme, "1350"), "only the real phone is registered at 1350");
            assertEquals(0, acme.admin().get("/api/tenants/" + acme.domain() + "/parked-calls").json().size());
            assertEquals(0, acme.admin().get("/api/tenants/" + acme.domain() + "/park-history").json().size());
            assertEquals(tenantsBefore, acme.admin().get("/api/tenants").json().size(), "no tenant was made");

            // and the service still parks and retrieves
            Calls.parkAtSelf(acme, parker, client);
            assertEquals(200, Calls.dial(parker, "*88").status());
            assertEquals("RETRIEVED", acme.lastEndedPark().get("resolution").asText());
            assertEquals(1, acme.admin().get("/api/tenants/" + acme.domain() + "/park-history").json().size());

            assertNoThreadLeft(threadsAfterFirstPass);
        }
    }

    private static List<String> corpus() throws IOException {
        try (Stream<Path> files = Files.list(CORPUS)) {
            List<String> out = new ArrayList<>();
            for (Path file : files.sorted().toList()) {
                out.add(Files.readString(file, StandardCharsets.UTF_8));
            }
            return out;
        }
    }

    /** A corpus template with fresh Call-ID, branch and tag, CRLF line ends and its Content-Length. */
    private static String render(String template, Map<String, String> values, boolean udp, int localPort) {
        String text = template;
        for (Map.Entry<String, String> v : values.entrySet()) {
            text = text.replace("${" + v.getKey() + "}", v.getValue());
        }
        text = text.replace("${transport}", udp ? "UDP" : "TCP").replace("${transport_lc}", udp ? "udp" : "tcp")
                .replace("${local}", "127.0.0.1:" + localPort)
                .replace("${callid}", UUID.randomUUID() + "@fuzz")
                .replace("${branch}", "z9hG4bK" + UUID.randomUUID().toString().replace("-", ""))
                .replace("${tag}", UUID.randomUUID().toString().substring(0, 8));
        text = text.replace("\r\n", "\n").replace("\n", "\r\n");
        int split = text.indexOf("\r\n\r\n");
        String body = text.substring(split + 4);
        return text.replace("${length}", Integer.toString(body.getBytes(StandardCharsets.UTF_8).length));
    }

    private void fuzzUdp(List<String> corpus, Map<String, String> values, Map<String, Integer> answers, long seed,
            int messages) throws Exception {
        SipMutator mutator = new SipMutator(seed, true);
        try (DatagramSocket socket = new DatagramSocket(0, SERVER)) {
            Thread drain = drainUdp(socket, answers, "UDP");
            List<SipMutator.Mutant> batch = new ArrayList<>();
            for (int i = 0; i < messages; i++) {
                SipMutator.Mutant mutant = mutator.mutate(render(corpus.get(i % corpus.size()), values, true, socket.getLocalPort()));
                batch.add(mutant);
                socket.send(new DatagramPacket(mutant.bytes(), mutant.bytes().length, SERVER, Deployments.SIP_PORT));
                if ((i + 1) % PROBE_EVERY == 0) {
                    probeAfter(true, batch, "udp", seed, i);
                    batch.clear();
                }
            }
            probeAfter(true, batch, "udp", seed, messages);
            drain.interrupt();
        }
    }

    private void fuzzTcp(List<String> corpus, Map<String, String> values, Map<String, Integer> answers, long seed,
            int messages) throws Exception {
        SipMutator mutator = new SipMutator(seed, false);
        List<SipMutator.Mutant> batch = new ArrayList<>();
        for (int i = 0; i < messages; i += MESSAGES_PER_TCP_CONNECTION) {
            try (Socket socket = new Socket(SERVER, Deployments.SIP_PORT)) {
                socket.setSoLinger(true, 0);
                Thread drain = drainTcp(socket, answers);
                OutputStream out = socket.getOutputStream();
                for (int j = i; j < Math.min(messages, i + MESSAGES_PER_TCP_CONNECTION); j++) {
                    SipMutator.Mutant mutant = mutator.mutate(render(corpus.get(j % corpus.size()), values, false, socket.getLocalPort()));
                    batch.add(mutant);
                    try {
                        out.write(mutant.bytes());
                        out.flush();
                    } catch (IOException closedByServer) {
                        break; // the server may close a connection that sent garbage: a fine answer
                    }
                }
                drain.join(50);
            }
            if ((i + MESSAGES_PER_TCP_CONNECTION) % PROBE_EVERY == 0 || i + MESSAGES_PER_TCP_CONNECTION >= messages) {
                probeAfter(false, batch, "tcp", seed, i);
                batch.clear();
            }
        }
    }

    /** Every file of fuzz/regressions, sent as it is over UDP and over TCP, each followed by a probe. */
    private int replayRegressions() throws Exception {
        if (!Files.isDirectory(REGRESSIONS)) {
            return 0;
        }
        List<Path> inputs;
        try (Stream<Path> files = Files.list(REGRESSIONS)) {
            inputs = files.filter(f -> f.toString().endsWith(".sip")).sorted().toList();
        }
        for (Path input : inputs) {
            byte[] bytes = Files.readAllBytes(input);
            try (DatagramSocket socket = new DatagramSocket(0, SERVER)) {
                socket.send(new DatagramPacket(bytes, Math.min(bytes.length, SipMutator.MAX_UDP_BYTES), SERVER, Deployments.SIP_PORT));
            }
            try (Socket socket = new Socket(SERVER, Deployments.SIP_PORT)) {
                socket.getOutputStream().write(bytes);
                socket.getOutputStream().flush();
            } catch (IOException closedByServer) {
                // closing the connection is a fine answer
            }
            assertProbeAnswered(true, "after regression input " + input.getFileName());
            assertProbeAnswered(false, "after regression input " + input.getFileName());
        }
        return inputs.size();
    }

    private static Thread drainUdp(DatagramSocket socket, Map<String, Integer> answers, String transport) {
        Thread t = new Thread(() -> {
            byte[] buffer = new byte[65_535];
            while (!socket.isClosed()) {
                DatagramPacket packet = new DatagramPacket(buffer, buffer.length);
                try {
                    socket.receive(packet);
                } catch (IOException closed) {
                    return;
                }
                count(answers, transport, new String(buffer, 0, Math.min(packet.getLength(), 12), StandardCharsets.ISO_8859_1));
            }
        }, "fuzz-udp-drain");
        t.setDaemon(true);
        t.start();
        return t;
    }

    private static Thread drainTcp(Socket socket, Map<String, Integer> answers) {
        Thread t = new Thread(() -> {
            try {
                InputStream in = socket.getInputStream();
                StringBuilder pending = new StringBuilder();
                byte[] buffer = new byte[8192];
                int n;
                while ((n = in.read(buffer)) > 0) {
                    pending.append(new String(buffer, 0, n, StandardCharsets.ISO_8859_1));
                    int at;
                    while ((at = pending.indexOf("SIP/2.0 ")) >= 0 && pending.length() >= at + 12) {
                        count(answers, "TCP", pending.substring(at, at + 12));
                        pending.delete(0, at + 12);
                    }
                }
            } catch (IOException closed) {
                // the connection ended
            }
        }, "fuzz-tcp-drain");
        t.setDaemon(true);
        t.start();
        return t;
    }

    private static void count(Map<String, Integer> answers, String transport, String startOfLine) {
        String key = startOfLine.startsWith("SIP/2.0 ") && startOfLine.length() >= 9
                ? transport + " " + startOfLine.charAt(8) + "xx" : transport + " requests";
        synchronized (answers) {
            answers.merge(key, 1, Integer::sum);
        }
    }

    /** The OPTIONS probe after a batch; when it gets no answer the batch is kept for a regression test. */
    private void probeAfter(boolean udp, List<SipMutator.Mutant> batch, String transport, long seed, int index)
            throws IOException {
        try {
            assertProbeAnswered(udp, "after " + transport + " input " + index + " (seed " + seed + ")");
        } catch (AssertionError hang) {
            Files.createDirectories(FAILURES);
            for (int k = 0; k < batch.size(); k++) {
                Files.write(FAILURES.resolve(transport + "-" + seed + "-" + index + "-" + k + ".sip"), batch.get(k).bytes());
                Files.writeString(FAILURES.resolve(transport + "-" + seed + "-" + index + "-" + k + ".txt"), batch.get(k).operations());
            }
            throw hang;
        }
    }

    /** An OPTIONS, over a new UDP socket or TCP connection, must be answered within 5 s. */
    private static void assertProbeAnswered(boolean udp, String when) {
        String callId = "probe-" + UUID.randomUUID();
        try {
            if (udp) {
                try (DatagramSocket socket = new DatagramSocket(0, SERVER)) {
                    byte[] probe = probe(callId, "UDP", socket.getLocalPort());
                    socket.setSoTimeout(PROBE_TIMEOUT_MS);
                    socket.send(new DatagramPacket(probe, probe.length, SERVER, Deployments.SIP_PORT));
                    long deadline = System.currentTimeMillis() + PROBE_TIMEOUT_MS;
                    byte[] buffer = new byte[65_535];
                    while (System.currentTimeMillis() < deadline) {
                        DatagramPacket packet = new DatagramPacket(buffer, buffer.length);
                        socket.receive(packet);
                        String answer = new String(buffer, 0, packet.getLength(), StandardCharsets.ISO_8859_1);
                        if (answer.startsWith("SIP/2.0 ") && answer.contains(callId)) {
                            return;
                        }
                    }
                }
            } else {
                try (Socket socket = new Socket()) {
                    socket.connect(new InetSocketAddress(SERVER, Deployments.SIP_PORT), PROBE_TIMEOUT_MS);
                    socket.setSoTimeout(PROBE_TIMEOUT_MS);
                    socket.getOutputStream().write(probe(callId, "TCP", socket.getLocalPort()));
                    socket.getOutputStream().flush();
                    StringBuilder got = new StringBuilder();
                    byte[] buffer = new byte[8192];
                    int n;
                    while ((n = socket.getInputStream().read(buffer)) > 0) {
                        got.append(new String(buffer, 0, n, StandardCharsets.ISO_8859_1));
                        if (got.indexOf("SIP/2.0 ") >= 0 && got.indexOf(callId) >= 0) {
                            return;
                        }
                    }
                }
            }
        } catch (SocketTimeoutException timeout) {
            // falls through to the failure
        } catch (IOException e) {
            throw new AssertionError("the SIP port refused the probe " + when + ": " + e, e);
        }
        throw new AssertionError("no answer to OPTIONS within " + PROBE_TIMEOUT_MS + " ms " + when);
    }

    private static byte[] probe(String callId, String transport, int localPort) {
        return ("OPTIONS sip:probe.fuzz.test SIP/2.0\r\n"
                + "Via: SIP/2.0/" + transport + " 127.0.0.1:" + localPort + ";branch=z9hG4bK" + callId + "\r\n"
                + "Max-Forwards: 70\r\nFrom: <sip:probe@probe.fuzz.test>;tag=probe\r\nTo: <sip:probe@probe.fuzz.test>\r\n"
                + "Call-ID: " + callId + "\r\nCSeq: 1 OPTIONS\r\nContent-Length: 0\r\n\r\n").getBytes(StandardCharsets.US_ASCII);
    }

    private static List<String> contacts(TestTenant tenant, String extension) {
        List<String> out = new ArrayList<>();
        tenant.admin().get("/api/tenants/" + tenant.domain() + "/extensions/" + extension + "/registrations").json()
                .forEach(r -> out.add(r.get("contact").asText()));
        return out;
    }

    /** No thread per connection or per message stays: what the second pass started ends within 15 s. */
    private static void assertNoThreadLeft(Map<String, Integer> before) throws InterruptedException {
        long deadline = System.currentTimeMillis() + 15_000;
        Map<String, Integer> now = serverThreads();
        while (total(now) > total(before) + 2 && System.currentTimeMillis() < deadline) {
            Thread.sleep(200);
            now = serverThreads();
        }
        assertTrue(total(now) <= total(before) + 2, "threads after the first pass " + before + ", after the second " + now);
    }

    /**
     * The container's SIP-side threads by name (digits folded): not this test's own (phones, HTTP client, drains), nor
     * Tomcat's HTTP connector, which the fuzz never reaches and whose pool grows with this test's admin calls.
     */
    private static Map<String, Integer> serverThreads() {
        Map<String, Integer> byName = new TreeMap<>();
        for (Thread t : Thread.getAllStackTraces().keySet()) {
            String name = t.getName().replaceAll("\\d+", "#");
            if (t.isAlive() && !name.startsWith("phone-") && !name.startsWith("HttpClient-") && !name.startsWith("fuzz-")
                    && !name.startsWith("http-bio-")) {
                byName.merge(name, 1, Integer::sum);
            }
        }
        return byName;
    }

    private static int total(Map<String, Integer> threads) {
        return threads.values().stream().mapToInt(Integer::intValue).sum();
    }
}
