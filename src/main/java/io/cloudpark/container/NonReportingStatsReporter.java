package io.cloudpark.container;

import java.lang.reflect.Field;
import java.util.SortedMap;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;

import org.apache.log4j.Logger;
import org.mobicents.servlet.sip.core.SipApplicationDispatcher;
import org.mobicents.servlet.sip.startup.StaticServiceHolder;
import org.restcomm.commons.statistics.reporter.RestcommStatsReporter;

import com.codahale.metrics.ScheduledReporter;

import com.codahale.metrics.Counter;
import com.codahale.metrics.Gauge;
import com.codahale.metrics.Histogram;
import com.codahale.metrics.Meter;
import com.codahale.metrics.Timer;

/**
 * Restcomm's statistics reporter posts usage data to the vendor's server once a day and once more when it stops,
 * whatever {@code setGatherStatistics(false)} says: cloudpark opens no connection the operator did not configure,
 * so it puts this one in its place. The embedded container installs it before the container exists
 * ({@link #install()}), and so does the assembled Restcomm container ({@link NoPhoneHomeListener}, from its lib/); in
 * any other container the application swaps it in when it starts ({@link #replaceInRunningContainer()}).
 * <p>
 * Instances are recognised by class name: the container's copy (lib/) and the application's (WEB-INF/classes) are
 * two classes, and an application-loaded reporter left in the container would pin the application after an undeploy.
 */
public final class NonReportingStatsReporter extends RestcommStatsReporter {
    private static final Logger LOG = Logger.getLogger(NonReportingStatsReporter.class);

    private NonReportingStatsReporter() {
    }

    /** Installs the non-reporting singleton; call before the SIP application dispatcher is created. */
    public static synchronized void install() {
        try {
            Field singleton = RestcommStatsReporter.class.getDeclaredField("restcommStatsReporter");
            singleton.setAccessible(true);
            if (!isNonReporting(singleton.get(null))) {
                singleton.set(null, new NonReportingStatsReporter());
            }
        } catch (ReflectiveOperationException e) {
            throw new IllegalStateException("cannot switch off Restcomm's statistics reporter", e);
        }
    }

    /**
     * In a running container the dispatcher already holds the vendor's reporter, scheduled: its schedule is shut down
     * (no report is ever made from it) and the dispatcher is given this one, so stopping the container reports nothing
     * either.
     */
    public static void replaceInRunningContainer() {
        install();
        try {
            if (StaticServiceHolder.sipStandardService == null) {
                return;
            }
            SipApplicationDispatcher dispatcher = StaticServiceHolder.sipStandardService.getSipApplicationDispatcher();
            Field field = dispatcher.getClass().getDeclaredField("statsReporter");
            field.setAccessible(true);
            Object running = field.get(dispatcher);
            if (isNonReporting(running)) {
                return;
            }
            field.set(dispatcher, RestcommStatsReporter.getRestcommStatsReporter());
            if (running instanceof ScheduledReporter stock) {
                Field executor = ScheduledReporter.class.getDeclaredField("executor");
                executor.setAccessible(true);
                ((ScheduledExecutorService) executor.get(stock)).shutdownNow();
            }
            LOG.info("Restcomm's statistics reporter switched off: no usage data leaves this node");
        } catch (ReflectiveOperationException | RuntimeException e) {
            LOG.warn("could not switch off Restcomm's statistics reporter (" + e + "): block statistics.restcomm.com");
        }
    }

    static boolean isNonReporting(Object reporter) {
        return reporter != null && reporter.getClass().getName().equals(NonReportingStatsReporter.class.getName());
    }

    @Override
    public void start(long period, TimeUnit unit) {
        // never scheduled: there is nothing to report to
    }

    @Override
    public void stop() {
        // the stock stop() sends a last report
    }

    @Override
    @SuppressWarnings("rawtypes")
    public void report(SortedMap<String, Gauge> gauges, SortedMap<String, Counter> counters,
                       SortedMap<String, Histogram> histograms, SortedMap<String, Meter> meters,
                       SortedMap<String, Timer> timers) {
        // reports go nowhere
    }
}
