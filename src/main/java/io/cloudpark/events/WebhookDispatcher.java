package io.cloudpark.events;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Function;
import java.util.function.LongSupplier;

import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;

import org.apache.log4j.Logger;

import io.cloudpark.park.ParkEvent;
import io.cloudpark.park.ParkEventStore;

/**
 * Delivers the tenants' park events to their webhooks, on threads of its own: a slow or dead receiver delays only
 * its own webhook, never a call.
 * <p>
 * Each webhook's queue is persisted: it is every event of its tenant after the webhook's cursor, which moves only
 * once an event is delivered (a 2xx answer), passed over (not of its types), given up or skipped; a restart goes on
 * from the cursor. Delivery is at least once and in order, one event at a time per webhook. A failed attempt
 * (connection refused, timeout, non-2xx) is tried again after 1 s, 2 s, 4 s… (at most {@link #MAX_BACKOFF}), up to
 * the maximum attempts; then the event is given up and the next one follows. When a webhook falls more than its
 * backlog behind, the oldest events are skipped. Both are counted on the webhook and logged.
 * <p>
 * In a cluster one node delivers a webhook at a time: the one holding its lease in the store.
 */
public final class WebhookDispatcher implements AutoCloseable {
    private static final Logger LOG = Logger.getLogger(WebhookDispatcher.class);
    static final Duration FIRST_BACKOFF = Duration.ofSeconds(1);
    static final Duration MAX_BACKOFF = Duration.ofMinutes(5);
    static final Duration CONNECT_TIMEOUT = Duration.ofSeconds(5);
    static final Duration REQUEST_TIMEOUT = Duration.ofSeconds(10);
    /** Longer than an attempt can take, so a lease never runs out while its node is delivering. */
    private static final Duration LEASE = REQUEST_TIMEOUT.plusSeconds(50);
    private static final int PAGE = 100;
    public static final String SIGNATURE = "X-Cloudpark-Signature";
    public static final String TIMESTAMP = "X-Cloudpark-Timestamp";

    private final WebhookStore webhooks;
    private final ParkEventStore events;
    private final LongSupplier settled;
    private final Function<ParkEvent, byte[]> render;
    private final WebhookDestinations destinations;
    private final Clock clock;
    private final String node;
    private final int maxAttempts;
    private final int backlog;
    private final ExecutorService senders;
    /** Made with the first delivery: a node whose tenants have no webhooks runs none of its threads. */
    private HttpClient http;
    private final Set<Long> inFlight = ConcurrentHashMap.newKeySet();
    private final ScheduledExecutorService ticker;
    private final AtomicBoolean roundQueued = new AtomicBoolean();
    private volatile boolean started;

    /**
     * @param settled every event at or below this number is in the store for good (the feed's)
     * @param render  an event as the JSON body of its delivery
     */
    public WebhookDispatcher(WebhookStore webhooks, ParkEventStore events, LongSupplier settled,
                             Function<ParkEvent, byte[]> render, WebhookDestinations destinations, Clock clock,
                             String node, int maxAttempts, int backlog) {
        this.webhooks = webhooks;
        this.events = events;
        this.settled = settled;
        this.render = render;
        this.destinations = destinations;
        this.clock = clock;
        this.node = node;
        this.maxAttempts = maxAttempts;
        this.backlog = backlog;
        AtomicInteger threads = new AtomicInteger();
        this.senders = Executors.newFixedThreadPool(2, task -> {
            Thread t = new Thread(task, "cloudpark-webhook-" + threads.incrementAndGet());
            t.setDaemon(true);
            return t;
        });
        this.ticker = Executors.newSingleThreadScheduledExecutor(task -> {
            Thread t = new Thread(task, "cloudpark-webhooks");
            t.setDaemon(true);
            return t;
        });
    }

    /** Delivers every second (retries fall due) and whenever {@link #wake} is called (new events). */
    public void start() {
        started = true;
        ticker.scheduleWithFixedDelay(this::wake, 1, 1, TimeUnit.SECONDS);
    }

    /** There may be something to deliver: a round soon, on the dispatcher's thread. */
    public void wake() {
        if (started && roundQueued.compareAndSet(false, true)) {
            ticker.execute(() -> {
                roundQueued.set(false);
                try {
                    deliverDue();
                } catch (RuntimeException e) {
                    LOG.warn("webhook round failed: " + e.getMessage());
                }
            });
        }
    }

    /**
     * One round: for each enabled webhook that is due and not already sending, the next event it should get is
     * sent. Completes when every attempt this round started has been answered and recorded.
     */
    CompletableFuture<Void> deliverDue() {
        List<CompletableFuture<Void>> started = new ArrayList<>();
        for (Webhook webhook : webhooks.enabled()) {
            if (!inFlight.add(webhook.id())) {
                continue;
            }
            CompletableFuture<Void> attempt;
            try {
                attempt = step(webhook);
            } catch (RuntimeException e) {
                LOG.warn("webhook " + webhook.id() + ": " + e.getMessage());
                attempt = CompletableFuture.completedFuture(null);
            }
            started.add(attempt.whenComplete((done, failure) -> inFlight.remove(webhook.id())));
        }
        return CompletableFuture.allOf(started.toArray(CompletableFuture[]::new));
    }

    private CompletableFuture<Void> step(Webhook webhook) {
        Instant now = clock.instant();
        Webhook.Delivery state = webhook.delivery();
        if (state.nextAttemptAt() != null && now.isBefore(state.nextAttemptAt())) {
            return CompletableFuture.completedFuture(null);
        }
        long through = settled.getAsLong();
        long cursor = state.deliveredThrough();
        if (cursor >= through) {
            return CompletableFuture.completedFuture(null);
        }
        long skipped = 0;
        long pending = events.countAfter(webhook.tenantId(), cursor, through);
        if (pending > backlog) {
            List<ParkEvent> oldest = events.after(webhook.tenantId(), cursor, through, (int) (pending - backlog));
            skipped = oldest.size();
            cursor = oldest.get(oldest.size() - 1).id();
            LOG.warn("webhook " + webhook.id() + " (" + webhook.url() + ") is " + pending + " events behind, more than "
                    + backlog + ": the oldest " + skipped + " are skipped");
        }
        ParkEvent next = null;
        for (ParkEvent event : events.after(webhook.tenantId(), cursor, through, PAGE)) {
            if (webhook.eventTypes().contains(event.type())) {
                next = event;
                break;
            }
            cursor = event.id(); // not of its types: passed over
        }
        // refused if another node delivers it, or if an attempt was recorded since enabled() was read: the round
        // read its state before the previous attempt finished, and would send that event again
        if (!webhooks.lease(webhook.id(), node, now, now.plus(LEASE), state)) {
            return CompletableFuture.completedFuture(null);
        }
        long passed = cursor;
        long skippedNow = skipped;
        if (next == null) {
            webhooks.progress(webhook.id(), node, state.deliveredThrough(), new Webhook.Delivery(passed, 0, null,
                    state.lastAttemptAt(), state.lastError(), state.givenUp(), state.skipped() + skippedNow));
            return CompletableFuture.completedFuture(null);
        }
        ParkEvent event = next;
        return send(webhook, event).thenAccept(failure -> record(webhook, event, passed, skippedNow, failure));
    }

    /** Completes with why the attempt failed, or empty when the receiver took it. */
    private CompletableFuture<Optional<String>> send(Webhook webhook, ParkEvent event) {
        URI uri = URI.create(webhook.url());
        Optional<String> refused = destinations.deliveryRefusal(uri);
        if (refused.isPresent()) {
            return CompletableFuture.completedFuture(Optional.of("destination refused: " + refused.get()));
        }
        byte[] body = render.apply(event);
        String timestamp = Long.toString(clock.instant().getEpochSecond());
        HttpRequest request = HttpRequest.newBuilder(uri)
                .timeout(REQUEST_TIMEOUT)
                .header("Content-Type", "application/json")
                .header("User-Agent", "cloudpark-webhook")
                .header("X-Cloudpark-Webhook-Id", Long.toString(webhook.id()))
                .header("X-Cloudpark-Event-Id", Long.toString(event.id()))
                .header("X-Cloudpark-Event", event.type())
                .header(TIMESTAMP, timestamp)
                .header(SIGNATURE, signature(webhook.secret(), timestamp, body))
                .POST(HttpRequest.BodyPublishers.ofByteArray(body))
                .build();
        return http().sendAsync(request, HttpResponse.BodyHandlers.discarding()).handle((response, error) -> {
            if (error != null) {
                Throwable cause = error.getCause() == null ? error : error.getCause();
                return Optional.of(cause.getClass().getSimpleName() + (cause.getMessage() == null ? "" : ": " + cause.getMessage()));
            }
            int status = response.statusCode();
            return status >= 200 && status < 300 ? Optional.<String>empty() : Optional.of("HTTP " + status);
        });
    }

    private synchronized HttpClient http() {
        if (http == null) {
            http = HttpClient.newBuilder().connectTimeout(CONNECT_TIMEOUT).followRedirects(HttpClient.Redirect.NEVER)
                    .executor(senders).build();
        }
        return http;
    }

    /**
     * {@code sha256=} and the lower-case hex HMAC-SHA256, keyed with the secret, of the timestamp, a dot and the body:
     * what a receiver recomputes to know the body is ours, unchanged, and (by the timestamp) not replayed long after.
     */
    public static String signature(String secret, String timestamp, byte[] body) {
        try {
            Mac mac = Mac.getInstance("HmacSHA256");
            mac.init(new SecretKeySpec(secret.getBytes(StandardCharsets.UTF_8), "HmacSHA256"));
            mac.update((timestamp + ".").getBytes(StandardCharsets.UTF_8));
            return "sha256=" + HexFormat.of().formatHex(mac.doFinal(body));
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("HmacSHA256 is part of every Java runtime", e);
        }
    }

    private void record(Webhook webhook, ParkEvent event, long passed, long skipped, Optional<String> failure) {
        Instant now = clock.instant();
        Webhook.Delivery state = webhook.delivery();
        Webhook.Delivery next;
        if (failure.isEmpty()) {
            next = new Webhook.Delivery(event.id(), 0, null, now, null, state.givenUp(), state.skipped() + skipped);
        } else {
            // attempts count failures at the event after the cursor: a different event starts again from 1
            int attempts = (passed == state.deliveredThrough() ? state.attempts() : 0) + 1;
            if (attempts >= maxAttempts) {
                LOG.warn("webhook " + webhook.id() + " (" + webhook.url() + "): event " + event.id() + " given up after "
                        + attempts + " attempts, the last: " + failure.get());
                next = new Webhook.Delivery(event.id(), 0, null, now, failure.get(), state.givenUp() + 1,
                        state.skipped() + skipped);
            } else {
                Instant retryAt = now.plus(backoff(attempts));
                LOG.info("webhook " + webhook.id() + " (" + webhook.url() + "): event " + event.id() + " attempt "
                        + attempts + " failed (" + failure.get() + "); next at " + retryAt);
                next = new Webhook.Delivery(passed, attempts, retryAt, now, failure.get(), state.givenUp(),
                        state.skipped() + skipped);
            }
        }
        try {
            webhooks.progress(webhook.id(), node, state.deliveredThrough(), next);
        } catch (RuntimeException e) {
            LOG.warn("webhook " + webhook.id() + ": delivery state not stored (" + e.getMessage() + "); the event will be sent again");
        }
        if (failure.isEmpty()) {
            wake(); // the next event, if there is one, without waiting for the tick
        }
    }

    /** After the n-th failed attempt: 1 s, 2 s, 4 s…, at most {@link #MAX_BACKOFF}. */
    static Duration backoff(int failedAttempts) {
        Duration wait = FIRST_BACKOFF.multipliedBy(1L << Math.min(failedAttempts - 1, 20));
        return wait.compareTo(MAX_BACKOFF) > 0 ? MAX_BACKOFF : wait;
    }

    @Override
    public void close() {
        ticker.shutdownNow();
        senders.shutdownNow();
    }
}
