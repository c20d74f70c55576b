package io.cloudpark.app;

import java.time.Clock;
import java.time.Duration;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;

import org.apache.log4j.Logger;

import io.cloudpark.park.StoreUnavailableException;
import io.cloudpark.tenant.RegistrationStore;

/**
 * Deletes the registrar bindings whose devices let them lapse. Lookups already ignore them; without this they would
 * pile up in the database for ever, one row per device that went away without unregistering.
 */
final class ExpiredBindingsPurge implements Runnable {
    private static final Logger LOG = Logger.getLogger(ExpiredBindingsPurge.class);
    static final Duration PERIOD = Duration.ofMinutes(1);

    private final RegistrationStore registrations;
    private final Clock clock;

    ExpiredBindingsPurge(RegistrationStore registrations, Clock clock) {
        this.registrations = registrations;
        this.clock = clock;
    }

    /** Every {@link #PERIOD} on the application's timers, the first one period after the start. */
    static void schedule(ScheduledExecutorService scheduler, RegistrationStore registrations, Clock clock) {
        long period = PERIOD.toMillis();
        scheduler.scheduleWithFixedDelay(new ExpiredBindingsPurge(registrations, clock), period, period,
                TimeUnit.MILLISECONDS);
    }

    @Override
    public void run() {
        try {
            int purged = registrations.purgeExpired(clock.instant());
            if (purged > 0) {
                LOG.debug("purged " + purged + " expired bindings");
            }
        } catch (StoreUnavailableException e) {
            // a periodic task that throws is never run again: the next period tries again
            LOG.warn("could not purge expired bindings: " + e.getMessage());
        }
    }
}
