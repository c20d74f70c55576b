package io.cloudpark.sip;

import java.time.Clock;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The highest nonce count seen per digest nonce, to refuse replays (RFC 7616 §3.4.5). Nonces expire after a lifetime
 * and are refused as stale from then on, so they need remembering for that long only: counts are kept in two
 * generations, each one lifetime long, and the older is dropped whole. Every check costs the same whether 100 or
 * 100,000 devices registered in the last minutes (a sweep over all of them on each request did not).
 */
final class NonceCounts {
    private final Clock clock;
    private final long lifetimeMillis;
    private final Object rotation = new Object();
    private volatile Map<String, Long> current = new ConcurrentHashMap<>();
    private volatile Map<String, Long> previous = new ConcurrentHashMap<>();
    private volatile long currentSince;

    NonceCounts(Clock clock, Duration lifetime) {
        this.clock = clock;
        this.lifetimeMillis = lifetime.toMillis();
        this.currentSince = clock.millis();
    }

    /**
     * True if this use of the nonce is new: its first, or (with qop, {@code counted}) a higher count than any before.
     * Without qop a nonce may be used once.
     */
    boolean firstUse(String nonce, long count, boolean counted) {
        rotateIfDue();
        Map<String, Long> older = previous;
        boolean[] accepted = {false};
        current.compute(nonce, (key, seen) -> {
            Long last = seen != null ? seen : older.get(key);
            if (last == null || (counted && count > last)) {
                accepted[0] = true;
                return count;
            }
            return last;
        });
        return accepted[0];
    }

    int size() {
        return current.size() + previous.size();
    }

    private void rotateIfDue() {
        long now = clock.millis();
        if (now - currentSince < lifetimeMillis) {
            return;
        }
        synchronized (rotation) {
            if (now - currentSince >= lifetimeMillis) {
                // whatever was first used a whole lifetime before the current generation began has expired
                previous = current;
                current = new ConcurrentHashMap<>();
                currentSince = now;
            }
        }
    }
}
