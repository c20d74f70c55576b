package io.cloudpark.admin;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.Deque;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Consumer;

import javax.servlet.AsyncContext;
import javax.servlet.AsyncEvent;
import javax.servlet.AsyncListener;
import javax.servlet.ServletOutputStream;

import org.apache.log4j.Logger;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;

import io.cloudpark.events.EventFeed;
import io.cloudpark.park.ParkEvent;
import io.cloudpark.tenant.Tenant;
import io.cloudpark.tenant.TenantDirectory;

/**
 * The open event streams of this node (Server-Sent Events). A stream holds no HTTP thread: it is an
 * {@link AsyncContext} that the feed's events and the keep-alive are written to, by a small pool of writer threads,
 * each stream's writes in order. A stream whose client reads too slowly to keep up ({@link #MAX_PENDING} frames
 * waiting) is closed: the client reconnects with its last event id and catches up from the store.
 */
final class EventStreams implements Consumer<ParkEvent>, AutoCloseable {
    private static final Logger LOG = Logger.getLogger(EventStreams.class);
    static final long KEEP_ALIVE_SECONDS = 15;
    private static final int MAX_PENDING = 1_000;
    private static final Duration CLOSE_WAIT = Duration.ofSeconds(2);
    private static final ObjectMapper MAPPER = new ObjectMapper();

    private final EventFeed feed;
    private final TenantDirectory directory;
    private final int maxStreams;
    private final Set<Stream> streams = ConcurrentHashMap.newKeySet();
    private final AtomicInteger open = new AtomicInteger();
    private final ExecutorService writers;
    private final ScheduledFuture<?> keepAlive;

    EventStreams(EventFeed feed, TenantDirectory directory, int maxStreams, ScheduledExecutorService scheduler) {
        this.feed = feed;
        this.directory = directory;
        this.maxStreams = maxStreams;
        AtomicInteger threads = new AtomicInteger();
        this.writers = Executors.newFixedThreadPool(2, task -> {
            Thread t = new Thread(task, "cloudpark-event-stream-" + threads.incrementAndGet());
            t.setDaemon(true);
            return t;
        });
        this.keepAlive = scheduler.scheduleWithFixedDelay(this::keepAlive, KEEP_ALIVE_SECONDS, KEEP_ALIVE_SECONDS,
                TimeUnit.SECONDS);
        feed.listen(this);
    }

    /** Takes one of the node's stream places; false when all are taken. */
    boolean reserve() {
        if (open.incrementAndGet() > maxStreams) {
            open.decrementAndGet();
            return false;
        }
        return true;
    }

    /** Gives back a place {@link #reserve}d for a stream that did not open. */
    void release() {
        open.decrementAndGet();
    }

    int maxStreams() {
        return maxStreams;
    }

    /**
     * Opens a stream of the tenant's events after {@code lastEventId} (a place {@link #reserve}d before, which the
     * stream gives back when it ends, even if it fails to open): first those already in the store, then live ones,
     * each once, in order.
     */
    void open(AsyncContext async, Tenant tenant, long lastEventId, ReplaySource replay) throws IOException {
        Stream stream = new Stream(async, tenant);
        try {
            async.addListener(stream);
            replayThenLive(stream, tenant, lastEventId, replay);
        } catch (IOException | RuntimeException e) {
            stream.close();
            throw e;
        }
    }

    private void replayThenLive(Stream stream, Tenant tenant, long lastEventId, ReplaySource replay) throws IOException {
        streams.add(stream); // from here every live event is queued for it, before the replay is read
        long settled = feed.settled();
        synchronized (stream) {
            stream.delivered = Math.min(lastEventId, settled);
        }
        StringBuilder first = new StringBuilder("retry: 2000\n\n");
        long after = Math.min(lastEventId, settled);
        while (true) {
            var page = replay.after(tenant.id(), after, settled);
            for (ParkEvent event : page) {
                first.append(frame(tenant, event));
                after = event.id();
            }
            if (page.isEmpty() || after >= settled) {
                break;
            }
        }
        stream.replayed(first.toString(), after);
    }

    /** The tenant's stored events numbered above {@code after} and at most {@code through}, a page. */
    @FunctionalInterface
    interface ReplaySource {
        java.util.List<ParkEvent> after(long tenantId, long after, long through);
    }

    @Override
    public void accept(ParkEvent event) {
        for (Stream stream : streams) {
            if (stream.tenant.id() == event.call().tenantId()) {
                // the tenant as it is now: its retrieve code may have changed since the stream opened
                Tenant tenant = directory.tenantById(stream.tenant.id()).orElse(stream.tenant);
                stream.send(event.id(), frame(tenant, event));
            }
        }
    }

    private static String frame(Tenant tenant, ParkEvent event) {
        try {
            return "id: " + event.id() + "\nevent: " + event.type() + "\ndata: "
                    + MAPPER.writeValueAsString(Views.parkEvent(tenant, event)) + "\n\n";
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("park event " + event.id() + " cannot be written as JSON", e);
        }
    }

    private void keepAlive() {
        for (Stream stream : streams) {
            stream.send(-1, ": keep-alive\n\n");
        }
    }

    int openStreams() {
        return streams.size();
    }

    /**
     * Ends every stream on the writer threads, waiting for them a bounded time. Not on the calling thread: at undeploy
     * that is Tomcat's, holding the servlet's lock, and a stream whose first request is still leaving the servlet
     * needs that lock before its {@code AsyncContext.complete()} can return.
     */
    @Override
    public void close() {
        feed.unlisten(this);
        keepAlive.cancel(false);
        for (Stream stream : streams) {
            stream.closeLater();
        }
        writers.shutdown();
        try {
            if (!writers.awaitTermination(CLOSE_WAIT.toMillis(), TimeUnit.MILLISECONDS)) {
                LOG.info("event streams still closing after " + CLOSE_WAIT.toSeconds() + " s; they end once their requests do");
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    /** One client's stream: frames waiting to be written, written by one writer thread at a time. */
    private final class Stream implements AsyncListener {
        final AsyncContext async;
        final Tenant tenant;
        private final Deque<String> pending = new ArrayDeque<>();
        private final Deque<Long> pendingIds = new ArrayDeque<>();
        /** The highest event number written (or replayed); live events at or below it are already sent. */
        long delivered;
        private boolean replaying = true;
        private boolean writing;
        private boolean closed;

        Stream(AsyncContext async, Tenant tenant) {
            this.async = async;
            this.tenant = tenant;
        }

        /** {@code id} -1: a comment, not an event. */
        void send(long id, String frame) {
            synchronized (this) {
                if (closed) {
                    return;
                }
                if (pending.size() >= MAX_PENDING) {
                    LOG.info("event stream of " + tenant.domain() + " closed: its client reads too slowly");
                    closeLater();
                    return;
                }
                pending.add(frame);
                pendingIds.add(id);
                if (replaying || writing) {
                    return;
                }
                writing = true;
            }
            writers.execute(this::drain);
        }

        /** The replay is written on the request's thread; then the live events queued meanwhile follow. */
        void replayed(String frames, long through) throws IOException {
            write(frames);
            synchronized (this) {
                delivered = Math.max(delivered, through);
                replaying = false;
                if (pending.isEmpty() || writing || closed) {
                    return;
                }
                writing = true;
            }
            writers.execute(this::drain);
        }

        private void drain() {
            while (true) {
                StringBuilder batch = new StringBuilder();
                synchronized (this) {
                    while (!pending.isEmpty()) {
                        String frame = pending.poll();
                        long id = pendingIds.poll();
                        if (id < 0 || id > delivered) {
                            batch.append(frame);
                            delivered = Math.max(delivered, id);
                        }
                    }
                    if (batch.length() == 0 || closed) {
                        writing = false;
                        return;
                    }
                }
                try {
                    write(batch.toString());
                } catch (IOException | RuntimeException e) {
                    LOG.debug("event stream of " + tenant.domain() + " ended: " + e.getMessage());
                    close();
                    synchronized (this) {
                        writing = false;
                    }
                    return;
                }
            }
        }

        private void write(String frames) throws IOException {
            ServletOutputStream out = async.getResponse().getOutputStream();
            out.write(frames.getBytes(StandardCharsets.UTF_8));
            out.flush();
        }

        private void closeLater() {
            writers.execute(this::close);
        }

        void close() {
            synchronized (this) {
                if (closed) {
                    return;
                }
                closed = true;
            }
            forget();
            try {
                async.complete();
            } catch (RuntimeException e) {
                LOG.debug("event stream already completed: " + e.getMessage());
            }
        }

        private boolean forgotten;

        /** Gives its place back, once. */
        private void forget() {
            synchronized (this) {
                if (forgotten) {
                    return;
                }
                forgotten = true;
            }
            streams.remove(this);
            open.decrementAndGet();
        }

        @Override
        public void onComplete(AsyncEvent event) {
            synchronized (this) {
                closed = true;
            }
            forget();
        }

        @Override
        public void onTimeout(AsyncEvent event) {
            close();
        }

        @Override
        public void onError(AsyncEvent event) {
            close();
        }

        @Override
        public void onStartAsync(AsyncEvent event) {
        }
    }
}
