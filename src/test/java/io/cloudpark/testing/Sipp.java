package io.cloudpark.testing;

import java.io.File;
import java.io.IOException;
import java.net.DatagramSocket;
import java.net.InetAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/** SIPp, an independent SIP peer, run as a process by the tests. Missing SIPp fails the test: it is never skipped. */
public final class Sipp {
    private final Process process;
    private final Path messageLog;

    private Sipp(Process process, Path messageLog) {
        this.process = process;
        this.messageLog = messageLog;
    }

    /** Starts {@code sipp} with the scenario file and extra arguments; its messages are traced under target/sipp. */
    public static Sipp start(String name, String scenario, String... args) throws IOException {
        Path dir = Path.of("target", "sipp");
        Files.createDirectories(dir);
        Path log = dir.resolve(name + "-messages.log");
        Files.deleteIfExists(log);
        List<String> command = new ArrayList<>(List.of(executable(), "-sf", scenario, "-i", "127.0.0.1", "-m", "1",
                "-nostdin", "-trace_msg", "-message_file", log.toString(), "-trace_err", "-error_file",
                dir.resolve(name + "-errors.log").toString()));
        command.addAll(List.of(args));
        Process process = new ProcessBuilder(command).redirectErrorStream(true)
                .redirectOutput(dir.resolve(name + "-screen.log").toFile()).start();
        return new Sipp(process, log);
    }

    private static String executable() {
        for (String dir : System.getenv().getOrDefault("PATH", "/usr/bin").split(File.pathSeparator)) {
            File candidate = new File(dir, "sipp");
            if (candidate.canExecute()) {
                return candidate.getPath();
            }
        }
        throw new AssertionError("sipp is not installed: apt-get install -y sip-tester");
    }

    /** A UDP port nobody listens on right now. */
    public static int freePort() throws IOException {
        try (DatagramSocket socket = new DatagramSocket(0, InetAddress.getLoopbackAddress())) {
            return socket.getLocalPort();
        }
    }

    /** Waits for SIPp to end and returns its exit code (0: the scenario ran as written). */
    public int awaitExit(long seconds) throws Exception {
        if (!process.waitFor(seconds, TimeUnit.SECONDS)) {
            process.destroyForcibly();
            throw new AssertionError("sipp did not finish in " + seconds + " s; messages:\n" + messages());
        }
        return process.exitValue();
    }

    public String messages() throws IOException {
        return Files.exists(messageLog) ? Files.readString(messageLog) : "(no message log)";
    }

    public void stop() {
        process.destroyForcibly();
    }
}
