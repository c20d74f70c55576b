package io.cloudpark.sip;

import java.time.Duration;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentMap;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;

/**
 * The parked parties' legs held by this node, by park id, with their recall timers. The store says what is parked;
 * this says where its SIP dialog is.
 */
final class ParkedLegs {
    private record Held(Leg leg, ScheduledFuture<?> recall) { }

    private final ConcurrentMap<String, Held> byParkId = new ConcurrentHashMap<>();

    void hold(String parkId, Leg leg) {
        byParkId.put(parkId, new Held(leg, null));
    }

    Leg leg(String parkId) {
        Held held = byParkId.get(parkId);
        return held == null ? null : held.leg();
    }

    void scheduleRecall(String parkId, ScheduledExecutorService scheduler, Duration delay, Runnable recall) {
        byParkId.computeIfPresent(parkId, (id, held) -> {
            if (held.recall() != null) {
                held.recall().cancel(false);
            }
            return new Held(held.leg(), scheduler.schedule(recall, Math.max(0, delay.toMillis()), TimeUnit.MILLISECONDS));
        });
    }

    void cancelRecall(String parkId) {
        byParkId.computeIfPresent(parkId, (id, held) -> {
            if (held.recall() != null) {
                held.recall().cancel(false);
            }
            return new Held(held.leg(), null);
        });
    }

    /** Forgets the parked leg and its timer; returns the leg (null if it was not held here). */
    Leg release(String parkId) {
        Held held = byParkId.remove(parkId);
        if (held == null) {
            return null;
        }
        if (held.recall() != null) {
            held.recall().cancel(false);
        }
        return held.leg();
    }
}
