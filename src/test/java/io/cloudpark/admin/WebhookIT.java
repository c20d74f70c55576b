package io.cloudpark.admin;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;

import org.jboss.arquillian.container.test.api.Deployment;
import org.jboss.arquillian.container.test.api.RunAsClient;
import org.jboss.arquillian.junit5.ArquillianExtension;
import org.jboss.shrinkwrap.api.spec.WebArchive;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.sun.net.httpserver.HttpServer;

import io.cloudpark.events.WebhookDispatcher;
import io.cloudpark.testing.AdminClient;
import io.cloudpark.testing.Call;
import io.cloudpark.testing.Calls;
import io.cloudpark.testing.Deployments;
import io.cloudpark.testing.ParkInfoDocument;
import io.cloudpark.testing.TestPhone;
import io.cloudpark.testing.TestTenant;

/** Webhooks over real HTTP: their API, and signed deliveries of real parks over SIP to a receiver in the test. */
@ExtendWith(ArquillianExtension.class)
@RunAsClient
class WebhookIT {
    private static final ObjectMapper JSON = new ObjectMapper();
    /** The receiver's loopback port: 40100 beside the default HTTP port 18080 (README "Events and webhooks"). */
    private static final int RECEIVER_PORT = Integer.getInteger("cloudpark.it.webhookPort", Deployments.HTTP_PORT + 22_020);
    private static final String SECRET = "whsec-it-0123456789abcdef";
    private final AdminClient operator = AdminClient.operator();

    @Deployment
    static WebArchive deployment() {
        return Deployments.cloudpark();
    }

    /** A delivery as the receiver got it. */
    private record Delivery(Map<String, String> headers, String body) {
        JsonNode json() {
            try {
                return JSON.readTree(body);
            } catch (IOException e) {
                throw new AssertionError(body, e);
            }
        }
    }

    /** An HTTP receiver on loopback that answers 200, after {@code hold} for the first request. */
    private static final class Receiver implements AutoCloseable {
        final LinkedBlockingQueue<Delivery> deliveries = new LinkedBlockingQueue<>();
        final CountDownLatch firstArrived = new CountDownLatch(1);
        final CountDownLatch releaseFirst;
        private final HttpServer server;

        Receiver(boolean holdFirst) throws IOException {
            releaseFirst = new CountDownLatch(holdFirst ? 1 : 0);
            server = HttpServer.create(new InetSocketAddress("127.0.0.1", RECEIVER_PORT), 0);
            server.createContext("/hook", exchange -> {
                firstArrived.countDown();
                try {
                    releaseFirst.await(30, TimeUnit.SECONDS);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
                Map<String, String> headers = new java.util.HashMap<>();
                exchange.getRequestHeaders().forEach((name, values) -> headers.put(name.toLowerCase(), values.get(0)));
                deliveries.add(new Delivery(headers, new String(exchange.getRequestBody().readAllBytes(), StandardCharsets.UTF_8)));
                exchange.sendResponseHeaders(200, -1);
                exchange.close();
            });
            server.start();
        }

        String url() {
            return "http://127.0.0.1:" + RECEIVER_PORT + "/hook";
        }

        Delivery next() throws InterruptedException {
            Delivery delivery = deliveries.poll(20, TimeUnit.SECONDS);
            if (delivery == null) {
                throw new AssertionError("no delivery within 20 s");
            }
            return delivery;
        }

        @Override
        public void close() {
            releaseFirst.countDown();
            server.stop(0);
        }
    }

    private static void assertSigned(Delivery delivery) {
        String timestamp = delivery.headers().get("x-cloudpark-timestamp");
        assertTrue(Math.abs(Long.parseLong(timestamp) - System.currentTimeMillis() / 1000) < 60, timestamp);
        assertEquals(WebhookDispatcher.signature(SECRET, timestamp, delivery.body().getBytes(StandardCharsets.UTF_8)),
                delivery.headers().get("x-cloudpark-signature"), "the HMAC verifies");
        assertEquals("application/json", delivery.headers().get("content-type"));
    }

    private String create(TestTenant tenant, String url) {
        AdminClient.Reply created = operator.post("/api/tenants/" + tenant.domain() + "/webhooks",
                "{\"url\":\"" + url + "\",\"secret\":\"" + SECRET + "\",\"eventTypes\":[\"parked\",\"retrieved\"]}");
        assertEquals(201, created.status(), created.body());
        return created.json().get("id").asText();
    }

    @Test
    void aRealParkAndRetrieveAreDeliveredSignedInOrderWithTheParksFields() throws Exception {
        try (Receiver receiver = new Receiver(false); TestTenant acme = TestTenant.create("hooks", "101", "102", "103", "150")) {
            create(acme, receiver.url());
            TestPhone bob = acme.registeredPhone("101");
            TestPhone carol = acme.registeredPhone("103");
            Calls.parkAt(acme, bob, acme.registeredPhone("150"), "102");

            Delivery parked = receiver.next();
            assertSigned(parked);
            JsonNode data = parked.json();
            assertEquals("parked", data.get("type").asText());
            assertEquals("parked", parked.headers().get("x-cloudpark-event"));
            assertEquals(data.get("eventId").asText(), parked.headers().get("x-cloudpark-event-id"));
            assertEquals(acme.domain(), data.get("tenant").asText());
            assertEquals("102", data.get("extension").asText());
            assertEquals("sip:150@" + acme.domain(), data.get("parked").get("uri").asText());
            assertEquals("sip:101@" + acme.domain(), data.get("parker").get("uri").asText());

            Call retrieve = Calls.dial(carol, "*88102");
            assertEquals(200, retrieve.status());
            Delivery retrieved = receiver.next();
            assertSigned(retrieved);
            assertEquals("retrieved", retrieved.json().get("type").asText());
            assertEquals(data.get("id").asText(), retrieved.json().get("id").asText());
            assertEquals("RETRIEVED", retrieved.json().get("resolution").asText());
            assertTrue(retrieved.json().get("eventId").asLong() > data.get("eventId").asLong());
            retrieve.bye();
        }
    }

    /**
     * The receiver holds the first delivery until the test has had the retrieve's 200 and its clearing park-info
     * NOTIFY: SIP never waits for a webhook.
     */
    @Test
    void aReceiverThatHoldsItsRequestDelaysNeitherTheRetrieveNorItsNotify() throws Exception {
        try (Receiver receiver = new Receiver(true); TestTenant acme = TestTenant.create("hooks-slow", "101", "102", "103", "150")) {
            create(acme, receiver.url());
            TestPhone bob = acme.registeredPhone("101");
            TestPhone alice = acme.registeredPhone("102");
            TestPhone carol = acme.registeredPhone("103");
            Calls.parkAt(acme, bob, acme.registeredPhone("150"), "102");
            assertEquals("parked", ParkInfoDocument.of(alice.awaitRequest("NOTIFY", 5000, "park-info")).reason());
            assertTrue(receiver.firstArrived.await(20, TimeUnit.SECONDS), "the parked event's delivery is in progress");

            Call retrieve = Calls.dial(carol, "*88102");
            assertEquals(200, retrieve.status(), "while the receiver holds its request");
            ParkInfoDocument cleared = ParkInfoDocument.of(alice.awaitRequest("NOTIFY", 5000, "park-info"));
            assertEquals("retrieved", cleared.reason());
            assertTrue(cleared.calls().isEmpty());
            assertEquals(0, receiver.deliveries.size(), "the receiver has not answered yet");

            receiver.releaseFirst.countDown();
            assertEquals("parked", receiver.next().json().get("type").asText());
            assertEquals("retrieved", receiver.next().json().get("type").asText());
            retrieve.bye();
        }
    }

    @Test
    void webhooksAreStrictAuditedTenantScopedAndNeverShowTheirSecret() {
        try (TestTenant acme = TestTenant.create("hooks-api"); TestTenant rival = TestTenant.create("hooks-rival")) {
            String base = "/api/tenants/" + acme.domain() + "/webhooks";
            String url = "http://127.0.0.1:" + RECEIVER_PORT + "/hook";
            record Bad(String body, String field) { }
            for (Bad bad : List.of(new Bad("{\"url\":\"" + url + "\",\"secret\":\"" + SECRET + "\",\"events\":[]}", "events"),
                    new Bad("{\"url\":\"ftp://127.0.0.1/x\",\"secret\":\"" + SECRET + "\"}", "url"),
                    new Bad("{\"url\":\"http://10.1.2.3/x\",\"secret\":\"" + SECRET + "\"}", "url"),
                    new Bad("{\"url\":\"" + url + "\",\"secret\":\"short\"}", "secret"),
                    new Bad("{\"url\":\"" + url + "\"}", "secret"),
                    new Bad("{\"url\":\"" + url + "\",\"secret\":\"" + SECRET + "\",\"eventTypes\":[\"hung-up\"]}", "eventTypes"),
                    new Bad("{\"url\":\"" + url + "\",\"secret\":\"" + SECRET + "\",\"enabled\":\"yes\"}", "enabled"))) {
                AdminClient.Reply reply = operator.post(base, bad.body());
                assertEquals(400, reply.status(), bad.body() + " → " + reply.body());
                assertEquals(bad.field(), reply.json().get("field").asText(), reply.body());
            }

            AdminClient.Reply created = operator.post(base, "{\"url\":\"" + url + "\",\"secret\":\"" + SECRET + "\"}");
            assertEquals(201, created.status(), created.body());
            JsonNode hook = created.json();
            String id = hook.get("id").asText();
            assertEquals(url, hook.get("url").asText());
            assertEquals(7, hook.get("eventTypes").size(), "every type by default");
            assertTrue(hook.get("enabled").asBoolean());
            assertEquals(0, hook.get("delivery").get("attempts").asInt());
            assertEquals(1, operator.get(base).json().size());
            assertEquals(id, operator.get(base + "/" + id).json().get("id").asText());

            AdminClient.Reply patched = operator.patch(base + "/" + id,
                    "{\"enabled\":false,\"eventTypes\":[\"timed-out\"],\"secret\":\"another-secret-0123456789\"}");
            assertEquals(200, patched.status(), patched.body());
            assertFalse(patched.json().get("enabled").asBoolean());
            assertEquals("[\"timed-out\"]", patched.json().get("eventTypes").toString());
            assertEquals(url, patched.json().get("url").asText(), "what is not given stays");

            String name = "hooks-" + UUID.randomUUID().toString().substring(0, 8);
            assertEquals(201, operator.post("/api/accounts", "{\"name\":\"" + name + "\",\"password\":\"pw-" + name
                    + "\",\"role\":\"TENANT_ADMIN\",\"tenant\":\"" + rival.domain() + "\"}").status());
            AdminClient stranger = AdminClient.account(name, "pw-" + name);
            assertEquals(404, stranger.get(base).status());
            assertEquals(404, stranger.get(base + "/" + id).status());
            assertEquals(404, stranger.delete(base + "/" + id).status());
            assertEquals(404, operator.get("/api/tenants/" + rival.domain() + "/webhooks/" + id).status(),
                    "a webhook is found only under its own tenant");
            assertEquals(404, operator.get(base + "/not-a-number").status());

            assertEquals(204, operator.delete(base + "/" + id).status());
            assertEquals(404, operator.get(base + "/" + id).status());

            List<String> actions = new ArrayList<>();
            operator.get("/api/audit?tenant=" + acme.domain()).json().forEach(e -> actions.add(e.get("action").asText()));
            assertEquals(List.of("webhook.delete", "webhook.update", "webhook.create"), actions.subList(0, 3));
            String everything = operator.get("/api/audit?tenant=" + acme.domain()).body() + created.body() + patched.body()
                    + operator.get(base).body();
            assertFalse(everything.contains(SECRET) || everything.contains("another-secret"), everything);
        }
    }
}
