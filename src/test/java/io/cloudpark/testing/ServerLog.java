package io.cloudpark.testing;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

import org.apache.log4j.AppenderSkeleton;
import org.apache.log4j.Level;
import org.apache.log4j.Logger;
import org.apache.log4j.spi.LoggingEvent;

/**
 * What the server logs while it is open: the embedded container runs in the tests' JVM, so a log4j appender on the
 * root logger sees the application's, Restcomm's and the SIP stack's log lines.
 */
public final class ServerLog extends AppenderSkeleton implements AutoCloseable {
    private final List<String> errors = new ArrayList<>();
    private final List<String> lines = new ArrayList<>();

    public static ServerLog capture() {
        ServerLog log = new ServerLog();
        log.setThreshold(Level.INFO);
        Logger.getRootLogger().addAppender(log);
        return log;
    }

    @Override
    protected synchronized void append(LoggingEvent event) {
        String[] trace = event.getThrowableStrRep();
        String line = "[" + event.getLoggerName() + "] " + event.getRenderedMessage()
                + (trace == null ? "" : "\n" + String.join("\n", trace));
        lines.add(line);
        if (event.getLevel().isGreaterOrEqual(Level.ERROR)) {
            errors.add(line);
        }
        notifyAll();
    }

    /** What was logged at ERROR. */
    public synchronized List<String> errors() {
        return List.copyOf(errors);
    }

    /**
     * Whether a line containing {@code fragment} was logged (at INFO or above) within {@code timeout}: the proof that
     * a flow which sends nothing more has got that far.
     */
    public synchronized boolean logs(String fragment, Duration timeout) throws InterruptedException {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (lines.stream().noneMatch(line -> line.contains(fragment))) {
            long left = deadline - System.nanoTime();
            if (left <= 0) {
                return false;
            }
            wait(Math.max(1, left / 1_000_000));
        }
        return true;
    }

    @Override
    public boolean requiresLayout() {
        return false;
    }

    @Override
    public void close() {
        Logger.getRootLogger().removeAppender(this);
    }
}
