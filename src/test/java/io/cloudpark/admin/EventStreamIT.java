package io.cloudpark.admin;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.UUID;

import org.jboss.arquillian.container.test.api.Deployment;
import org.jboss.arquillian.container.test.api.RunAsClient;
import org.jboss.arquillian.junit5.ArquillianExtension;
import org.jboss.shrinkwrap.api.spec.WebArchive;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

import com.fasterxml.jackson.databind.JsonNode;

import io.cloudpark.testing.AdminClient;
import io.cloudpark.testing.Call;
import io.cloudpark.testing.Calls;
import io.cloudpark.testing.Deployments;
import io.cloudpark.testing.EventStreamClient;
import io.cloudpark.testing.EventStreamClient.Event;
import io.cloudpark.testing.TestPhone;
import io.cloudpark.testing.TestTenant;

/** The tenant's event stream (Server-Sent Events) over real HTTP, fed by real parks over SIP. */
@ExtendWith(ArquillianExtension.class)
@RunAsClient
class EventStreamIT {
    private final AdminClient operator = AdminClient.operator();

    @Deployment
    static WebArchive deployment() {
        return Deployments.cloudpark();
    }

    private static EventStreamClient stream(TestTenant tenant, String lastEventId) {
        EventStreamClient stream = EventStreamClient.open("/api/tenants/" + tenant.domain() + "/events", "admin",
                Deployments.ADMIN_PASSWORD, lastEventId);
        assertEquals(200, stream.status());
        assertTrue(stream.header("Content-Type").startsWith("text/event-stream"), stream.header("Content-Type"));
        return stream;
    }

    @Test
    void aParkAndItsRetrieveOverSipArriveAsParkedThenRetrievedWithTheParksFields() {
        try (TestTenant acme = TestTenant.create("events")) {
            acme.extension("101", "Bob");
            acme.extension("150", "Client");
            acme.extension("103", "Carol");
            TestPhone bob = acme.registeredPhone("101");
            TestPhone client = acme.registeredPhone("150");
            TestPhone carol = acme.registeredPhone("103");
            try (EventStreamClient stream = stream(acme, null)) {
                Instant before = Instant.now().minusSeconds(1);
                Calls.Parked parked = Calls.parkAtSelf(acme, bob, client);

                Event first = stream.next();
                assertEquals("parked", first.type());
                JsonNode data = first.data();
                assertEquals(first.id(), data.get("eventId").asLong());
                assertEquals("parked", data.get("type").asText());
                assertEquals(acme.domain(), data.get("tenant").asText());
                assertEquals(parked.info().parkId(), data.get("id").asText());
                assertEquals("101", data.get("extension").asText());
                assertEquals("PARKED", data.get("status").asText());
                assertEquals("sip:150@" + acme.domain(), data.get("parked").get("uri").asText());
                assertEquals("Client", data.get("parked").get("displayName").asText());
                assertEquals("sip:101@" + acme.domain(), data.get("parker").get("uri").asText());
                assertEquals("Bob", data.get("parker").get("displayName").asText());
                assertTrue(Instant.parse(data.get("parkedAt").asText()).isAfter(before), data.toString());
                assertEquals(Duration.ofSeconds(45), Duration.between(Instant.parse(data.get("parkedAt").asText()),
                        Instant.parse(data.get("recallAt").asText())));
                assertEquals("sip:*88101@" + acme.domain() + ";park-id=" + data.get("id").asText(), data.get("retrieve").asText());
                assertTrue(data.get("resolution").isNull() && data.get("endedAt").isNull(), data.toString());

                Call retrieve = Calls.dial(carol, "*88101");
                assertEquals(200, retrieve.status());
                Event second = stream.next();
                assertEquals("retrieved", second.type());
                assertTrue(second.id() > first.id(), second.id() + " after " + first.id());
                JsonNode ended = second.data();
                assertEquals(parked.info().parkId(), ended.get("id").asText());
                assertEquals("RETRIEVED", ended.get("resolution").asText());
                assertEquals("103", ended.get("endedBy").asText());
                assertEquals("sip:150@" + acme.domain(), ended.get("parked").get("uri").asText());
                assertEquals(data.get("parkedAt").asText(), ended.get("parkedAt").asText());
                assertTrue(!Instant.parse(ended.get("endedAt").asText()).isBefore(Instant.parse(data.get("parkedAt").asText())));
                assertTrue(ended.get("retrieve") == null, "an ended park has nothing to retrieve: " + ended);
                retrieve.bye();
            }
        }
    }

    @Test
    void aClientResumingWithItsLastEventIdGetsExactlyTheEventsItMissedThenLiveOnes() {
        try (TestTenant acme = TestTenant.create("events-resume", "101", "150", "151", "152")) {
            TestPhone bob = acme.registeredPhone("101");
            long missedFrom;
            try (EventStreamClient stream = stream(acme, null)) {
                Calls.parkAtSelf(acme, bob, acme.registeredPhone("150"));
                missedFrom = stream.next().id();
            }
            // while the client is away: two more parks, and one ends by the operator's hang-up
            Calls.Parked second = Calls.parkAtSelf(acme, bob, acme.registeredPhone("151"));
            Calls.Parked third = Calls.parkAtSelf(acme, bob, acme.registeredPhone("152"));
            assertEquals(204, operator.delete("/api/tenants/" + acme.domain() + "/parked-calls/" + second.info().parkId()).status());
            List<String> missed = List.of("parked " + second.info().parkId(), "parked " + third.info().parkId(),
                    "ended-by-operator " + second.info().parkId());
            // the operator's hang-up is recorded once the parked leg's BYE is answered: a stream from the start sees it
            try (EventStreamClient all = stream(acme, "0")) {
                for (int i = 0; i < 4; i++) {
                    all.next();
                }
            }

            try (EventStreamClient resumed = stream(acme, Long.toString(missedFrom))) {
                List<String> got = new java.util.ArrayList<>();
                long last = missedFrom;
                for (int i = 0; i < 3; i++) {
                    Event event = resumed.next();
                    assertTrue(event.id() > last, "in order, each once");
                    last = event.id();
                    got.add(event.type() + " " + event.data().get("id").asText());
                }
                assertEquals(missed, got);
                // then live ones: the last park ends by the operator too
                assertEquals(204, operator.delete("/api/tenants/" + acme.domain() + "/parked-calls/" + third.info().parkId()).status());
                Event live = resumed.next();
                assertEquals("ended-by-operator", live.type());
                assertEquals(third.info().parkId(), live.data().get("id").asText());
                assertTrue(live.id() > last);
                assertEquals(List.of(), resumed.taken(), "nothing twice");
            }
            // ?since= does the same for a client that cannot set headers
            try (EventStreamClient since = EventStreamClient.open("/api/tenants/" + acme.domain() + "/events?since=" + missedFrom,
                    "admin", Deployments.ADMIN_PASSWORD, null)) {
                Event first = since.next();
                assertEquals("parked " + second.info().parkId(), first.type() + " " + first.data().get("id").asText());
            }
        }
    }

    @Test
    void aTenantAdminGetsItsOwnTenantsStreamAnd404ForAnotherTenantsAndBadInputIsNamed() {
        try (TestTenant acme = TestTenant.create("events-own"); TestTenant rival = TestTenant.create("events-rival")) {
            String name = "events-" + UUID.randomUUID().toString().substring(0, 8);
            assertEquals(201, operator.post("/api/accounts", "{\"name\":\"" + name + "\",\"password\":\"pw-" + name
                    + "\",\"role\":\"TENANT_ADMIN\",\"tenant\":\"" + acme.domain() + "\"}").status());
            AdminClient admin = AdminClient.account(name, "pw-" + name);
            AdminClient.Reply other = admin.get("/api/tenants/" + rival.domain() + "/events");
            assertEquals(404, other.status());
            assertEquals(admin.get("/api/tenants/no-such-tenant.test/events").json().get("error"), other.json().get("error"));
            assertEquals(401, AdminClient.account(name, "wrong").get("/api/tenants/" + acme.domain() + "/events").status());
            AdminClient.Reply bad = operator.get("/api/tenants/" + acme.domain() + "/events?since=yesterday");
            assertEquals(400, bad.status());
            assertEquals("since", bad.json().get("field").asText());
            assertEquals(400, operator.get("/api/tenants/" + acme.domain() + "/events?from=1").status());
            assertEquals(405, operator.post("/api/tenants/" + acme.domain() + "/events", "{}").status());
            try (EventStreamClient own = EventStreamClient.open("/api/tenants/" + acme.domain() + "/events", name,
                    "pw-" + name, null)) {
                assertEquals(200, own.status());
            }
        }
    }
}
