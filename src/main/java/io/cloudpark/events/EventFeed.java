package io.cloudpark.events;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;

import org.apache.log4j.Logger;

import io.cloudpark.park.ParkEvent;
import io.cloudpark.park.ParkEventStore;
import io.cloudpark.park.StoreUnavailableException;

/**
 * The live events of every node of the cluster, in number order, read from the store by one thread per node: at
 * once when this node's writer has recorded some ({@link #recorded}), and every poll interval for the other nodes'.
 * <p>
 * Listeners get each event once, in order, and {@link #settled()} is the number through which they have all been
 * given: everything at or below it is in the store for good. Numbers are handed out on insert, so with several nodes
 * writing, n+1 may become visible before n commits: the feed then waits up to {@link #GAP_WAIT} for n, and after that
 * takes n as a number no transaction kept (a rollback) and goes on.
 */
public final class EventFeed implements AutoCloseable {
    private static final Logger LOG = Logger.getLogger(EventFeed.class);
    static final Duration GAP_WAIT = Duration.ofSeconds(2);
    private static final int PAGE = 500;
    private static final long GAP_RECHECK_MS = 50;

    private final ParkEventStore store;
    private final Clock clock;
    private final long pollMillis;
    private final List<Consumer<ParkEvent>> listeners = new CopyOnWriteArrayList<>();
    private final Object wake = new Object();
    private final Thread thread;
    private volatile long settled;
    private volatile boolean running = true;
    private boolean poked;
    private Instant gapSeen;

    public EventFeed(ParkEventStore store, Clock clock, Duration poll) {
        this.store = store;
        this.clock = clock;
        this.pollMillis = poll.toMillis();
        this.settled = startingPoint(store);
        this.thread = new Thread(this::run, "cloudpark-event-feed");
        thread.setDaemon(true);
        thread.start();
    }

    private static long startingPoint(ParkEventStore store) {
        try {
            return store.lastId();
        } catch (StoreUnavailableException e) {
            LOG.warn("event feed starts without the store (" + e.getMessage() + "): it catches up when it is back");
            return 0;
        }
    }

    /** Every event at or below this number has been given to the listeners. */
    public long settled() {
        return settled;
    }

    public void listen(Consumer<ParkEvent> listener) {
        listeners.add(listener);
    }

    public void unlisten(Consumer<ParkEvent> listener) {
        listeners.remove(listener);
    }

    /** This node has recorded events: read them now rather than at the next poll. */
    public void recorded(List<ParkEvent> events) {
        if (!events.isEmpty()) {
            synchronized (wake) {
                poked = true;
                wake.notifyAll();
            }
        }
    }

    private void run() {
        while (running) {
            long waitMs = pollMillis;
            try {
                waitMs = readNew() ? GAP_RECHECK_MS : pollMillis;
            } catch (StoreUnavailableException e) {
                LOG.debug("event feed: store unavailable (" + e.getMessage() + ")");
            } catch (RuntimeException e) {
                LOG.error("event feed failed a round", e);
            }
            synchronized (wake) {
                if (!poked && running) {
                    try {
                        wake.wait(waitMs);
                    } catch (InterruptedException e) {
                        return;
                    }
                }
                poked = false;
            }
        }
    }

    /** @return whether it stopped at a gap, to look again soon */
    private boolean readNew() {
        while (true) {
            List<ParkEvent> page = store.after(settled, PAGE);
            for (ParkEvent event : page) {
                if (event.id() != settled + 1) {
                    Instant now = clock.instant();
                    if (gapSeen == null) {
                        gapSeen = now;
                    }
                    if (Duration.between(gapSeen, now).compareTo(GAP_WAIT) < 0) {
                        return true;
                    }
                    LOG.debug("events " + (settled + 1) + " to " + (event.id() - 1) + " never committed: skipped");
                }
                gapSeen = null;
                settled = event.id(); // before the listeners: a stream that reads settled has been given all below it
                for (Consumer<ParkEvent> listener : listeners) {
                    try {
                        listener.accept(event);
                    } catch (RuntimeException e) {
                        LOG.error("event listener failed on event " + event.id(), e);
                    }
                }
            }
            if (page.size() < PAGE) {
                return false;
            }
        }
    }

    @Override
    public void close() {
        running = false;
        thread.interrupt();
        try {
            thread.join(TimeUnit.SECONDS.toMillis(5));
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
