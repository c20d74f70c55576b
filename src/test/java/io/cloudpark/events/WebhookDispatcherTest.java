package io.cloudpark.events;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Proxy;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.UUID;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;

import com.sun.net.httpserver.HttpServer;

import io.cloudpark.park.ParkEvent;
import io.cloudpark.park.ParkStatus;
import io.cloudpark.park.ParkedCall;
import io.cloudpark.park.Party;
import io.cloudpark.park.Resolution;
import io.cloudpark.store.Database;
import io.cloudpark.tenant.Tenant;
import io.cloudpark.testing.SteppedClock;

/**
 * Webhook delivery against a real HTTP receiver and a real (H2) store, with time driven by the test: each round
 * ({@link WebhookDispatcher#deliverDue}) completes when its attempts are answered and recorded, so "nothing sent" is
 * asserted after the round has finished, never after a wait.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class WebhookDispatcherTest {
    private static final String SECRET = "whsec-0123456789abcdef";
    private static final Instant T0 = Instant.parse("2026-11-22T10:15:00Z");

    private SteppedClock clock;
    private Database db;
    private HttpServer receiver;
    private final List<Map.Entry<Map<String, String>, String>> received = Collections.synchronizedList(new ArrayList<>());
    /** What the receiver answers, request by request (200 once the list runs out). */
    private final List<Integer> answers = Collections.synchronizedList(new ArrayList<>());
    private Tenant tenant;

    @BeforeAll
    void openDatabase() {
        db = Database.open("jdbc:h2:mem:webhooks-" + UUID.randomUUID() + ";DB_CLOSE_DELAY=-1", "sa", "");
    }

    @AfterAll
    void closeDatabase() {
        db.close();
    }

    /** A tenant of its own per test: a webhook sees only its tenant's events. */
    @BeforeEach
    void start() throws IOException {
        clock = new SteppedClock(T0);
        received.clear();
        answers.clear();
        tenant = db.tenants().createTenant("hooks-" + UUID.randomUUID().toString().substring(0, 8) + ".test", "hooks");
        db.tenants().putExtension(tenant.id(), "103", "Ext 103", "ha1", null);
        receiver = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
        receiver.createContext("/hook", exchange -> {
            String body = new String(exchange.getRequestBody().readAllBytes(), StandardCharsets.UTF_8);
            received.add(Map.entry(Map.of(
                    "signature", exchange.getRequestHeaders().getFirst(WebhookDispatcher.SIGNATURE),
                    "timestamp", exchange.getRequestHeaders().getFirst(WebhookDispatcher.TIMESTAMP),
                    "event", exchange.getRequestHeaders().getFirst("X-Cloudpark-Event"),
                    "eventId", exchange.getRequestHeaders().getFirst("X-Cloudpark-Event-Id"),
                    "type", exchange.getRequestHeaders().getFirst("Content-Type")), body));
            int status = answers.isEmpty() ? 200 : answers.remove(0);
            exchange.sendResponseHeaders(status, -1);
            exchange.close();
        });
        receiver.start();
    }

    @AfterEach
    void stop() {
        receiver.stop(0);
        db.webhooks().list(tenant.id()).forEach(webhook -> db.webhooks().delete(tenant.id(), webhook.id()));
    }

    private String url() {
        return "http://127.0.0.1:" + receiver.getAddress().getPort() + "/hook";
    }

    private WebhookDispatcher dispatcher(int maxAttempts, int backlog) {
        return new WebhookDispatcher(db.webhooks(), db.parkEvents(), db.parkEvents()::lastId,
                event -> ("{\"eventId\":" + event.id() + ",\"type\":\"" + event.type() + "\"}").getBytes(StandardCharsets.UTF_8),
                new WebhookDestinations(List.of("127.0.0.1")), clock, "node-1", maxAttempts, backlog);
    }

    private Webhook webhook(List<String> types) {
        return db.webhooks().create(tenant.id(), url(), SECRET, types, true, T0, db.parkEvents().lastId());
    }

    /** A park that became retrievable, then (resolution not null) ended: its events as recorded. */
    private List<ParkEvent> park(Resolution end) {
        ParkedCall call = new ParkedCall(UUID.randomUUID().toString(), tenant.id(), "103", new Party("sip:150@" + tenant.domain(), null),
                new Party("sip:101@" + tenant.domain(), "Bob"), "101", T0, T0.plusSeconds(45), ParkStatus.HOLDING, "node-1");
        db.parkedCalls().insertHolding(call, 100);
        db.parkedCalls().markParked(call.id());
        List<ParkEvent> events = new ArrayList<>(db.parkEvents().append(List.of(new ParkEvent.Occurrence(call.id(), null, T0, null))));
        if (end != null) {
            db.parkedCalls().end(call.id(), end, T0, "system");
            events.addAll(db.parkEvents().append(List.of(new ParkEvent.Occurrence(call.id(), end, T0, "system"))));
        }
        return events;
    }

    private Webhook.Delivery state(Webhook webhook) {
        return db.webhooks().find(tenant.id(), webhook.id()).orElseThrow().delivery();
    }

    @Test
    void aDeliveryIsSignedWithTheSecretOverTheTimestampAndTheBody() {
        Webhook webhook = webhook(ParkEvent.TYPES);
        ParkEvent parked = park(null).get(0);
        try (WebhookDispatcher dispatcher = dispatcher(10, 100)) {
            dispatcher.deliverDue().join();
        }
        assertEquals(1, received.size());
        Map<String, String> headers = received.get(0).getKey();
        String body = received.get(0).getValue();
        assertEquals("{\"eventId\":" + parked.id() + ",\"type\":\"parked\"}", body);
        assertEquals(Long.toString(T0.getEpochSecond()), headers.get("timestamp"));
        assertEquals(WebhookDispatcher.signature(SECRET, headers.get("timestamp"), body.getBytes(StandardCharsets.UTF_8)),
                headers.get("signature"));
        assertTrue(headers.get("signature").matches("sha256=[0-9a-f]{64}"), headers.get("signature"));
        assertEquals("parked", headers.get("event"));
        assertEquals(Long.toString(parked.id()), headers.get("eventId"));
        assertEquals("application/json", headers.get("type"));
        assertEquals(new Webhook.Delivery(parked.id(), 0, null, T0, null, 0, 0), state(webhook));
    }

    @Test
    void aFailedDeliveryIsRetriedAfter1Then2SecondsAndNotBefore() {
        Webhook webhook = webhook(ParkEvent.TYPES);
        ParkEvent parked = park(null).get(0);
        answers.addAll(List.of(500, 503));
        try (WebhookDispatcher dispatcher = dispatcher(10, 100)) {
            dispatcher.deliverDue().join();
            assertEquals(1, received.size());
            Webhook.Delivery failed = state(webhook);
            assertEquals(1, failed.attempts());
            assertEquals(T0.plusSeconds(1), failed.nextAttemptAt());
            assertEquals("HTTP 500", failed.lastError());
            assertEquals(webhook.delivery().deliveredThrough(), failed.deliveredThrough(), "the cursor stays");

            clock.advance(Duration.ofMillis(999));
            dispatcher.deliverDue().join();
            assertEquals(1, received.size(), "not due yet");

            clock.advance(Duration.ofMillis(1));
            dispatcher.deliverDue().join();
            assertEquals(2, received.size());
            assertEquals(T0.plusSeconds(1 + 2), state(webhook).nextAttemptAt());
            assertEquals("HTTP 503", state(webhook).lastError());

            clock.advance(Duration.ofMillis(1999));
            dispatcher.deliverDue().join();
            assertEquals(2, received.size(), "not due yet");
            clock.advance(Duration.ofMillis(1));
            dispatcher.deliverDue().join();
            assertEquals(3, received.size());
            assertEquals(received.get(0).getValue(), received.get(2).getValue(), "the same event each time");
            assertEquals(new Webhook.Delivery(parked.id(), 0, null, T0.plusSeconds(3), null, 0, 0), state(webhook));
        }
    }

    @Test
    void theBackoffDoublesUpToFiveMinutes() {
        assertEquals(List.of(1L, 2L, 4L, 8L, 16L, 32L, 64L, 128L, 256L, 300L, 300L),
                java.util.stream.IntStream.rangeClosed(1, 11).mapToObj(n -> WebhookDispatcher.backoff(n).toSeconds()).toList());
    }

    @Test
    void anEventIsGivenUpAfterTheLastAttemptAndTheNextOneFollows() {
        Webhook webhook = webhook(ParkEvent.TYPES);
        List<ParkEvent> events = park(Resolution.ABANDONED);
        answers.addAll(List.of(500, 500));
        try (WebhookDispatcher dispatcher = dispatcher(2, 100)) {
            dispatcher.deliverDue().join();
            clock.advance(Duration.ofSeconds(1));
            dispatcher.deliverDue().join();
            Webhook.Delivery gaveUp = state(webhook);
            assertEquals(events.get(0).id(), gaveUp.deliveredThrough());
            assertEquals(1, gaveUp.givenUp());
            assertEquals(0, gaveUp.attempts());
            assertNull(gaveUp.nextAttemptAt());

            dispatcher.deliverDue().join();
            assertEquals(3, received.size());
            assertEquals("abandoned", received.get(2).getKey().get("event"));
            assertEquals(events.get(1).id(), state(webhook).deliveredThrough());
        }
    }

    @Test
    void onlyTheChosenTypesAreSentAndTheOthersArePassedOver() {
        Webhook webhook = webhook(List.of("retrieved"));
        park(Resolution.ABANDONED);
        List<ParkEvent> retrieved = park(Resolution.RETRIEVED);
        try (WebhookDispatcher dispatcher = dispatcher(10, 100)) {
            dispatcher.deliverDue().join();
            dispatcher.deliverDue().join();
        }
        assertEquals(List.of("retrieved"), received.stream().map(r -> r.getKey().get("event")).toList());
        assertEquals(retrieved.get(1).id(), state(webhook).deliveredThrough());
    }

    /** The queue is bounded: a webhook more than its backlog behind skips the oldest events, and counts them. */
    @Test
    void aWebhookFurtherBehindThanItsBacklogSkipsTheOldestEvents() {
        Webhook webhook = webhook(ParkEvent.TYPES);
        List<ParkEvent> events = new ArrayList<>();
        for (int i = 0; i < 4; i++) {
            events.addAll(park(null));
        }
        try (WebhookDispatcher dispatcher = dispatcher(10, 2)) {
            dispatcher.deliverDue().join();
            assertEquals(List.of(Long.toString(events.get(2).id())),
                    received.stream().map(r -> r.getKey().get("eventId")).toList(), "the two oldest skipped");
            assertEquals(2, state(webhook).skipped());
            dispatcher.deliverDue().join();
            assertEquals(events.get(3).id(), state(webhook).deliveredThrough());
            assertEquals(2, received.size());
        }
    }

    @Test
    void aDestinationTheOperatorDoesNotAllowIsNeverContacted() {
        Webhook webhook = webhook(ParkEvent.TYPES);
        park(null);
        try (WebhookDispatcher dispatcher = new WebhookDispatcher(db.webhooks(), db.parkEvents(), db.parkEvents()::lastId,
                event -> new byte[0], new WebhookDestinations(List.of(WebhookDestinations.ANY_PUBLIC_HOST)), clock, "node-1", 10, 100)) {
            dispatcher.deliverDue().join();
        }
        assertEquals(0, received.size());
        assertTrue(state(webhook).lastError().startsWith("destination refused: host 127.0.0.1 is a loopback"),
                state(webhook).lastError());
    }

    @Test
    void anotherNodeHoldingTheLeaseDeliversAloneAndItsLeaseRunsOut() {
        Webhook webhook = webhook(ParkEvent.TYPES);
        park(null);
        assertTrue(db.webhooks().lease(webhook.id(), "node-2", T0, T0.plusSeconds(60), webhook.delivery()));
        try (WebhookDispatcher dispatcher = dispatcher(10, 100)) {
            dispatcher.deliverDue().join();
            assertEquals(0, received.size(), "node-2 delivers it");
            clock.advance(Duration.ofSeconds(61));
            dispatcher.deliverDue().join();
            assertEquals(1, received.size(), "node-2's lease ran out: this node took over");
        }
    }

    /**
     * A round that read the webhooks before the previous round's attempt was recorded (the 1 s tick racing the wake
     * after a delivery, as in a CI run of WebhookIT) does not send that event again.
     */
    @Test
    void aRoundThatReadTheStateBeforeTheLastDeliveryWasRecordedDoesNotSendItAgain() {
        Webhook webhook = webhook(ParkEvent.TYPES);
        ParkEvent parked = park(null).get(0);
        List<Webhook> readBeforeTheDelivery = db.webhooks().enabled();
        WebhookStore stale = (WebhookStore) Proxy.newProxyInstance(WebhookStore.class.getClassLoader(),
                new Class<?>[] {WebhookStore.class}, (proxy, method, args) -> {
                    if (method.getName().equals("enabled")) {
                        return readBeforeTheDelivery;
                    }
                    try {
                        return method.invoke(db.webhooks(), args);
                    } catch (InvocationTargetException e) {
                        throw e.getCause();
                    }
                });
        try (WebhookDispatcher dispatcher = dispatcher(10, 100)) {
            dispatcher.deliverDue().join();
        }
        try (WebhookDispatcher late = new WebhookDispatcher(stale, db.parkEvents(), db.parkEvents()::lastId,
                event -> "{}".getBytes(StandardCharsets.UTF_8), new WebhookDestinations(List.of("127.0.0.1")), clock,
                "node-1", 10, 100)) {
            late.deliverDue().join();
        }
        assertEquals(List.of(Long.toString(parked.id())), received.stream().map(r -> r.getKey().get("eventId")).toList(),
                "delivered once");
        assertEquals(parked.id(), state(webhook).deliveredThrough());
    }

    @Test
    void aRestartGoesOnFromTheStoredCursor() {
        Webhook webhook = webhook(ParkEvent.TYPES);
        List<ParkEvent> first = park(null);
        try (WebhookDispatcher before = dispatcher(10, 100)) {
            before.deliverDue().join();
        }
        List<ParkEvent> second = park(null);
        try (WebhookDispatcher after = dispatcher(10, 100)) {
            after.deliverDue().join();
            after.deliverDue().join();
        }
        assertEquals(List.of(Long.toString(first.get(0).id()), Long.toString(second.get(0).id())),
                received.stream().map(r -> r.getKey().get("eventId")).toList(), "each once");
        assertEquals(second.get(0).id(), state(webhook).deliveredThrough());
    }
}
