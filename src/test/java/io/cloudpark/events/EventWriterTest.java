package io.cloudpark.events;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Instant;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

import org.junit.jupiter.api.Test;

import io.cloudpark.park.ParkEvent;
import io.cloudpark.park.ParkEventStore;

/** The writer's queue is bounded: when it is full an occurrence is dropped and counted, and the caller never waits. */
class EventWriterTest {

    /** A store whose first append waits until the test lets it go. */
    private static final class HeldStore implements ParkEventStore {
        final CountDownLatch entered = new CountDownLatch(1);
        final CountDownLatch release = new CountDownLatch(1);
        final LinkedBlockingQueue<List<String>> batches = new LinkedBlockingQueue<>();

        @Override
        public List<ParkEvent> append(List<ParkEvent.Occurrence> occurrences) {
            entered.countDown();
            try {
                assertTrue(release.await(10, TimeUnit.SECONDS));
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
            batches.add(occurrences.stream().map(ParkEvent.Occurrence::parkId).toList());
            return List.of();
        }

        @Override
        public List<ParkEvent> after(long afterId, int limit) {
            return List.of();
        }

        @Override
        public List<ParkEvent> after(long tenantId, long afterId, long throughId, int limit) {
            return List.of();
        }

        @Override
        public long countAfter(long tenantId, long afterId, long throughId) {
            return 0;
        }

        @Override
        public long lastId() {
            return 0;
        }

        @Override
        public int prune(Instant before, int keep) {
            return 0;
        }
    }

    private static ParkEvent.Occurrence parked(String id) {
        return new ParkEvent.Occurrence(id, null, Instant.EPOCH, null);
    }

    @Test
    void whenTheQueueIsFullTheNewOccurrenceIsDroppedAndCountedAndTheRestAreWrittenInOrder() throws Exception {
        HeldStore store = new HeldStore();
        AtomicInteger dropped = new AtomicInteger();
        List<List<ParkEvent>> recorded = Collections.synchronizedList(new ArrayList<>());
        try (EventWriter writer = new EventWriter(store, 2, recorded::add, dropped::incrementAndGet)) {
            writer.occurred(parked("a"));
            assertTrue(store.entered.await(10, TimeUnit.SECONDS), "the writer holds a, the queue is empty");
            writer.occurred(parked("b"));
            writer.occurred(parked("c"));
            assertEquals(0, dropped.get());
            writer.occurred(parked("d")); // returns at once: the queue (2) is full
            assertEquals(1, dropped.get());
            store.release.countDown();
            assertEquals(List.of("a"), store.batches.poll(10, TimeUnit.SECONDS));
            assertEquals(List.of("b", "c"), store.batches.poll(10, TimeUnit.SECONDS));
        }
        assertEquals(1, dropped.get());
        assertEquals(List.of(), store.batches.stream().toList(), "d was never written");
    }
}
