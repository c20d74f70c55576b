package io.cloudpark.sip;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.OutputStream;
import java.net.InetAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;

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
import io.cloudpark.testing.ParkInfoDocument;
import io.cloudpark.testing.SipMessage;
import io.cloudpark.testing.TestPhone;
import io.cloudpark.testing.TestTenant;

/**
 * The fault and bad-input catalogue (docs/faults.md), over real SIP: each case gets its exact answer, and afterwards
 * the tenant's other calls still park and retrieve and the store holds no stray parked call.
 */
@ExtendWith(ArquillianExtension.class)
@RunAsClient
class FaultCatalogueIT {

    @Deployment
    static WebArchive deployment() {
        return Deployments.cloudpark();
    }

    @Test
    void malformedOrMissingReferToIs400AndTheCallStaysUp() {
        try (TestTenant acme = TestTenant.create("badrefer", "1201", "1250")) {
            TestPhone parker = acme.registeredPhone("1201");
            TestPhone client = acme.registeredPhone("1250");
            Calls.Connected talk = Calls.connect(client, parker);

            assertEquals(400, talk.callee().refer(Map.of("Refer-To", "<sip:*681201@")).status(), "unparsable Refer-To");
            assertEquals(400, talk.callee().refer(Map.of("Referred-By", "<" + parker.aor() + ">")).status(), "no Refer-To");
            assertEquals(400, talk.callee().refer(Map.of("Refer-To", "<tel:+14155550100>")).status(), "not a SIP URI");
            assertEquals(403, talk.callee().refer("sip:1250@" + acme.domain()).status(), "a transfer that is no park");
            assertFalse(client.receives("INVITE", 300), "the client never went on hold");
            assertHealthy(acme, talk, parker, client);
        }
    }

    @Test
    void referToAForeignDomainIs403InTheSipfrag() {
        try (TestTenant acme = TestTenant.create("foreign", "1211", "1250")) {
            TestPhone parker = acme.registeredPhone("1211");
            TestPhone client = acme.registeredPhone("1250");
            Calls.Connected talk = Calls.connect(client, parker);
            assertEquals(202, talk.callee().refer("sip:*681211@evil.example").status());
            assertEquals("SIP/2.0 403", Calls.finalSipfrag(parker).substring(0, 11));
            assertHealthy(acme, talk, parker, client);
        }
    }

    @Test
    void nonNumericOrOverlongExtensionIs404InTheSipfrag() {
        try (TestTenant acme = TestTenant.create("badext", "1221", "1250")) {
            TestPhone parker = acme.registeredPhone("1221");
            TestPhone client = acme.registeredPhone("1250");
            Calls.Connected talk = Calls.connect(client, parker);
            for (String code : new String[] {"*68abc", "*6812345678901"}) {
                assertEquals(202, talk.callee().refer("sip:" + code + "@" + acme.domain()).status());
                assertEquals("SIP/2.0 404", Calls.finalSipfrag(parker).substring(0, 11), code);
            }
            assertHealthy(acme, talk, parker, client);
        }
    }

    @Test
    void referOutsideADialogIsChallengedThen481() {
        try (TestTenant acme = TestTenant.create("lonerefer", "1231"); TestTenant other = TestTenant.create("otherrefer", "1239")) {
            TestPhone phone = acme.registeredPhone("1231");
            String refer = "REFER sip:1231@" + acme.domain() + " SIP/2.0\r\nVia: SIP/2.0/UDP 127.0.0.1:" + phone.port()
                    + ";branch=z9hG4bKlone1\r\nMax-Forwards: 70\r\nFrom: <" + phone.aor() + ">;tag=l1\r\nTo: <sip:1231@"
                    + acme.domain() + ">\r\nCall-ID: lone-refer-1\r\nCSeq: 1 REFER\r\nContact: <" + phone.contact()
                    + ">\r\nRefer-To: <sip:*68@" + acme.domain() + ">\r\nContent-Length: 0\r\n\r\n";
            phone.sendRaw(refer.getBytes(StandardCharsets.UTF_8));
            assertEquals(407, phone.awaitResponseForTest("lone-refer-1").status(), "unauthenticated: challenged");

            TestPhone stranger = other.phone("1239");
            Call fromStranger = stranger.call("sip:1231@" + acme.domain(), null, true);
            assertEquals(403, fromStranger.status(), "another tenant's credentials do not work here");

            SipMessage authenticated = phone.request("REFER", "sip:1231@" + acme.domain(),
                    Map.of("Refer-To", "<sip:*68@" + acme.domain() + ">"));
            assertEquals(481, authenticated.status(), "authenticated, but there is no call to transfer");
            assertEquals(0, acme.admin().get("/api/tenants/" + acme.domain() + "/parked-calls").json().size());
        }
    }

    // wherever the BYE lands, one end: each point it can land at is driven by a hook in RetrieveHangupRaceIT
    @Test
    void retrieveRacingTheParkedPartysByeEndsOneWay() {
        try (TestTenant acme = TestTenant.create("byerace", "1241", "1242", "1250")) {
            TestPhone parker = acme.registeredPhone("1241");
            TestPhone retriever = acme.registeredPhone("1242");
            TestPhone client = acme.registeredPhone("1250");
            Calls.Connected talk = Calls.parkAtSelf(acme, parker, client).talk();

            CompletableFuture<SipMessage> hangUp = CompletableFuture.supplyAsync(() -> talk.caller().bye());
            Call retrieve = Calls.dial(retriever, "*881241");
            assertEquals(200, hangUp.join().status());
            JsonNode ended = acme.lastEndedPark();
            String resolution = ended.get("resolution").asText();
            if (retrieve.status() == 200) {
                assertEquals("RETRIEVED", resolution);
                assertEquals(200, retrieve.bye().status());
            } else {
                assertTrue(retrieve.status() == 404 || retrieve.status() == 480, "the retriever is told: " + retrieve.status());
                assertEquals("ABANDONED", resolution);
            }
            AdminClient.Reply history = acme.admin().get("/api/tenants/" + acme.domain() + "/park-history");
            assertEquals(1, history.json().size(), "one park, one end: " + history.status() + " " + history.body());
            assertEquals(0, acme.admin().get("/api/tenants/" + acme.domain() + "/parked-calls").json().size());
        }
    }

    @Test
    void parkedPartyHangingUpAcrossTheRetrieveReInviteIs480() {
        try (TestTenant acme = TestTenant.create("byecross", "1261", "1262", "1250")) {
            TestPhone parker = acme.registeredPhone("1261");
            TestPhone retriever = acme.registeredPhone("1262");
            TestPhone client = acme.registeredPhone("1250");
            Calls.Connected talk = Calls.parkAtSelf(acme, parker, client).talk();
            client.leaveReinvitesUnanswered();

            CompletableFuture<Call> retrieve = Calls.dialAsync(retriever, "*881261");
            SipMessage reconnect = client.awaitRequest("INVITE");
            assertEquals(200, talk.caller().bye().status());
            assertEquals("ABANDONED", acme.lastEndedPark().get("resolution").asText());
            client.acceptReinvite(reconnect); // crossed: the PBX has ended that dialog by now

            assertEquals(480, retrieve.join().status(), "the retriever is told, not left waiting");
            assertEquals(0, acme.admin().get("/api/tenants/" + acme.domain() + "/parked-calls").json().size());
        }
    }

    @Test
    void parkedPartyWhosePhoneLostTheCallEndsAbandonedAtTheRetrieve() {
        try (TestTenant acme = TestTenant.create("lost481", "1271", "1272", "1250")) {
            TestPhone parker = acme.registeredPhone("1271");
            TestPhone retriever = acme.registeredPhone("1272");
            TestPhone client = acme.registeredPhone("1250");
            Calls.Connected talk = Calls.parkAtSelf(acme, parker, client).talk();
            client.forget(talk.caller().callId());

            Call retrieve = Calls.dial(retriever, "*881271");
            assertEquals(480, retrieve.status());
            assertEquals("SIP/2.0 480 Parked Party Left", retrieve.answer().startLine());
            JsonNode ended = acme.lastEndedPark();
            assertEquals("ABANDONED", ended.get("resolution").asText(), "its phone has no call: it hung up");
            assertEquals("sip:1250@" + acme.domain(), ended.get("endedBy").asText());
            assertEquals(0, acme.admin().get("/api/tenants/" + acme.domain() + "/parked-calls").json().size());
            assertEquals(1, acme.admin().get("/api/tenants/" + acme.domain() + "/park-history").json().size());
            assertEquals(200, Calls.connect(client, parker).caller().bye().status(), "both phones still call");
        }
    }

    @Test
    void parkedPartyWhosePhoneLostTheCallEndsAbandonedAtTheRecall() {
        try (TestTenant acme = TestTenant.create("recall481", "1281", "1250")) {
            acme.settings("{\"parkTimeoutSeconds\":1,\"recallRingSeconds\":5}");
            TestPhone parker = acme.registeredPhone("1281");
            TestPhone client = acme.registeredPhone("1250");
            Calls.Connected talk = Calls.parkAtSelf(acme, parker, client).talk();
            client.forget(talk.caller().callId());

            Call answered = parker.answer(parker.awaitRequest("INVITE", 5000));
            assertEquals(answered.callId(), parker.awaitRequest("BYE").callId(), "nothing to talk to: the parker is hung up");
            assertEquals("ABANDONED", acme.lastEndedPark().get("resolution").asText());
            assertEquals(0, acme.admin().get("/api/tenants/" + acme.domain() + "/parked-calls").json().size());
        }
    }

    @Test
    void retrieveDuringTheRecallIs480AndTheRecallGoesOn() {
        try (TestTenant acme = TestTenant.create("recallrace", "1251", "1252", "1250")) {
            acme.settings("{\"parkTimeoutSeconds\":1,\"recallRingSeconds\":5}");
            TestPhone parker = acme.registeredPhone("1251");
            TestPhone colleague = acme.registeredPhone("1252");
            TestPhone client = acme.registeredPhone("1250");
            Calls.parkAtSelf(acme, parker, client);

            SipMessage recall = parker.awaitRequest("INVITE", 5000);
            parker.ring(recall);
            assertEquals(480, Calls.dial(colleague, "*881251").status(), "the recall holds the call");
            parker.answer(recall);
            assertTrue(client.awaitRequest("INVITE").body().contains(parker.mediaLine()));
            assertEquals("RECALLED", acme.lastEndedPark().get("resolution").asText());
        }
    }

    @Test
    void anUnreachableDeviceDoesNotHoldUpTheParkOrTheOtherDevices() {
        try (TestTenant acme = TestTenant.create("unreachable", "1261", "1262", "1250")) {
            TestPhone parker = acme.registeredPhone("1261");
            TestPhone gone = acme.registeredPhone("1262");
            TestPhone alive = acme.registeredPhone("1262");
            TestPhone client = acme.registeredPhone("1250");
            gone.close(); // its binding stays, nothing answers there

            Calls.Connected talk = Calls.connect(client, parker);
            long start = System.currentTimeMillis();
            assertEquals(202, talk.callee().refer("sip:*681262@" + acme.domain()).status());
            assertEquals("SIP/2.0 200", Calls.finalSipfrag(parker).substring(0, 11));
            ParkInfoDocument.of(alive.awaitRequest("NOTIFY", 2000));
            assertTrue(System.currentTimeMillis() - start < 2000, "no waiting on the dead device");
            assertEquals(200, Calls.dial(alive, "*88").status());
        }
    }

    @Test
    void fiftyParksAtOneExtensionAtOnceFillItAndNoMore() throws Exception {
        try (TestTenant acme = TestTenant.create("fifty", "1300")) {
            TestPhone target = acme.registeredPhone("1300");
            List<TestPhone> parkers = new ArrayList<>();
            List<TestPhone> clients = new ArrayList<>();
            List<Calls.Connected> calls = new ArrayList<>();
            for (int i = 0; i < 50; i++) {
                acme.extension(Integer.toString(1400 + i), "Parker " + i);
                acme.extension(Integer.toString(1500 + i), "Client " + i);
                parkers.add(acme.registeredPhone(Integer.toString(1400 + i)));
                clients.add(acme.registeredPhone(Integer.toString(1500 + i)));
                calls.add(Calls.connect(clients.get(i), parkers.get(i)));
            }
            ExecutorService pool = Executors.newFixedThreadPool(50);
            List<Future<String>> outcomes = new ArrayList<>();
            for (int i = 0; i < 50; i++) {
                Calls.Connected talk = calls.get(i);
                TestPhone parker = parkers.get(i);
                outcomes.add(pool.submit(() -> {
                    assertEquals(202, talk.callee().refer("sip:*681300@" + acme.domain()).status());
                    return Calls.finalSipfrag(parker).substring(0, 11);
                }));
            }
            Map<String, Integer> counts = new LinkedHashMap<>();
            for (Future<String> outcome : outcomes) {
                counts.merge(outcome.get(), 1, Integer::sum);
            }
            pool.shutdown();
            assertEquals(Map.of("SIP/2.0 200", 5, "SIP/2.0 486", 45), counts, "default maxParkedPerExtension is 5");
            assertEquals(5, acme.admin().get("/api/tenants/" + acme.domain() + "/parked-calls").json().size());
            int held = 0;
            for (int i = 0; i < 50; i++) {
                if (clients.get(i).receives("INVITE", 50)) {
                    held++;
                } else {
                    // refused: still talking to its parker
                    assertEquals(200, calls.get(i).callee().reinvite(parkers.get(i).sdp()).status());
                }
            }
            assertEquals(5, held);
            for (int i = 0; i < 5; i++) {
                assertEquals(200, Calls.dial(target, "*88").status());
            }
            // each 200 goes out before its end is recorded: a retrieve meanwhile would find the call being taken (480)
            assertEquals(5, acme.endedParks(5).size());
            assertEquals(404, Calls.dial(target, "*88").status());
        }
    }

    @Test
    void aReplayedDigestIsChallengedAgain() {
        try (TestTenant acme = TestTenant.create("replay", "1271")) {
            TestPhone phone = acme.phone("1271");
            SipMessage first = phone.registerReplayingOnce(300);
            assertEquals(200, first.status(), "the original goes through");
            assertEquals(401, phone.lastReplayAnswer().status(), "the replay of the same credentials does not");
        }
    }

    @Test
    void garbageAndOversizedMessagesLeaveTheServerServing() throws Exception {
        try (TestTenant acme = TestTenant.create("garbage", "1281")) {
            TestPhone phone = acme.phone("1281");
            Random random = new Random(42);
            for (int i = 0; i < 20; i++) {
                byte[] noise = new byte[1 + random.nextInt(1400)];
                random.nextBytes(noise);
                phone.sendRaw(noise);
            }
            phone.sendRaw("INVITE sip:x SIP/2.0\r\nVia: broken\r\n\r\n".getBytes(StandardCharsets.US_ASCII));
            phone.sendRaw(("OPTIONS sip:" + acme.domain() + " SIP/2.0\r\nVia: SIP/2.0/UDP 127.0.0.1:" + phone.port()
                    + ";branch=z9hG4bKbig\r\nCall-ID: big-udp\r\nCSeq: 1 OPTIONS\r\nFrom: <sip:a@b>;tag=1\r\nTo: <sip:a@b>\r\n"
                    + "X-Padding: " + "x".repeat(60_000) + "\r\nContent-Length: 0\r\n\r\n").getBytes(StandardCharsets.US_ASCII));
            try (Socket tcp = new Socket(InetAddress.getLoopbackAddress(), Deployments.SIP_PORT)) {
                OutputStream out = tcp.getOutputStream();
                out.write(("OPTIONS sip:" + acme.domain() + " SIP/2.0\r\nVia: SIP/2.0/TCP 127.0.0.1:1;branch=z9hG4bKhuge\r\n"
                        + "Content-Length: 200000\r\n\r\n").getBytes(StandardCharsets.US_ASCII));
                out.write(new byte[200_000]);
                out.flush();
            } catch (java.io.IOException closedByServer) {
                // refusing the flood by closing the connection is a fine answer
            }
            assertEquals(200, phone.register(300).status(), "still serving");
            assertEquals(200, phone.request("OPTIONS", "sip:" + acme.domain(), Map.of()).status());
        }
    }

    // ---- helpers

    /** After the fault: the call is still bridged, it parks and is retrieved, and nothing stray is stored. */
    private static void assertHealthy(TestTenant acme, Calls.Connected talk, TestPhone parker, TestPhone client) {
        SipMessage reinvite = talk.callee().reinvite(parker.sdp());
        assertEquals(200, reinvite.status());
        assertTrue(reinvite.body().contains(client.mediaLine()), "still bridged to the client");
        client.awaitRequest("INVITE");
        assertEquals(0, acme.admin().get("/api/tenants/" + acme.domain() + "/parked-calls").json().size(), "nothing stray");
        assertEquals(202, talk.callee().refer("sip:*68@" + acme.domain()).status());
        assertEquals("SIP/2.0 200", Calls.finalSipfrag(parker).substring(0, 11));
        assertEquals(200, Calls.dial(parker, "*88").status());
        assertEquals("RETRIEVED", acme.lastEndedPark().get("resolution").asText());
    }
}
