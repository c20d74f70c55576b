package io.cloudpark.sip;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;

import org.jboss.arquillian.container.test.api.Deployment;
import org.jboss.arquillian.container.test.api.RunAsClient;
import org.jboss.arquillian.junit5.ArquillianExtension;
import org.jboss.shrinkwrap.api.spec.WebArchive;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

import com.fasterxml.jackson.databind.JsonNode;

import io.cloudpark.standalone.EmbeddedContainer;
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
 * A hang-up of either party at each point of a retrieve's end (issue 11: nobody is left in silence): right after the
 * retriever's ACK, while the retrieve still holds the call (before its 200, after it), and a retriever's BYE crossing
 * the 200 before its ACK. In each the other party gets a BYE, the park ends once, RETRIEVED, its devices are cleared,
 * and no SIP application session is left. The holds are {@link RetrieveFlow}'s hooks, released once the hang-up is
 * known to wait for the call lock (or, under {@code SipApplicationSession} serialisation, is queued by the container
 * behind the step holding it: then the order is the container's own).
 */
@ExtendWith(ArquillianExtension.class)
@RunAsClient
class RetrieveHangupRaceIT {
    /** The INVITEs of each race that were challenged first: the client's call to the parker, the retrieve. */
    private static final int CHALLENGED_INVITES = 2;

    @Deployment
    static WebArchive deployment() {
        return Deployments.cloudpark();
    }

    @AfterEach
    void releaseHooks() {
        RetrieveFlow.beforeBridge = leg -> { };
        RetrieveFlow.afterAnswer = leg -> { };
    }

    @Test
    void theRetrieverHangingUpRightAfterItsAckHangsUpTheParkedParty() {
        try (Race race = new Race("bye-after-ack")) {
            Call retrieved = race.retrieve();
            assertEquals(200, retrieved.bye().status());
            race.client.awaitRequest("BYE");
            race.assertRetrievedOnceAndNothingLeft();
        }
    }

    @Test
    void theRetrieverHangingUpWhileTheRetrieveStillHoldsTheCallHangsUpTheParkedParty() throws Exception {
        try (Race race = new Race("bye-after-200")) {
            CountDownLatch answered = new CountDownLatch(1);
            CountDownLatch release = new CountDownLatch(1);
            RetrieveFlow.afterAnswer = leg -> Conditions.stopAt(answered, release);
            CompletableFuture<Call> retrieve = CompletableFuture.supplyAsync(race::retrieve);
            assertTrue(answered.await(10, TimeUnit.SECONDS), "the retriever was answered");
            Call retrieved = retrieve.get(10, TimeUnit.SECONDS);
            // the retriever's BYE takes its own leg's call lock: it needs nothing the retrieve holds
            assertEquals(200, retrieved.bye().status());
            release.countDown();
            race.client.awaitRequest("BYE");
            race.assertRetrievedOnceAndNothingLeft();
        }
    }

    @Test
    void theRetrieverByeCrossingThe200HangsUpTheParkedParty() {
        try (Race race = new Race("bye-before-ack")) {
            Call retrieved = race.retriever.call("sip:*88" + race.parker.extension() + "@" + race.acme.domain(),
                    race.retriever.sdp(), false);
            assertEquals(200, retrieved.awaitFinalWithoutAck(10_000).status());
            SipMessage byeAnswer = retrieved.bye();
            retrieved.ackAnswer();
            assertTrue(byeAnswer.status() == 200 || byeAnswer.status() == 481, byeAnswer.toString());
            race.client.awaitRequest("BYE");
            race.assertRetrievedOnceAndNothingLeft();
        }
    }

    @Test
    void theParkedPartyHangingUpRightAfterTheRetrieversAckHangsUpTheRetriever() {
        try (Race race = new Race("parked-bye-after-ack")) {
            Call retrieved = race.retrieve();
            assertEquals(200, race.parkedCall().bye().status());
            assertEquals(retrieved.callId(), race.retriever.awaitRequest("BYE").callId());
            race.assertRetrievedOnceAndNothingLeft();
        }
    }

    @Test
    void theParkedPartyHangingUpBeforeTheRetrieveBridgesHangsUpTheRetriever() throws Exception {
        try (Race race = new Race("parked-bye-before-bridge")) {
            race.parkedPartyHangsUpDuring(hook -> RetrieveFlow.beforeBridge = hook);
            race.assertRetrievedOnceAndNothingLeft();
        }
    }

    @Test
    void theParkedPartyHangingUpAfterTheRetrieversAnswerHangsUpTheRetriever() throws Exception {
        try (Race race = new Race("parked-bye-after-200")) {
            race.parkedPartyHangsUpDuring(hook -> RetrieveFlow.afterAnswer = hook);
            race.assertRetrievedOnceAndNothingLeft();
        }
    }

    /** The client parked at the parker's extension; the retriever, another extension, is to pick it up. */
    private static final class Race implements AutoCloseable {
        final TestTenant acme;
        final TestPhone parker;
        final TestPhone client;
        final TestPhone retriever;
        final long idleSessions;
        final Calls.Parked parked;

        Race(String label) {
            acme = TestTenant.create("race-" + label, "931", "932", "990");
            parker = acme.registeredPhone("931");
            retriever = acme.registeredPhone("932");
            client = acme.registeredPhone("990");
            idleSessions = LiveSessions.now();
            parked = Calls.parkAtSelf(acme, parker, client);
        }

        Call retrieve() {
            Call retrieved = Calls.dial(retriever, "*88" + parker.extension());
            assertEquals(200, retrieved.status(), retrieved.answer().toString());
            client.awaitRequest("INVITE"); // the re-INVITE that brought it back
            return retrieved;
        }

        /** The client's own dialog with the PBX, the one it was parked in. */
        Call parkedCall() {
            return parked.talk().caller();
        }

        /**
         * The retrieve stops at {@code hook}, holding the parked party's call lock; the client hangs up and its BYE
         * waits for the lock; then the retrieve goes on: the retriever is answered and then hung up.
         */
        void parkedPartyHangsUpDuring(Consumer<Consumer<Leg>> hook) throws Exception {
            CountDownLatch reached = new CountDownLatch(1);
            CountDownLatch release = new CountDownLatch(1);
            // per application session, and per SIP session where the hook runs in the client's dialog, the container
            // itself holds the BYE back; per transaction (as under None) the BYE comes on and queues on the call lock
            String mode = System.getProperty(EmbeddedContainer.CONCURRENCY_CONTROL_MODE, "None");
            boolean containerSerialises = !"None".equals(mode) && !"Transaction".equals(mode);
            hook.accept(leg -> {
                if (Conditions.stopAt(reached, release) && !containerSerialises) {
                    Conditions.holdsWithin(Duration.ofSeconds(5), leg::contended);
                }
            });
            CompletableFuture<Call> retrieve = CompletableFuture.supplyAsync(
                    () -> Calls.dial(retriever, "*88" + parker.extension()));
            assertTrue(reached.await(10, TimeUnit.SECONDS), "the retrieve reached the hook");
            CompletableFuture<SipMessage> bye = CompletableFuture.supplyAsync(() -> parkedCall().bye());
            release.countDown();
            Call retrieved = retrieve.get(15, TimeUnit.SECONDS);
            assertEquals(200, retrieved.status(), retrieved.answer().toString());
            assertEquals(200, bye.get(15, TimeUnit.SECONDS).status());
            SipMessage hangUp = retriever.awaitRequest("BYE");
            assertEquals(retrieved.callId(), hangUp.callId());
        }

        void assertRetrievedOnceAndNothingLeft() {
            ParkInfoDocument cleared = ParkInfoDocument.of(parker.awaitRequest("NOTIFY", 5000, "park-info"));
            assertEquals("retrieved", cleared.reason());
            assertTrue(cleared.calls().isEmpty(), "nothing parked at " + parker.extension() + " any more");
            JsonNode history = acme.admin().get("/api/tenants/" + acme.domain() + "/park-history").json();
            assertEquals(1, history.size(), history.toString());
            assertEquals("RETRIEVED", history.get(0).get("resolution").asText());
            assertEquals("932", history.get(0).get("endedBy").asText());
            assertEquals(0, acme.admin().get("/api/tenants/" + acme.domain() + "/parked-calls").json().size());
            // the client's and the retriever's challenged INVITEs wait a minute for their ACK (SessionLifecycleIT);
            // all else is gone once both have hung up, when the container releases the ended dialogs (about 8 s)
            LiveSessions.awaitBackTo(idleSessions + CHALLENGED_INVITES, 20_000, "both parties hung up");
        }

        @Override
        public void close() {
            acme.close();
        }
    }
}
