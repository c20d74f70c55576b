package io.cloudpark.sip;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

import org.jboss.arquillian.container.test.api.Deployment;
import org.jboss.arquillian.container.test.api.RunAsClient;
import org.jboss.arquillian.junit5.ArquillianExtension;
import org.jboss.shrinkwrap.api.spec.WebArchive;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

import com.fasterxml.jackson.databind.JsonNode;

import io.cloudpark.testing.Call;
import io.cloudpark.testing.Calls;
import io.cloudpark.testing.Conditions;
import io.cloudpark.testing.Deployments;
import io.cloudpark.testing.LiveSessions;
import io.cloudpark.testing.ParkInfoDocument;
import io.cloudpark.testing.SipMessage;
import io.cloudpark.testing.TestPhone;
import io.cloudpark.testing.TestTenant;

/**
 * The retriever gives up (CANCEL) while the parked party's phone is taking its media, before the retrieve has answered
 * it (issue 11: never lose a parked call). The container answers the CANCEL and the INVITE (487) on its own; the
 * retrieve, held at {@link RetrieveFlow#beforeAnswer} until then, must not bridge the parked party to nobody: the
 * party is put back on hold, the park stays PARKED with its recall, and a later retrieve still gets it. The
 * container's {@code isCommitted()} still reads false by then, over UDP as over TCP: only building the 200 tells.
 */
@ExtendWith(ArquillianExtension.class)
@RunAsClient
class RetrieveCancelRaceIT {
    /**
     * The sessions that wait a minute for an ACK (SessionLifecycleIT): the challenges to the client's call to the
     * parker and to both retrieves, and the cancelled retrieve's own.
     */
    private static final int INVITES_AWAITING_ACK = 4;

    @Deployment
    static WebArchive deployment() {
        return Deployments.cloudpark();
    }

    @AfterEach
    void releaseHook() {
        RetrieveFlow.beforeAnswer = invite -> { };
    }

    @Test
    void aRetrieveCancelledOverUdpWhileThePartyTakesItsMediaLeavesTheCallParked() throws Exception {
        try (TestTenant acme = TestTenant.create("cancel-udp", "941", "942", "991")) {
            TestPhone retriever = acme.registeredPhone("942");
            cancelWhileTheRetrieveAnswers(acme, retriever);
        }
    }

    @Test
    void aRetrieveCancelledOverTcpWhileThePartyTakesItsMediaLeavesTheCallParked() throws Exception {
        try (TestTenant acme = TestTenant.create("cancel-tcp", "941", "942", "991")) {
            TestPhone retriever = acme.tcpPhone("942");
            assertEquals(200, retriever.register(300).status());
            cancelWhileTheRetrieveAnswers(acme, retriever);
        }
    }

    private static void cancelWhileTheRetrieveAnswers(TestTenant acme, TestPhone retriever) throws Exception {
        TestPhone parker = acme.registeredPhone("941");
        TestPhone client = acme.registeredPhone("991");
        long idleSessions = LiveSessions.now();
        Calls.Connected talk = Calls.connect(client, parker);
        assertEquals(202, talk.callee().refer("sip:*68@" + acme.domain()).status());
        String holdSdp = client.awaitRequest("INVITE").body(); // the hold: what the client must get back
        parker.awaitRequest("NOTIFY", 5000, "park-info");
        talk.callee().bye();

        CountDownLatch reached = new CountDownLatch(1);
        CountDownLatch cancelled = new CountDownLatch(1);
        RetrieveFlow.beforeAnswer = invite -> Conditions.stopAt(reached, cancelled);
        Call retrieve = retriever.call("sip:*88" + parker.extension() + "@" + acme.domain(), retriever.sdp(), false);
        assertTrue(reached.await(10, TimeUnit.SECONDS), "the parked party took the retriever's media");
        SipMessage reconnect = client.awaitRequest("INVITE");
        retrieve.cancel();
        assertEquals(487, retrieve.awaitFinal(5000).status());
        cancelled.countDown();

        SipMessage rehold = client.awaitRequest("INVITE");
        assertEquals(talk.caller().callId(), rehold.callId());
        assertEquals(mediaOf(retriever.sdp()), mediaOf(reconnect.body()), "the reconnect carried the retriever's media");
        assertEquals(mediaOf(holdSdp), mediaOf(rehold.body()), "the parked party is on hold again");
        assertTrue(retrieve.responses().stream().noneMatch(r -> r.cseq().endsWith("INVITE") && r.status() == 200), "the cancelled retrieve got no 200");
        JsonNode stillParked = acme.admin().get("/api/tenants/" + acme.domain() + "/parked-calls").json();
        assertEquals(1, stillParked.size(), stillParked.toString());
        assertEquals("PARKED", stillParked.get(0).get("status").asText(), stillParked.toString());
        assertEquals(0, acme.admin().get("/api/tenants/" + acme.domain() + "/park-history").json().size());

        Call retrieved = Calls.dial(retriever, "*88" + parker.extension());
        assertEquals(200, retrieved.status(), retrieved.answer().toString());
        client.awaitRequest("INVITE");
        ParkInfoDocument cleared = ParkInfoDocument.of(parker.awaitRequest("NOTIFY", 5000, "park-info"));
        assertEquals("retrieved", cleared.reason());
        assertEquals(200, retrieved.bye().status());
        client.awaitRequest("BYE");
        LiveSessions.awaitBackTo(idleSessions + INVITES_AWAITING_ACK, 20_000, "both parties hung up");
    }

    /** The SDP's media lines: what a hold and a reconnect differ in (the origin's version changes with each). */
    private static String mediaOf(String sdp) {
        StringBuilder media = new StringBuilder();
        for (String line : sdp.split("\r?\n")) {
            if (line.startsWith("m=") || line.startsWith("c=") || line.startsWith("a=send") || line.startsWith("a=recv")
                    || line.startsWith("a=inactive")) {
                media.append(line).append('\n');
            }
        }
        return media.toString();
    }
}
