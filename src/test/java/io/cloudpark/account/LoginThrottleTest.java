package io.cloudpark.account;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneId;
import java.time.ZoneOffset;

import org.junit.jupiter.api.Test;

class LoginThrottleTest {
    private static final class StepClock extends Clock {
        private Instant now = Instant.parse("2026-12-03T10:00:00Z");

        @Override
        public ZoneId getZone() {
            return ZoneOffset.UTC;
        }

        @Override
        public Clock withZone(ZoneId zone) {
            return this;
        }

        @Override
        public Instant instant() {
            return now;
        }
    }

    private final StepClock clock = new StepClock();
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

        clock.now = clock.now.plusSeconds(59);
        assertEquals(Duration.ofSeconds(1), throttle.lockedFor("alice|192.0.2.1"));
        clock.now = clock.now.plusSeconds(1);
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
