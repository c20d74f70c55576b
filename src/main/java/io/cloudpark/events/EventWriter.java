package io.cloudpark.events;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;

import org.apache.log4j.Logger;

import io.cloudpark.park.ParkEvent;
import io.cloudpark.park.ParkEventStore;
import io.cloudpark.park.ParkEvents;
import io.cloudpark.park.StoreUnavailableException;

/**
 * Records park events off the SIP threads: {@link #occurred} only puts the occurrence on a bounded queue, and one
 * thread writes what is queued, a batch per transaction, in the order it happened.
 * <p>
 * When the queue is full (the database is down or far slower than the calls) the new occurrence is dropped, counted
 * and logged: a park never waits for its event. Clients that resume see the gap as a missing event; the park itself,
 * its history and its NOTIFYs are untouched. A batch the store cannot take is kept and tried again with backoff.
 */
public final class EventWriter implements ParkEvents, AutoCloseable {
    private static final Logger LOG = Logger.getLogger(EventWriter.class);
    private static final int BATCH = 100;
    private static final long RETRY_FIRST_MS = 500;
    private static final long RETRY_MAX_MS = 5_000;

    private final ParkEventStore store;
    private final BlockingQueue<ParkEvent.Occurrence> queue;
    private final Consumer<List<ParkEvent>> recorded;
    private final Runnable droppedOne;
    private final Thread thread;
    private volatile boolean running = true;

    /**
     * @param capacity   how many occurrences may wait to be written
     * @param recorded   told of each batch once it is committed (on the writer's thread)
     * @param droppedOne counts an occurrence dropped because the queue was full
     */
    public EventWriter(ParkEventStore store, int capacity, Consumer<List<ParkEvent>> recorded, Runnable droppedOne) {
        this.store = store;
        this.queue = new ArrayBlockingQueue<>(capacity);
        this.recorded = recorded;
        this.droppedOne = droppedOne;
        this.thread = new Thread(this::run, "cloudpark-event-writer");
        thread.setDaemon(true);
        thread.start();
    }

    @Override
    public void occurred(ParkEvent.Occurrence occurrence) {
        if (!queue.offer(occurrence)) {
            droppedOne.run();
            LOG.warn("event queue full (" + (queue.size() + queue.remainingCapacity()) + "): " + occurrence.type()
                    + " of park " + occurrence.parkId() + " is not recorded; the park itself is unaffected");
        }
    }

    private void run() {
        List<ParkEvent.Occurrence> batch = new ArrayList<>();
        int failures = 0;
        while (running) {
            try {
                if (batch.isEmpty()) {
                    batch.add(queue.take());
                    queue.drainTo(batch, BATCH - 1);
                }
                List<ParkEvent> events = store.append(batch);
                batch.clear();
                failures = 0;
                recorded.accept(events);
            } catch (InterruptedException e) {
                return;
            } catch (StoreUnavailableException e) {
                long wait = Math.min(RETRY_MAX_MS, RETRY_FIRST_MS << Math.min(failures++, 10));
                LOG.warn(batch.size() + " park events not recorded yet (" + e.getMessage() + "); trying again in "
                        + wait + " ms");
                try {
                    TimeUnit.MILLISECONDS.sleep(wait);
                } catch (InterruptedException stop) {
                    return;
                }
            } catch (RuntimeException e) {
                LOG.error(batch.size() + " park events lost to a programming error", e);
                batch.clear();
            }
        }
    }

    /** Stops the writer; what is still queued is not recorded. */
    @Override
    public void close() {
        running = false;
        thread.interrupt();
        try {
            thread.join(TimeUnit.SECONDS.toMillis(5));
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        if (!queue.isEmpty()) {
            LOG.warn(queue.size() + " park events not recorded at shutdown");
        }
    }
}
