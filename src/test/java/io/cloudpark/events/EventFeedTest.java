package io.cloudpark.events;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.Test;

import io.cloudpark.park.ParkEvent;
import io.cloudpark.park.ParkEventStore;
import io.cloudpark.park.ParkStatus;
import io.cloudpark.park.ParkedCall;
import io.cloudpark.park.Party;
import io.cloudpark.testing.SteppedClock;

/**
 * The feed hands events on in number order: a number not committed yet (another node's) is waited for, and after
 * {@link EventFeed#GAP_WAIT} taken as never committed. The store here says what is visible; each read is counted, so
 * "nothing handed on" is asserted after the feed has read again.
 */
class EventFeedTest {
    private static final Instant T0 = Instant.parse("2026-11-22T10:15:00Z");

    private static final class VisibleRows implements ParkEventStore {
        volatile List<ParkEvent> visible = List.of();
        final Semaphore reads = new Semaphore(0);

        @Override
        public List<ParkEvent> after(long afterId, int limit) {
            List<ParkEvent> out = visible.stream().filter(e -> e.id() > afterId).limit(limit).toList();
            reads.release();
            return out;
        }

        @Override
        public long lastId() {
            return 10;
        }

        @Override
        public List<ParkEvent> append(List<ParkEvent.Occurrence> occurrences) {
            throw new UnsupportedOperationException();
        }

        @Override
        public List<ParkEvent> after(long tenantId, long afterId, long throughId, int limit) {
            throw new UnsupportedOperationException();
        }

        @Override
        public long countAfter(long tenantId, long afterId, long throughId) {
            throw new UnsupportedOperationException();
        }

        @Override
        public int prune(Instant before, int keep) {
            throw new UnsupportedOperationException();
        }

        /** Waits for two more reads: one may have begun before the change, the next surely saw it. */
        void awaitReads() throws InterruptedException {
            reads.drainPermits();
            assertTrue(reads.tryAcquire(2, 10, TimeUnit.SECONDS));
        }
    }

    private static ParkEvent event(long id) {
        return new ParkEvent(id, "parked", new ParkedCall("p" + id, 1, "103", new Party("sip:150@a.test", null),
                new Party("sip:101@a.test", null), "101", T0, T0.plusSeconds(45), ParkStatus.PARKED, "n"), T0, null, null);
    }

    @Test
    void aGapIsWaitedForThenFilledInOrderOrAfterTheWaitSkipped() throws Exception {
        VisibleRows store = new VisibleRows();
        SteppedClock clock = new SteppedClock(T0);
        BlockingQueue<Long> handed = new LinkedBlockingQueue<>();
        try (EventFeed feed = new EventFeed(store, clock, Duration.ofMillis(20))) {
            feed.listen(e -> handed.add(e.id()));
            store.visible = List.of(event(11), event(13)); // 12 is not committed yet
            assertEquals(11L, handed.poll(10, TimeUnit.SECONDS));
            store.awaitReads();
            assertNull(handed.poll(), "13 waits for 12");
            assertEquals(11, feed.settled());

            store.visible = List.of(event(11), event(12), event(13));
            assertEquals(12L, handed.poll(10, TimeUnit.SECONDS));
            assertEquals(13L, handed.poll(10, TimeUnit.SECONDS));

            store.visible = List.of(event(11), event(12), event(13), event(15)); // 14 rolled back: never comes
            store.awaitReads();
            assertNull(handed.poll(), "15 waits for 14");
            clock.advance(EventFeed.GAP_WAIT.minusMillis(1));
            store.awaitReads();
            assertNull(handed.poll(), "still within the wait");
            clock.advance(Duration.ofMillis(1));
            assertEquals(15L, handed.poll(10, TimeUnit.SECONDS));
            assertEquals(15, feed.settled());
        }
    }
}
