package io.cloudpark.standalone;

import java.lang.reflect.Field;
import java.util.SortedMap;
import java.util.concurrent.TimeUnit;

import org.restcomm.commons.statistics.reporter.RestcommStatsReporter;

import com.codahale.metrics.Counter;
import com.codahale.metrics.Gauge;
import com.codahale.metrics.Histogram;
import com.codahale.metrics.Meter;
import com.codahale.metrics.Timer;

/**
 * Restcomm's statistics reporter posts usage data to the vendor's server once a day and once more when it stops,
 * whatever {@code setGatherStatistics(false)} says. The container takes the reporter from a JVM-wide singleton, so
 * putting this one there before the container is built stops every report: cloudpark opens no connection the
 * operator did not configure.
 */
public final class NonReportingStatsReporter extends RestcommStatsReporter {

    private NonReportingStatsReporter() {
    }

    /** Installs the non-reporting singleton; call before the SIP application dispatcher is created. */
    public static synchronized void install() {
        try {
            Field singleton = RestcommStatsReporter.class.getDeclaredField("restcommStatsReporter");
            singleton.setAccessible(true);
            if (!(singleton.get(null) instanceof NonReportingStatsReporter)) {
                singleton.set(null, new NonReportingStatsReporter());
            }
        } catch (ReflectiveOperationException e) {
            throw new IllegalStateException("cannot switch off Restcomm's statistics reporter", e);
        }
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
