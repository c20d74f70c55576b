package io.cloudpark.interop;

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
 * One SIPp process playing one phone from a scenario of src/test/sipp, against the PBX on loopback UDP. SIPp judges
 * its own part: exit code 0 when the scenario ran to its end and every check in it matched. Its message log, error
 * log and final screen are kept in target/sipp/ and quoted when it fails.
 */
final class SippPeer {
    static final String INSTALL_HINT = "install sipp: apt-get install -y sip-tester";
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
    static Optional<Path> findSipp() {
        return Stream.of(System.getenv().getOrDefault("PATH", "").split(File.pathSeparator))
                .filter(dir -> !dir.isEmpty())
                .map(dir -> Path.of(dir, "sipp"))
                .filter(Files::isExecutable)
                .findFirst();
    }

    /**
     * Runs scenario {@code <name>.xml}, with {@code <name>.out-of-call.xml} for the requests that arrive outside its
     * Call-ID when the scenario has one, on a free local port.
     */
    static SippPeer start(Path sipp, String name, int pbxPort) throws IOException {
        Files.createDirectories(LOGS);
        Path messageLog = LOGS.resolve(name + "-messages.log");
        Path errorLog = LOGS.resolve(name + "-errors.log");
        Path screen = LOGS.resolve(name + "-screen.log");
        for (Path stale : List.of(messageLog, errorLog, screen)) {
            Files.deleteIfExists(stale);
        }
        List<String> command = new ArrayList<>(List.of(sipp.toString(), "127.0.0.1:" + pbxPort,
                "-sf", SCENARIOS.resolve(name + ".xml").toString()));
        Path outOfCall = SCENARIOS.resolve(name + ".out-of-call.xml");
        if (Files.exists(outOfCall)) {
            command.addAll(List.of("-oocsf", outOfCall.toString()));
        }
        command.addAll(List.of("-i", "127.0.0.1", "-p", Integer.toString(freeUdpPort()), "-m", "1", "-nostdin",
                "-timeout", RUN_LIMIT.toSeconds() + "s", "-timeout_error",
                "-trace_msg", "-message_file", messageLog.toString(),
                "-trace_err", "-error_file", errorLog.toString()));
        Process process = new ProcessBuilder(command)
                .redirectErrorStream(true)
                .redirectOutput(screen.toFile())
                .start();
        return new SippPeer(name, process, messageLog, errorLog, screen);
    }

    private static int freeUdpPort() throws IOException {
        try (DatagramSocket probe = new DatagramSocket(0, InetAddress.getLoopbackAddress())) {
            return probe.getLocalPort();
        }
    }

    boolean isRunning() {
        return process.isAlive();
    }

    /** Waits for the run to end and asserts it passed; the failure message quotes the logs. */
    void assertPassed() throws InterruptedException {
        if (!process.waitFor(RUN_LIMIT.plusSeconds(15).toMillis(), TimeUnit.MILLISECONDS)) {
            stop();
            fail(name + ": SIPp still ran well after its own -timeout, and was killed" + report());
        }
        assertEquals(0, process.exitValue(), () -> name + ": SIPp exit code " + process.exitValue() + report());
    }

    /** Ends a run the test no longer waits for (after another peer failed). */
    void stop() throws InterruptedException {
        if (process.isAlive()) {
            process.destroy();
            if (!process.waitFor(5, TimeUnit.SECONDS)) {
                process.destroyForcibly().waitFor(5, TimeUnit.SECONDS);
            }
        }
    }

    /** The SIPp logs of this peer, for a failure message. */
    String report() {
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
