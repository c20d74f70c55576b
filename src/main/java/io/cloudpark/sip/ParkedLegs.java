package io.cloudpark.sip;

import java.time.Duration;
import java.util.Set;
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
    private record Held(Leg leg, ScheduledFuture<?> recall, Leg musicOnHold) { }

    private final ConcurrentMap<String, Held> byParkId = new ConcurrentHashMap<>();

    void hold(String parkId, Leg leg) {
        byParkId.put(parkId, new Held(leg, null, null));
    }

    /** The parks whose legs are held here now. */
    Set<String> parkIds() {
        return Set.copyOf(byParkId.keySet());
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
            return new Held(held.leg(), scheduler.schedule(recall, Math.max(0, delay.toMillis()), TimeUnit.MILLISECONDS),
                    held.musicOnHold());
        });
    }

    void cancelRecall(String parkId) {
        byParkId.computeIfPresent(parkId, (id, held) -> {
            if (held.recall() != null) {
                held.recall().cancel(false);
            }
            return new Held(held.leg(), null, held.musicOnHold());
        });
    }

    /** The media server leg playing to the parked party; hung up when the call leaves the park. */
    void musicOnHold(String parkId, Leg media) {
        Held now = byParkId.computeIfPresent(parkId, (id, held) -> new Held(held.leg(), held.recall(), media));
        if (now == null) {
            SipMessages.hangUp(media); // the call left the park while the music was being connected
        }
    }

    /**
     * Forgets the parked leg and its timer and hangs up its music on hold; returns the leg (null if it was not
     * held here).
     */
    Leg release(String parkId) {
        Held held = byParkId.remove(parkId);
        if (held == null) {
            return null;
        }
        if (held.recall() != null) {
            held.recall().cancel(false);
        }
        SipMessages.hangUp(held.musicOnHold());
        return held.leg();
    }
}
