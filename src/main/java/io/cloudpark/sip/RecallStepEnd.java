package io.cloudpark.sip;

import java.time.Duration;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.BooleanSupplier;

/**
 * How one recall step ends: a device answers, every device refuses, or its ring time runs out, whichever comes first.
 * The refusal and the ring timer race (the last refusal can arrive as the timer fires, or before the timer is even
 * set), so the step is decided once here and the loser does nothing.
 */
final class RecallStepEnd {
    private final AtomicBoolean decided = new AtomicBoolean();
    private final Runnable nextStep;
    private ScheduledFuture<?> ringTimer;

    RecallStepEnd(Runnable nextStep) {
        this.nextStep = nextStep;
    }

    /**
     * @param stopRinging cancels the step's ringing; false when a device answered first (the answer decides)
     */
    synchronized void startRingTimer(ScheduledExecutorService scheduler, Duration ringTime, BooleanSupplier stopRinging) {
        if (decided.get()) {
            return;
        }
        ringTimer = scheduler.schedule(() -> {
            if (stopRinging.getAsBoolean() && decide()) {
                nextStep.run();
            }
        }, ringTime.toMillis(), TimeUnit.MILLISECONDS);
    }

    /** A device answered: the step is over, and this recall goes no further. */
    void answered() {
        decide();
    }

    /** Every device refused, or none could be rung: on to the next step, unless the timer got there first. */
    void refused() {
        if (decide()) {
            nextStep.run();
        }
    }

    private boolean decide() {
        if (!decided.compareAndSet(false, true)) {
            return false;
        }
        synchronized (this) {
            if (ringTimer != null) {
                ringTimer.cancel(false);
            }
        }
        return true;
    }
}
