package io.cloudpark.testing;

import java.util.ArrayList;
import java.util.List;

import org.apache.log4j.AppenderSkeleton;
import org.apache.log4j.Level;
import org.apache.log4j.Logger;
import org.apache.log4j.spi.LoggingEvent;

/**
 * What the server logs at ERROR while it is open: the embedded container runs in the tests' JVM, so a log4j appender
 * on the root logger sees the application's, Restcomm's and the SIP stack's log lines.
 */
public final class ServerLog extends AppenderSkeleton implements AutoCloseable {
    private final List<String> errors = new ArrayList<>();

    public static ServerLog capture() {
        ServerLog log = new ServerLog();
        log.setThreshold(Level.ERROR);
        Logger.getRootLogger().addAppender(log);
        return log;
    }

    @Override
    protected synchronized void append(LoggingEvent event) {
        String[] trace = event.getThrowableStrRep();
        errors.add("[" + event.getLoggerName() + "] " + event.getRenderedMessage()
                + (trace == null ? "" : "\n" + String.join("\n", trace)));
    }

    public synchronized List<String> errors() {
        return List.copyOf(errors);
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
