package io.cloudpark.sip;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.stream.Stream;

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

/** Parks that are refused, retrieves that find nothing or lose a race, and a parked party that hangs up. */
@ExtendWith(ArquillianExtension.class)
@RunAsClient
class ParkOutcomesIT {

    @Deployment
    static WebArchive deployment() {
        return Deployments.cloudpark();
    }

    @Test
    void parkAtAnUnknownExtensionFailsWith404AndTheCallStaysConnected() {
        try (TestTenant acme = TestTenant.create("park404", "401", "450")) {
            TestPhone parker = acme.registeredPhone("401");
            TestPhone client = acme.registeredPhone("450");
            Calls.Connected talk = Calls.connect(client, parker);

            assertEquals(202, talk.callee().refer("sip:*68499@" + acme.domain()).status());
            assertTrue(parker.awaitRequest("NOTIFY").body().startsWith("SIP/2.0 100"));
            SipMessage failed = parker.awaitRequest("NOTIFY");
            assertTrue(failed.body().startsWith("SIP/2.0 404"), failed.body());
            assertTrue(failed.header("Subscription-State").startsWith("terminated"));

            assertFalse(client.receives("INVITE", 300), "the client was not put on hold");
            assertStillConnected(talk, parker, client);
            assertEquals(0, acme.admin().get("/api/tenants/" + acme.domain() + "/parked-calls").json().size());
            assertEquals(0, acme.admin().get("/api/tenants/" + acme.domain() + "/park-history").json().size());
        }
    }

    @Test
    void parkAtAnotherTenantsExtensionFailsWith403AndTheCallStaysConnected() {
        try (TestTenant acme = TestTenant.create("park403", "411", "450"); TestTenant rival = TestTenant.create("rival", "412")) {
            TestPhone parker = acme.registeredPhone("411");
            TestPhone client = acme.registeredPhone("450");
            TestPhone rivalPhone = rival.registeredPhone("412");
            Calls.Connected talk = Calls.connect(client, parker);

            assertEquals(202, talk.callee().refer("sip:*68412@" + rival.domain()).status());
            parker.awaitRequest("NOTIFY");
            SipMessage failed = parker.awaitRequest("NOTIFY");
            assertTrue(failed.body().startsWith("SIP/2.0 403"), failed.body());
            assertFalse(rivalPhone.receives("NOTIFY", 300), "the other tenant hears nothing");
            assertStillConnected(talk, parker, client);
            assertEquals(0, rival.admin().get("/api/tenants/" + rival.domain() + "/parked-calls").json().size());
        }
    }

    @Test
    void retrieveWithNothingParkedIsNotFound() {
        try (TestTenant acme = TestTenant.create("empty", "421")) {
            TestPhone phone = acme.registeredPhone("421");
            assertEquals(404, Calls.dial(phone, "*88421").status());
            assertEquals(404, Calls.dial(phone, "*88").status());
        }
    }

    @Test
    void theRetrieveUriOfTheNotifyTakesThatCallAndNoOther() {
        try (TestTenant acme = TestTenant.create("parkid", "461", "462", "450", "451")) {
            TestPhone parker = acme.registeredPhone("461");
            TestPhone target = acme.registeredPhone("462");
            TestPhone first = acme.registeredPhone("450");
            TestPhone second = acme.registeredPhone("451");
            Calls.parkAt(acme, parker, first, "462");
            target.awaitRequest("NOTIFY");
            Calls.parkAt(acme, parker, second, "462");
            ParkInfoDocument both = ParkInfoDocument.of(target.awaitRequest("NOTIFY"));
            assertEquals(2, both.calls().size());
            String newest = both.calls().get(1).retrieve();
            assertTrue(newest.startsWith("sip:*88462@" + acme.domain() + ";park-id="), newest);

            Call pressed = target.call(newest, target.sdp(), true);
            assertEquals(200, pressed.status(), "one press on the park key");
            assertTrue(pressed.remoteSdp().contains(second.mediaLine()), "the call the key showed, not the oldest");
            Call unknown = target.call("sip:*88462@" + acme.domain() + ";park-id=no-such-call", target.sdp(), true);
            assertEquals(404, unknown.status());
            // the retriever's 200 goes out before the store records the end: wait for that, then count
            assertEquals("RETRIEVED", acme.lastEndedPark().get("resolution").asText());
            assertEquals(1, acme.admin().get("/api/tenants/" + acme.domain() + "/parked-calls").json().size());
        }
    }

    @Test
    void twoSimultaneousRetrievesExactlyOneWins() {
        try (TestTenant acme = TestTenant.create("race", "431", "432", "433", "450")) {
            TestPhone parker = acme.registeredPhone("431");
            TestPhone first = acme.registeredPhone("432");
            TestPhone second = acme.registeredPhone("433");
            TestPhone client = acme.registeredPhone("450");
            Calls.Connected talk = Calls.connect(client, parker);
            assertEquals(202, talk.callee().refer("sip:*68@" + acme.domain()).status());
            client.awaitRequest("INVITE");
            parker.awaitRequest("NOTIFY", 5000, "park-info");

            CompletableFuture<Call> a = Calls.dialAsync(first, "*88431");
            CompletableFuture<Call> b = Calls.dialAsync(second, "*88431");
            List<Integer> statuses = Stream.of(a.join(), b.join()).map(Call::status).sorted().toList();
            assertEquals(200, statuses.get(0), statuses.toString());
            assertTrue(statuses.get(1) == 480 || statuses.get(1) == 404, "the loser gets 480 or 404: " + statuses);
            assertTrue(client.receives("INVITE", 2000), "the parked client is reconnected");
            assertFalse(client.receives("INVITE", 300), "once, not twice");

            assertEquals("RETRIEVED", acme.lastEndedPark().get("resolution").asText());
            assertEquals(1, acme.admin().get("/api/tenants/" + acme.domain() + "/park-history").json().size());
        }
    }

    @Test
    void parkedPartyHangingUpIsAbandonedAndClearsTheDevices() {
        try (TestTenant acme = TestTenant.create("abandon", "441", "442", "450")) {
            TestPhone parker = acme.registeredPhone("441");
            TestPhone target = acme.registeredPhone("442");
            TestPhone client = acme.registeredPhone("450");
            Calls.Connected talk = Calls.connect(client, parker);
            assertEquals(202, talk.callee().refer("sip:*68442@" + acme.domain()).status());
            client.awaitRequest("INVITE");
            ParkInfoDocument parked = ParkInfoDocument.of(target.awaitRequest("NOTIFY"));
            assertEquals(1, parked.calls().size());

            assertEquals(200, talk.caller().bye().status());
            ParkInfoDocument cleared = ParkInfoDocument.of(target.awaitRequest("NOTIFY"));
            assertEquals("abandoned", cleared.reason());
            assertEquals(parked.parkId(), cleared.parkId());
            assertEquals(parked.version() + 1, cleared.version());
            assertTrue(cleared.calls().isEmpty());

            JsonNode history = acme.admin().get("/api/tenants/" + acme.domain() + "/park-history").json();
            assertEquals("ABANDONED", history.get(0).get("resolution").asText());
            assertEquals(404, Calls.dial(target, "*88").status(), "nothing left to retrieve");
        }
    }

    /**
     * The parker hangs up right after its REFER is accepted, and then the client's phone refuses the hold: the park
     * fails, and with nobody to go back to, the client is hung up, not left in a call with nobody at the other end.
     */
    @Test
    void aHoldRefusedAfterTheParkerHungUpHangsUpTheClient() {
        try (TestTenant acme = TestTenant.create("hold-refused-alone", "471", "472")) {
            TestPhone parker = acme.registeredPhone("471");
            TestPhone client = acme.registeredPhone("472");
            Calls.Connected talk = Calls.connect(client, parker);
            client.leaveReinvitesUnanswered();
            assertEquals(202, talk.callee().refer("sip:*68@" + acme.domain()).status());
            SipMessage hold = client.awaitRequest("INVITE");
            assertEquals(200, talk.callee().bye().status(), "the parker's BYE is handled while the hold is pending");

            client.reject(hold, 488, "Not Acceptable Here");
            assertEquals(talk.caller().callId(), client.awaitRequest("BYE").callId());
            assertEquals("FAILED", acme.lastEndedPark().get("resolution").asText());
            assertEquals(0, acme.admin().get("/api/tenants/" + acme.domain() + "/parked-calls").json().size());
        }
    }

    /**
     * The final sipfrag waits for the transferor's answer to the 100 Trying: two NOTIFYs in flight can arrive in the
     * wrong order (over UDP, through a proxy), and a transferor seeing the final one first takes the transfer as failed.
     */
    @Test
    void theFinalSipfragWaitsUntilTheTransferorHasAnsweredTheTrying() {
        try (TestTenant acme = TestTenant.create("sipfrag-order", "461", "462", "470")) {
            TestPhone parker = acme.registeredPhone("461");
            TestPhone target = acme.registeredPhone("462");
            TestPhone client = acme.registeredPhone("470");
            parker.leaveReferNotifiesUnanswered();
            Calls.Connected talk = Calls.connect(client, parker);
            assertEquals(202, talk.callee().refer("sip:*68462@" + acme.domain()).status());
            SipMessage trying = parker.awaitRequest("NOTIFY", 5_000, "refer");
            assertTrue(trying.body().startsWith("SIP/2.0 100"), trying.body());

            ParkInfoDocument parked = ParkInfoDocument.of(target.awaitRequest("NOTIFY"));
            assertEquals(1, parked.calls().size(), "the park is decided and announced");
            // a retransmission of the 100 sent after that: anything sent before it has been received by now
            parker.awaitNextRetransmission(trying, 10_000);
            assertFalse(parker.receives("NOTIFY", 0), "no final sipfrag while the 100 Trying is unanswered");

            parker.answerRequest(trying, 200, "OK");
            SipMessage done = parker.awaitRequest("NOTIFY", 5_000, "refer");
            assertTrue(done.body().startsWith("SIP/2.0 200"), done.body());
            assertTrue(done.header("Subscription-State").startsWith("terminated"), done.toString());
            assertTrue(done.cseqNumber() > trying.cseqNumber(), "a new NOTIFY, not the 100 again");
            parker.answerRequest(done, 200, "OK");
            assertEquals(200, talk.callee().bye().status());
            assertEquals(200, Calls.dial(target, "*88").status(), "the call was parked all along");
        }
    }

    /** Still bridged: a re-INVITE from the parker reaches the client, and the client's BYE reaches the parker. */
    private static void assertStillConnected(Calls.Connected talk, TestPhone parker, TestPhone client) {
        SipMessage reinvite = talk.callee().reinvite(parker.sdp());
        assertEquals(200, reinvite.status());
        assertTrue(reinvite.body().contains(client.mediaLine()), "answered by the client, not by the PBX");
        assertTrue(client.awaitRequest("INVITE").body().contains(parker.mediaLine()));
        assertEquals(200, talk.caller().bye().status());
        assertEquals(talk.callee().callId(), parker.awaitRequest("BYE").callId());
    }
}
