package io.cloudpark.account;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.time.Duration;
import java.time.Instant;

import org.junit.jupiter.api.Test;
import io.cloudpark.testing.SteppedClock;

class LoginThrottleTest {

    private final SteppedClock clock = new SteppedClock(Instant.parse("2026-12-03T10:00:00Z"));
    private final LoginThrottle throttle = new LoginThrottle(3, Duration.ofSeconds(60), clock);

    @Test
    void locksAKeyAfterTheLimitForTheLockoutThenCountsAfresh() {
        throttle.failed("alice|192.0.2.1");
        throttle.failed("alice|192.0.2.1");
        assertEquals(Duration.ZERO, throttle.lockedFor("alice|192.0.2.1"));
        throttle.failed("alice|192.0.2.1");
        assertEquals(Duration.ofSeconds(60), throttle.lockedFor("alice|192.0.2.1"));
        assertEquals(Duration.ZERO, throttle.lockedFor("alice|192.0.2.2"), "another address");
        assertEquals(Duration.ZERO, throttle.lockedFor("bob|192.0.2.1"), "another user");

        clock.advance(Duration.ofSeconds(59));
        assertEquals(Duration.ofSeconds(1), throttle.lockedFor("alice|192.0.2.1"));
        clock.advance(Duration.ofSeconds(1));
        assertEquals(Duration.ZERO, throttle.lockedFor("alice|192.0.2.1"));
        throttle.failed("alice|192.0.2.1");
        assertEquals(Duration.ZERO, throttle.lockedFor("alice|192.0.2.1"), "one failure after the lockout is one");
    }

    @Test
    void aSuccessResetsTheCount() {
        throttle.failed("alice|192.0.2.1");
        throttle.failed("alice|192.0.2.1");
        throttle.succeeded("alice|192.0.2.1");
        throttle.failed("alice|192.0.2.1");
        throttle.failed("alice|192.0.2.1");
        assertEquals(Duration.ZERO, throttle.lockedFor("alice|192.0.2.1"));
    }
}
