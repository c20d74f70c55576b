package io.cloudpark.account;

import java.time.Clock;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Slows down password guessing: after {@code maxFailures} failed sign-ins in a row with one key (a user name and an
 * address), that key is refused for {@code lockout}, whatever it sends, even the right password. A success resets
 * the count. Kept in memory per node: a restart forgets it.
 */
public final class LoginThrottle {
    /** Guessers with many names must not fill memory: past this, the keys that are not locked are forgotten. */
    static final int MAX_KEYS = 100_000;

    private record Failures(int count, long lockedUntilMillis) { }

    private final int maxFailures;
    private final Duration lockout;
    private final Clock clock;
    private final Map<String, Failures> failures = new ConcurrentHashMap<>();

    public LoginThrottle(int maxFailures, Duration lockout, Clock clock) {
        this.maxFailures = maxFailures;
        this.lockout = lockout;
        this.clock = clock;
    }

    /** How much longer the key is refused; zero when it may try. */
    public Duration lockedFor(String key) {
        Failures f = failures.get(key);
        long left = f == null ? 0 : f.lockedUntilMillis() - clock.millis();
        if (f != null && f.count() >= maxFailures && left <= 0) {
            failures.remove(key, f); // the lockout is over: start counting afresh
        }
        return left > 0 ? Duration.ofMillis(left) : Duration.ZERO;
    }

    public void failed(String key) {
        if (failures.size() >= MAX_KEYS) {
            long now = clock.millis();
            failures.values().removeIf(f -> f.lockedUntilMillis() <= now);
        }
        failures.compute(key, (k, f) -> {
            int count = f == null ? 1 : f.count() + 1;
            return new Failures(count, count >= maxFailures ? clock.millis() + lockout.toMillis() : 0);
        });
    }

    public void succeeded(String key) {
        failures.remove(key);
    }
}
