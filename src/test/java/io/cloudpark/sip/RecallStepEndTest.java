package io.cloudpark.sip;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ScheduledThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * A recall step gives way to the next exactly once, whichever of the fork's failure and the ring timer comes first,
 * and however they overlap. The interleavings are forced with latches.
 */
class RecallStepEndTest {
    private final ScheduledThreadPoolExecutor timers = new ScheduledThreadPoolExecutor(1);
    private final AtomicInteger nextSteps = new AtomicInteger();
    private final RecallStepEnd step = new RecallStepEnd(nextSteps::incrementAndGet);

    @AfterEach
    void stopTimers() {
        timers.shutdownNow();
    }

    @Test
    void theLastDeviceRefusingWhileTheRingTimerFiresAdvancesOnce() throws Exception {
        CountDownLatch timerFired = new CountDownLatch(1);
        CountDownLatch refusalHandled = new CountDownLatch(1);
        step.startRingTimer(timers, Duration.ZERO, () -> {
            timerFired.countDown();
            await(refusalHandled);
            return true; // a fork whose branches have all failed has nobody to cancel, and says so
        });
        assertTrue(timerFired.await(5, TimeUnit.SECONDS));
        step.refused(); // too late to cancel the timer: it is running
        refusalHandled.countDown();

        assertEquals(1, finishTimers());
    }

    @Test
    void aRefusalBeforeTheRingTimerIsSetAdvancesOnce() throws Exception {
        step.refused(); // every device refused before the INVITEs' sender got to start the timer
        step.startRingTimer(timers, Duration.ZERO, () -> true);

        assertEquals(1, finishTimers());
    }

    @Test
    void anAnswerStopsTheRingTimer() throws Exception {
        step.startRingTimer(timers, Duration.ofHours(1), () -> true);
        step.answered();

        assertEquals(0, finishTimers());
        assertEquals(0, timers.getQueue().size());
    }

    @Test
    void theRingTimerAloneAdvancesOnce() throws Exception {
        step.startRingTimer(timers, Duration.ZERO, () -> true);

        assertEquals(1, finishTimers());
    }

    /** Lets the timer thread finish what it started, then counts the steps taken. */
    private int finishTimers() throws InterruptedException {
        timers.setExecuteExistingDelayedTasksAfterShutdownPolicy(false);
        timers.shutdown();
        assertTrue(timers.awaitTermination(5, TimeUnit.SECONDS));
        return nextSteps.get();
    }

    private static void await(CountDownLatch latch) {
        try {
            assertTrue(latch.await(5, TimeUnit.SECONDS));
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new AssertionError(e);
        }
    }
}
