package io.cloudpark.sip;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

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

/** Nobody retrieves: at parkTimeoutSeconds the parker's devices ring with the parked party as caller. */
@ExtendWith(ArquillianExtension.class)
@RunAsClient
class RecallIT {
    private static final String FAST_RECALL = "{\"parkTimeoutSeconds\":2,\"recallRingSeconds\":2}";

    @Deployment
    static WebArchive deployment() {
        return Deployments.cloudpark();
    }

    @Test
    void recallAnsweredByTheParkerReconnectsTheCall() {
        try (TestTenant acme = TestTenant.create("recall", "501", "502")) {
            acme.extension("550", "Client Co");
            acme.settings(FAST_RECALL);
            TestPhone parker = acme.registeredPhone("501");
            TestPhone target = acme.registeredPhone("502");
            TestPhone client = acme.registeredPhone("550");
            Calls.Connected talk = Calls.connect(client, parker);
            assertEquals(202, talk.callee().refer("sip:*68502@" + acme.domain()).status());
            client.awaitRequest("INVITE");
            ParkInfoDocument parked = ParkInfoDocument.of(target.awaitRequest("NOTIFY"));
            talk.callee().bye();

            SipMessage recall = parker.awaitRequest("INVITE", 6000);
            assertEquals("<urn:alert:service:recall>", recall.header("Alert-Info"));
            assertTrue(recall.header("From").contains("sip:550@" + acme.domain()), "the parked party shows as caller: " + recall.header("From"));
            assertTrue(recall.header("From").contains("Client Co"), recall.header("From"));
            assertEquals("", recall.body(), "late offer: the parker's phone makes the offer");

            Call answered = parker.answer(recall);
            SipMessage reconnect = client.awaitRequest("INVITE");
            assertTrue(reconnect.body().contains(parker.mediaLine()), "the client gets the parker's offer");
            assertTrue(answered.ack().body().contains(client.mediaLine()), "the parker gets the client's answer in the ACK");

            ParkInfoDocument cleared = ParkInfoDocument.of(target.awaitRequest("NOTIFY"));
            assertEquals("recalled", cleared.reason());
            assertEquals(parked.parkId(), cleared.parkId());
            assertTrue(cleared.calls().isEmpty());
            JsonNode history = acme.admin().get("/api/tenants/" + acme.domain() + "/park-history").json();
            assertEquals("RECALLED", history.get(0).get("resolution").asText());
            assertEquals("501", history.get(0).get("endedBy").asText());

            assertEquals(200, answered.bye().status());
            assertEquals(reconnect.callId(), client.awaitRequest("BYE").callId(), "parker and client are bridged");
        }
    }

    @Test
    void parkerOnlyRingsTheParkerAgainTenSecondsLater() {
        try (TestTenant acme = TestTenant.create("retry-recall", "521", "550")) {
            acme.settings("{\"parkTimeoutSeconds\":1,\"recallRingSeconds\":1,\"recallAttempts\":2}");
            TestPhone parker = acme.registeredPhone("521");
            TestPhone client = acme.registeredPhone("550");
            Calls.parkAtSelf(acme, parker, client);

            SipMessage first = parker.awaitRequest("INVITE", 5000);
            parker.ring(first);
            parker.awaitRequest("CANCEL", 4000);
            long cancelledAt = System.currentTimeMillis();
            SipMessage second = parker.awaitRequest("INVITE", 14000);
            long pause = System.currentTimeMillis() - cancelledAt;
            assertTrue(pause >= 9000, "the second attempt waits 10 s: " + pause + " ms");
            assertEquals("<urn:alert:service:recall>", second.header("Alert-Info"));
            Call answered = parker.answer(second);
            client.awaitRequest("INVITE");
            assertEquals("RECALLED", acme.lastEndedPark().get("resolution").asText());
            answered.bye();
        }
    }

    @Test
    void parkerThenGroupLetsAGroupMemberTakeTheCall() {
        try (TestTenant acme = TestTenant.create("group-recall", "531", "532", "533", "550")) {
            acme.settings("{\"parkTimeoutSeconds\":1,\"recallRingSeconds\":1,\"recallPolicy\":\"PARKER_THEN_GROUP\","
                    + "\"recallGroup\":[\"532\",\"533\"]}");
            TestPhone parker = acme.registeredPhone("531");
            TestPhone reception = acme.registeredPhone("532");
            TestPhone backOffice = acme.registeredPhone("533");
            TestPhone client = acme.registeredPhone("550");
            Calls.parkAtSelf(acme, parker, client);

            parker.ring(parker.awaitRequest("INVITE", 5000));
            parker.awaitRequest("CANCEL", 4000);
            SipMessage atReception = reception.awaitRequest("INVITE", 4000);
            SipMessage atBackOffice = backOffice.awaitRequest("INVITE", 4000);
            assertTrue(atReception.header("From").contains("sip:550@"), "the group sees the parked party calling");
            assertEquals("<urn:alert:service:recall>", atBackOffice.header("Alert-Info"));
            backOffice.ring(atBackOffice);
            reception.answer(atReception);
            assertEquals(atBackOffice.callId(), backOffice.awaitRequest("CANCEL").callId());
            assertTrue(client.awaitRequest("INVITE").body().contains(reception.mediaLine()));
            JsonNode ended = acme.lastEndedPark();
            assertEquals("RECALLED", ended.get("resolution").asText());
            assertEquals("532", ended.get("endedBy").asText(), "recalled by the group member who answered");
        }
    }

    @Test
    void aFallbackExtensionIsRungWhenTheGroupDoesNotAnswer() {
        try (TestTenant acme = TestTenant.create("fallback", "541", "542", "549", "550")) {
            acme.settings("{\"parkTimeoutSeconds\":1,\"recallRingSeconds\":1,\"recallPolicy\":\"GROUP_ONLY\","
                    + "\"recallGroup\":[\"542\"],\"recallFallback\":\"549\"}");
            TestPhone parker = acme.registeredPhone("541");
            TestPhone group = acme.registeredPhone("542");
            TestPhone operator = acme.registeredPhone("549");
            TestPhone client = acme.registeredPhone("550");
            Calls.parkAtSelf(acme, parker, client);

            group.ring(group.awaitRequest("INVITE", 5000));
            group.awaitRequest("CANCEL", 4000);
            operator.answer(operator.awaitRequest("INVITE", 4000));
            client.awaitRequest("INVITE");
            assertEquals("549", acme.lastEndedPark().get("endedBy").asText());
            assertTrue(!parker.receives("INVITE", 200), "GROUP_ONLY never rings the parker");
        }
    }

    @Test
    void recallNobodyAnswersHangsUpTheParkedParty() {
        try (TestTenant acme = TestTenant.create("timeout", "511", "550")) {
            acme.settings(FAST_RECALL);
            TestPhone parker = acme.registeredPhone("511");
            TestPhone client = acme.registeredPhone("550");
            Calls.Connected talk = Calls.connect(client, parker);
            assertEquals(202, talk.callee().refer("sip:*68@" + acme.domain()).status());
            client.awaitRequest("INVITE");
            ParkInfoDocument.of(parker.awaitRequest("NOTIFY", 5000, "park-info"));
            talk.callee().bye();

            SipMessage recall = parker.awaitRequest("INVITE", 6000);
            parker.ring(recall);
            assertEquals(recall.callId(), parker.awaitRequest("CANCEL", 6000).callId(), "ringing stops after recallRingSeconds");
            assertEquals(talk.caller().callId(), client.awaitRequest("BYE").callId(), "the parked party is hung up");

            ParkInfoDocument cleared = ParkInfoDocument.of(parker.awaitRequest("NOTIFY", 5000, "park-info"));
            assertEquals("timed-out", cleared.reason());
            assertTrue(cleared.calls().isEmpty());
            JsonNode history = acme.admin().get("/api/tenants/" + acme.domain() + "/park-history").json();
            assertEquals("TIMED_OUT", history.get(0).get("resolution").asText());
            assertEquals(0, acme.admin().get("/api/tenants/" + acme.domain() + "/parked-calls").json().size());
        }
    }
}
