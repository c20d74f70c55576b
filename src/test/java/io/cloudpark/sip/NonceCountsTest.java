package io.cloudpark.sip;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.time.Instant;

import org.junit.jupiter.api.Test;
import io.cloudpark.testing.SteppedClock;

class NonceCountsTest {
    private static final Duration LIFETIME = Duration.ofSeconds(300);

    private final SteppedClock clock = new SteppedClock(Instant.parse("2026-11-22T08:00:00Z"));
    private final NonceCounts counts = new NonceCounts(clock, LIFETIME);

    @Test
    void aCountedNonceIsAcceptedOnlyWithAGrowingCount() {
        assertTrue(counts.firstUse("n1", 1, true));
        assertFalse(counts.firstUse("n1", 1, true), "the same count again is a replay");
        assertTrue(counts.firstUse("n1", 2, true));
        assertFalse(counts.firstUse("n1", 1, true), "an older count is a replay");
        assertTrue(counts.firstUse("n2", 1, true), "another nonce is its own");
    }

    @Test
    void aNonceWithoutQopIsUsedOnce() {
        assertTrue(counts.firstUse("n1", 1, false));
        assertFalse(counts.firstUse("n1", 1, false));
        assertFalse(counts.firstUse("n1", 2, false));
    }

    @Test
    void aCountSeenInTheOlderGenerationStillRefusesItsReplay() {
        assertTrue(counts.firstUse("n1", 5, true));
        clock.advance(LIFETIME.plusSeconds(1));
        assertFalse(counts.firstUse("n1", 5, true), "a lifetime later the count is still remembered");
        assertTrue(counts.firstUse("n1", 6, true));
        clock.advance(LIFETIME.plusSeconds(1));
        assertFalse(counts.firstUse("n1", 6, true), "carried into the next generation when used again");
    }

    @Test
    void nonceCountsLastTwoLifetimesAtMostWhateverTheTraffic() {
        for (int i = 0; i < 50_000; i++) {
            counts.firstUse("a" + i, 1, true);
        }
        clock.advance(LIFETIME);
        counts.firstUse("b", 1, true);
        assertEquals(50_001, counts.size(), "the first generation is kept one more lifetime");
        clock.advance(LIFETIME);
        counts.firstUse("c", 1, true);
        assertEquals(2, counts.size(), "nonces first used two lifetimes ago are expired and forgotten");
    }

}
