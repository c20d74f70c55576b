package io.cloudpark.testing;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.Map;
import java.util.OptionalInt;
import java.util.concurrent.TimeUnit;

/**
 * The standalone server run the way README runs it: {@code java -jar target/cloudpark-standalone.jar} as a process of
 * its own, in a working directory of the test's choosing (its {@code ./data} store), configured by environment
 * variables only. Its stdout and stderr are kept, for the assertions and their messages.
 */
public final class LauncherProcess implements AutoCloseable {
    /** What the launcher logs once it serves SIP and HTTP. */
    public static final String READY = "cloudpark ready";
    private static final Path JAR = Path.of("target", "cloudpark-standalone.jar");
    private static final Duration STOP_GRACE = Duration.ofSeconds(10);

    private final Process process;
    private final StringBuilder output = new StringBuilder();
    private final Thread reader;

    private LauncherProcess(Process process) {
        this.process = process;
        this.reader = new Thread(this::collectOutput, "launcher-output-" + process.pid());
        this.reader.setDaemon(true);
        this.reader.start();
    }

    /** Starts the launcher with exactly these CLOUDPARK_* variables (none inherited from the build's environment). */
    public static LauncherProcess start(Path workingDirectory, Map<String, String> environment) throws IOException {
        Path jar = JAR.toAbsolutePath();
        if (!Files.isRegularFile(jar)) {
            throw new IllegalStateException(jar + " is missing: it is built in the package phase (mvn package)");
        }
        String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
        ProcessBuilder builder = new ProcessBuilder(java, "-jar", jar.toString())
                .directory(workingDirectory.toFile())
                .redirectErrorStream(true);
        builder.environment().keySet().removeIf(name -> name.startsWith("CLOUDPARK_"));
        builder.environment().putAll(environment);
        return new LauncherProcess(builder.start());
    }

    private void collectOutput() {
        try (BufferedReader lines = new BufferedReader(
                new InputStreamReader(process.getInputStream(), StandardCharsets.UTF_8))) {
            String line;
            while ((line = lines.readLine()) != null) {
                synchronized (output) {
                    output.append(line).append('\n');
                    output.notifyAll();
                }
            }
        } catch (IOException e) {
            synchronized (output) {
                output.append("[reading the launcher's output failed: ").append(e).append("]\n");
            }
        }
    }

    /** Everything the launcher printed so far (stdout and stderr, interleaved as it wrote them). */
    public String output() {
        synchronized (output) {
            return output.toString();
        }
    }

    /** Waits for {@link #READY}; false if the launcher ended, or the time ran out, first. */
    public boolean awaitReady(Duration timeout) throws InterruptedException {
        Instant deadline = Instant.now().plus(timeout);
        synchronized (output) {
            while (output.indexOf(READY) < 0) {
                long left = Duration.between(Instant.now(), deadline).toMillis();
                if (left <= 0 || !process.isAlive()) {
                    return false;
                }
                output.wait(Math.min(left, 200));
            }
            return true;
        }
    }

    /** The exit code, once the launcher has ended and its output is all read; empty if it still runs after the timeout. */
    public OptionalInt awaitExit(Duration timeout) throws InterruptedException {
        if (!process.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS)) {
            return OptionalInt.empty();
        }
        reader.join(STOP_GRACE.toMillis());
        return OptionalInt.of(process.exitValue());
    }

    /** Stops the launcher: asked to (its shutdown hook stops the container), then forced if it does not. */
    @Override
    public void close() throws InterruptedException {
        process.destroy();
        if (!process.waitFor(STOP_GRACE.toMillis(), TimeUnit.MILLISECONDS)) {
            process.destroyForcibly().waitFor(STOP_GRACE.toMillis(), TimeUnit.MILLISECONDS);
        }
    }
}
