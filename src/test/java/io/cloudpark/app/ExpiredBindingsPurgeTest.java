package io.cloudpark.app;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;

import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.ScheduledThreadPoolExecutor;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import io.cloudpark.store.Database;
import io.cloudpark.tenant.Binding;
import io.cloudpark.tenant.Tenant;
import io.cloudpark.testing.SteppedClock;

/** The purge the application schedules removes lapsed bindings; the test runs it as the timer would, on its clock. */
class ExpiredBindingsPurgeTest {
    private static final Instant T0 = Instant.parse("2026-11-22T10:00:00Z");

    private final Database db = Database.open("jdbc:h2:mem:purge-" + System.nanoTime() + ";DB_CLOSE_DELAY=-1", "sa", "");
    private final SteppedClock clock = new SteppedClock(T0);
    private final CapturingScheduler scheduler = new CapturingScheduler();

    @AfterEach
    void close() {
        scheduler.shutdownNow();
        db.close();
    }

    @Test
    void theScheduledPurgeDeletesBindingsThatHaveExpiredAndKeepsTheOthers() {
        Tenant tenant = db.tenants().createTenant("purge.example", "Purge");
        long ext = db.tenants().putExtension(tenant.id(), "101", "Desk", "ha1", null).extension().id();
        Binding lapsing = new Binding("sip:101@192.0.2.1", T0.plusSeconds(60), "c1", 1, null);
        Binding refreshed = new Binding("sip:101@192.0.2.2", T0.plusSeconds(3600), "c2", 1, null);
        db.registrations().putBinding(ext, lapsing);
        db.registrations().putBinding(ext, refreshed);

        ExpiredBindingsPurge.schedule(scheduler, db.registrations(), clock);
        assertNotNull(scheduler.task, "scheduled on the application's timers");
        assertEquals(ExpiredBindingsPurge.PERIOD.toMillis(), scheduler.delayMillis);

        clock.advance(Duration.ofSeconds(61));
        scheduler.task.run();

        // asked as of long before: only what is still in the table is returned
        assertEquals(List.of(refreshed), db.registrations().activeBindings(ext, T0.minusSeconds(3600)));
    }

    @Test
    void aStoreOutageDoesNotStopThePurge() {
        ExpiredBindingsPurge.schedule(scheduler, db.registrations(), clock);
        db.close();

        scheduler.task.run(); // a throwing task would never be run again by the scheduler
    }

    /** Records the periodic task instead of running it. */
    private static final class CapturingScheduler extends ScheduledThreadPoolExecutor {
        Runnable task;
        long delayMillis;

        CapturingScheduler() {
            super(1);
        }

        @Override
        public ScheduledFuture<?> scheduleWithFixedDelay(Runnable command, long initialDelay, long delay, TimeUnit unit) {
            task = command;
            delayMillis = unit.toMillis(delay);
            return schedule(() -> { }, 1, TimeUnit.DAYS);
        }
    }
}
