package io.cloudpark.sip;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.time.Instant;

import org.jboss.arquillian.container.test.api.Deployment;
import org.jboss.arquillian.container.test.api.RunAsClient;
import org.jboss.arquillian.junit5.ArquillianExtension;
import org.jboss.shrinkwrap.api.spec.WebArchive;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

import com.fasterxml.jackson.databind.JsonNode;

import io.cloudpark.testing.Call;
import io.cloudpark.testing.Calls;
import io.cloudpark.testing.Deployments;
import io.cloudpark.testing.ParkInfoDocument;
import io.cloudpark.testing.SipMessage;
import io.cloudpark.testing.TestPhone;
import io.cloudpark.testing.TestTenant;

/** The three reference scenarios of DESIGN §8, end to end over SIP on loopback against the running container. */
@ExtendWith(ArquillianExtension.class)
@RunAsClient
class ParkScenariosIT {

    @Deployment
    static WebArchive deployment() {
        return Deployments.cloudpark();
    }

    /** Bob (101) parks a client at Alice (102) with *68102; both of Alice's devices light; Carol (103) retrieves with *88102. */
    @Test
    void bobParksAClientAtAliceAndCarolRetrievesIt() {
        try (TestTenant acme = TestTenant.create("scenario1")) {
            acme.extension("101", "Bob");
            acme.extension("102", "Alice");
            acme.extension("103", "Carol");
            acme.extension("150", "Client");
            TestPhone bob = acme.registeredPhone("101");
            TestPhone aliceDesk = acme.registeredPhone("102");
            TestPhone aliceMobile = acme.registeredPhone("102");
            TestPhone carol = acme.registeredPhone("103");
            TestPhone client = acme.registeredPhone("150");

            Calls.Connected talk = Calls.connect(client, bob);
            assertTrue(talk.caller().remoteSdp().contains(bob.mediaLine()), "client hears Bob");

            SipMessage accepted = talk.callee().refer("sip:*68102@" + acme.domain());
            assertEquals(202, accepted.status(), accepted.toString());
            SipMessage trying = bob.awaitRequest("NOTIFY");
            assertEquals("refer", trying.header("Event"));
            assertTrue(trying.body().startsWith("SIP/2.0 100"), trying.body());

            SipMessage hold = client.awaitRequest("INVITE");
            assertTrue(hold.body().contains("a=sendonly"), "hold SDP: " + hold.body());
            assertFalse(hold.body().contains("a=sendrecv"), hold.body());

            SipMessage done = bob.awaitRequest("NOTIFY");
            assertTrue(done.body().startsWith("SIP/2.0 200"), done.body());
            assertTrue(done.header("Subscription-State").startsWith("terminated"), done.toString());
            assertEquals(200, talk.callee().bye().status());

            for (TestPhone device : new TestPhone[] {aliceDesk, aliceMobile}) {
                SipMessage notify = device.awaitRequest("NOTIFY");
                assertEquals(device.contact(), notify.requestUri(), "one NOTIFY per registered contact");
                assertEquals("<sip:park@" + acme.domain() + ">", notify.header("From").replaceFirst(";tag=.*", ""));
                assertEquals("<sip:102@" + acme.domain() + ">", notify.header("To").replaceFirst(";tag=.*", ""));
                assertEquals("active", notify.header("Subscription-State"));
                ParkInfoDocument info = ParkInfoDocument.of(notify);
                assertEquals("urn:cloudpark:park-info", info.namespace());
                assertEquals("102", info.extension());
                assertEquals("parked", info.reason());
                assertEquals(1, info.calls().size());
                ParkInfoDocument.ParkedCallEntry call = info.calls().get(0);
                assertEquals(info.parkId(), call.id());
                assertEquals("sip:150@" + acme.domain(), call.parkedUri());
                assertEquals("Client", call.parkedDisplay());
                assertEquals("sip:101@" + acme.domain(), call.parkerUri());
                assertEquals("Bob", call.parkerDisplay());
                assertEquals("sip:*88102@" + acme.domain() + ";park-id=" + call.id(), call.retrieve());
                Instant parkedAt = Instant.parse(call.parkedAt());
                assertEquals(Duration.ofSeconds(45), Duration.between(parkedAt, Instant.parse(call.recallAt())));
            }
            assertFalse(carol.receives("NOTIFY", 300), "only 102's devices are told");

            JsonNode parked = acme.admin().get("/api/tenants/" + acme.domain() + "/parked-calls").json();
            assertEquals(1, parked.size(), parked.toString());
            assertEquals("102", parked.get(0).get("extension").asText());
            assertEquals("PARKED", parked.get(0).get("status").asText());

            Call retrieved = Calls.dial(carol, "*88102");
            assertEquals(200, retrieved.status(), retrieved.answer().toString());
            assertTrue(retrieved.remoteSdp().contains(client.mediaLine()), "Carol now hears the client");
            SipMessage reconnect = client.awaitRequest("INVITE");
            assertTrue(reconnect.body().contains(carol.mediaLine()), "the client now hears Carol: " + reconnect.body());

            for (TestPhone device : new TestPhone[] {aliceDesk, aliceMobile}) {
                ParkInfoDocument cleared = ParkInfoDocument.of(device.awaitRequest("NOTIFY"));
                assertEquals("retrieved", cleared.reason());
                assertTrue(cleared.calls().isEmpty(), "nothing parked at 102 any more");
            }
            assertEquals(0, acme.admin().get("/api/tenants/" + acme.domain() + "/parked-calls").json().size());
            JsonNode history = acme.admin().get("/api/tenants/" + acme.domain() + "/park-history").json();
            assertEquals("RETRIEVED", history.get(0).get("resolution").asText());
            assertEquals("103", history.get(0).get("endedBy").asText());
        }
    }

    /** Bob parks at himself with *68 from his desk phone and picks the call up with *88 on his mobile (also 101). */
    @Test
    void bobParksAtHimselfAndRetrievesFromHisSecondDevice() {
        try (TestTenant acme = TestTenant.create("scenario2", "101", "150")) {
            TestPhone bobDesk = acme.registeredPhone("101");
            TestPhone client = acme.registeredPhone("150");

            Calls.Connected talk = Calls.connect(client, bobDesk);
            TestPhone bobMobile = acme.registeredPhone("101");
            assertEquals(202, talk.callee().refer("sip:*68@" + acme.domain()).status());
            client.awaitRequest("INVITE"); // hold

            ParkInfoDocument onDesk = ParkInfoDocument.of(bobDesk.awaitRequest("NOTIFY", 5000, "park-info"));
            ParkInfoDocument onMobile = ParkInfoDocument.of(bobMobile.awaitRequest("NOTIFY", 5000, "park-info"));
            assertEquals("101", onDesk.extension());
            assertEquals(onDesk.version(), onMobile.version());
            assertEquals(1, onMobile.calls().size());
            talk.callee().bye();

            Call resumed = Calls.dial(bobMobile, "*88");
            assertEquals(200, resumed.status());
            assertTrue(resumed.remoteSdp().contains(client.mediaLine()));
            ParkInfoDocument cleared = ParkInfoDocument.of(bobMobile.awaitRequest("NOTIFY", 5000, "park-info"));
            assertEquals(onMobile.version() + 1, cleared.version(), "version grows by one per change");
            assertTrue(cleared.calls().isEmpty());
        }
    }

    /** Bob parks with *68, walks to another office and retrieves with *88101 from a phone of another extension. */
    @Test
    void bobParksAtHimselfAndRetrievesFromAnotherExtension() {
        try (TestTenant acme = TestTenant.create("scenario3", "101", "104", "150")) {
            TestPhone bob = acme.registeredPhone("101");
            TestPhone otherOffice = acme.registeredPhone("104");
            TestPhone client = acme.registeredPhone("150");

            Calls.Connected talk = Calls.connect(client, bob);
            assertEquals(202, talk.callee().refer("sip:*68%23@" + acme.domain()).status());
            client.awaitRequest("INVITE");
            ParkInfoDocument parked = ParkInfoDocument.of(bob.awaitRequest("NOTIFY", 5000, "park-info"));
            assertEquals("101", parked.extension());
            talk.callee().bye();

            Call resumed = Calls.dial(otherOffice, "*88101");
            assertEquals(200, resumed.status());
            assertTrue(resumed.remoteSdp().contains(client.mediaLine()));
            ParkInfoDocument cleared = ParkInfoDocument.of(bob.awaitRequest("NOTIFY", 5000, "park-info"));
            assertTrue(cleared.calls().isEmpty());
            assertNotEquals(parked.version(), cleared.version());
            assertEquals(200, resumed.bye().status());
            client.awaitRequest("BYE");
        }
    }
}
