package io.cloudpark.testing;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.fail;

import java.io.File;
import java.io.IOException;
import java.net.DatagramSocket;
import java.net.InetAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

/**
 * One SIPp process playing one peer from a scenario of src/test/sipp, on loopback UDP: a phone calling or answering
 * the PBX, or a server the PBX calls (the music-on-hold media server). SIPp judges its own part: exit code 0 when the
 * scenario ran to its end and every check in it matched. Its message log, error log and final screen are kept in
 * target/sipp/ and quoted when it fails. No SIPp on the PATH fails the test: it is never skipped.
 */
public final class SippPeer {
    public static final String INSTALL_HINT = "install sipp: apt-get install -y sip-tester";
    private static final Path SCENARIOS = Path.of("src", "test", "sipp");
    private static final Path LOGS = Path.of("target", "sipp");
    /** Each run must end by then (SIPp's -timeout, which then fails it): a scenario takes a few seconds. */
    private static final Duration RUN_LIMIT = Duration.ofSeconds(30);
    /** How much of the end of the message log a failure quotes. */
    private static final int QUOTED_MESSAGE_LOG_CHARS = 12_000;

    private final String name;
    private final Process process;
    private final Path messageLog;
    private final Path errorLog;
    private final Path screen;

    private SippPeer(String name, Process process, Path messageLog, Path errorLog, Path screen) {
        this.name = name;
        this.process = process;
        this.messageLog = messageLog;
        this.errorLog = errorLog;
        this.screen = screen;
    }

    /** The sipp executable on the PATH, if there is one. */
    public static Optional<Path> findSipp() {
        return Stream.of(System.getenv().getOrDefault("PATH", "").split(File.pathSeparator))
                .filter(dir -> !dir.isEmpty())
                .map(dir -> Path.of(dir, "sipp"))
                .filter(Files::isExecutable)
                .findFirst();
    }

    /**
     * A peer that talks to the PBX: scenario {@code <name>.xml}, with {@code <name>.out-of-call.xml} for the requests
     * that arrive outside its Call-ID when the scenario has one, on a free local port.
     */
    public static SippPeer start(Path sipp, String name, int pbxPort) throws IOException {
        List<String> args = new ArrayList<>(List.of("127.0.0.1:" + pbxPort));
        Path outOfCall = SCENARIOS.resolve(name + ".out-of-call.xml");
        if (Files.exists(outOfCall)) {
            args.addAll(List.of("-oocsf", outOfCall.toString()));
        }
        args.addAll(List.of("-p", Integer.toString(freeUdpPort())));
        return launch(sipp, name, args);
    }

    /** A server the PBX calls, listening on {@code port} (take one from {@link #freeUdpPort()}). */
    public static SippPeer listen(String name, int port) throws IOException {
        Path sipp = findSipp().orElseThrow(() -> new AssertionError("no sipp on the PATH: " + INSTALL_HINT));
        return launch(sipp, name, List.of("-p", Integer.toString(port)));
    }

    private static SippPeer launch(Path sipp, String name, List<String> args) throws IOException {
        Files.createDirectories(LOGS);
        Path messageLog = LOGS.resolve(name + "-messages.log");
        Path errorLog = LOGS.resolve(name + "-errors.log");
        Path screen = LOGS.resolve(name + "-screen.log");
        for (Path stale : List.of(messageLog, errorLog, screen)) {
            Files.deleteIfExists(stale);
        }
        List<String> command = new ArrayList<>(List.of(sipp.toString(), "-sf", SCENARIOS.resolve(name + ".xml").toString()));
        command.addAll(args);
        command.addAll(List.of("-i", "127.0.0.1", "-m", "1", "-nostdin",
                "-timeout", RUN_LIMIT.toSeconds() + "s", "-timeout_error",
                "-trace_msg", "-message_file", messageLog.toString(),
                "-trace_err", "-error_file", errorLog.toString()));
        Process process = new ProcessBuilder(command)
                .redirectErrorStream(true)
                .redirectOutput(screen.toFile())
                .start();
        return new SippPeer(name, process, messageLog, errorLog, screen);
    }

    public static int freeUdpPort() throws IOException {
        try (DatagramSocket probe = new DatagramSocket(0, InetAddress.getLoopbackAddress())) {
            return probe.getLocalPort();
        }
    }

    public boolean isRunning() {
        return process.isAlive();
    }

    /** Waits for the run to end and asserts it passed; the failure message quotes the logs. */
    public void assertPassed() throws InterruptedException {
        if (!process.waitFor(RUN_LIMIT.plusSeconds(15).toMillis(), TimeUnit.MILLISECONDS)) {
            stop();
            fail(name + ": SIPp still ran well after its own -timeout, and was killed" + report());
        }
        assertEquals(0, process.exitValue(), () -> name + ": SIPp exit code " + process.exitValue() + report());
    }

    /** Ends a run the test no longer waits for (after another peer failed). */
    public void stop() throws InterruptedException {
        if (process.isAlive()) {
            process.destroy();
            if (!process.waitFor(5, TimeUnit.SECONDS)) {
                process.destroyForcibly().waitFor(5, TimeUnit.SECONDS);
            }
        }
    }

    /** The SIPp logs of this peer, for a failure message. */
    public String report() {
        String messages = read(messageLog);
        if (messages.length() > QUOTED_MESSAGE_LOG_CHARS) {
            messages = "[...]\n" + messages.substring(messages.length() - QUOTED_MESSAGE_LOG_CHARS);
        }
        return "\n===== " + screen + " (final SIPp screen: which step failed)\n" + read(screen)
                + "\n===== " + errorLog + "\n" + read(errorLog)
                + "\n===== " + messageLog + "\n" + messages;
    }

    private static String read(Path file) {
        try {
            return Files.exists(file) ? Files.readString(file, StandardCharsets.ISO_8859_1) : "(none)";
        } catch (IOException e) {
            return "(unreadable: " + e + ")";
        }
    }
}
