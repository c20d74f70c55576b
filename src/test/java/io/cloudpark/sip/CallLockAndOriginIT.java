package io.cloudpark.sip;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.lang.management.ManagementFactory;
import java.time.Duration;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;

import javax.management.MBeanServer;
import javax.management.ObjectName;

import org.jboss.arquillian.container.test.api.Deployment;
import org.jboss.arquillian.container.test.api.RunAsClient;
import org.jboss.arquillian.junit5.ArquillianExtension;
import org.jboss.shrinkwrap.api.spec.WebArchive;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

import io.cloudpark.standalone.EmbeddedContainer;
import io.cloudpark.testing.Call;
import io.cloudpark.testing.Calls;
import io.cloudpark.testing.Conditions;
import io.cloudpark.testing.Deployments;
import io.cloudpark.testing.ParkInfoDocument;
import io.cloudpark.testing.SipMessage;
import io.cloudpark.testing.TestPhone;
import io.cloudpark.testing.TestTenant;

/**
 * Two flows into one call take turns on the parked party's call lock (see {@link Leg}), whatever thread they come on;
 * and the parked party sees one SDP origin from the PBX across hold, retrieve, recall and what follows (RFC 3264 §8).
 * The container runs these under the concurrency control mode the failsafe execution sets.
 */
@ExtendWith(ArquillianExtension.class)
@RunAsClient
class CallLockAndOriginIT {
    /** The retriever's own session, with a version far below the parked party's: relayed as is, it would go down. */
    private static final String CAROL_OFFER = "v=0\r\no=carol 4242 3 IN IP4 127.0.0.1\r\ns=carol\r\nc=IN IP4 127.0.0.1\r\n"
            + "t=0 0\r\nm=audio 31000 RTP/AVP 0\r\na=sendrecv\r\n";

    @Deployment
    static WebArchive deployment() {
        return Deployments.cloudpark();
    }

    /** The mode is the one this run asks for: the second failsafe execution does test another one. */
    @Test
    void theContainerRunsUnderTheConcurrencyControlModeOfThisRun() throws Exception {
        MBeanServer server = ManagementFactory.getPlatformMBeanServer();
        Set<ObjectName> dispatchers = server.queryNames(new ObjectName("*:type=SipApplicationDispatcher"), null);
        assertEquals(1, dispatchers.size(), dispatchers.toString());
        assertEquals(System.getProperty(EmbeddedContainer.CONCURRENCY_CONTROL_MODE, "None"),
                server.getAttribute(dispatchers.iterator().next(), "ConcurrencyControlModeByName"));
    }

    @Test
    void anOperatorHangUpWaitsForTheRetrieveThatIsDecidingAndFindsTheCallRetrieved() throws Exception {
        try (TestTenant acme = TestTenant.create("race-operator", "971", "990")) {
            TestPhone parker = acme.registeredPhone("971");
            TestPhone client = acme.registeredPhone("990");
            String parkId = Calls.parkAtSelf(acme, parker, client).info().parkId();
            CountDownLatch deciding = new CountDownLatch(1);
            AtomicBoolean operatorWaited = new AtomicBoolean();
            // the retrieve stops where it decides, holding the call lock, until the operator's hang-up queues for it
            RetrieveFlow.beforeBridge = leg -> {
                deciding.countDown();
                // at most 5 s: less than the phone waits for an answer
                operatorWaited.set(Conditions.holdsWithin(Duration.ofSeconds(5), leg::contended));
            };
            try {
                CompletableFuture<Call> retrieve = Calls.dialAsync(parker, "*88");
                assertTrue(deciding.await(10, TimeUnit.SECONDS), "the retrieve reached its decision");
                CompletableFuture<Integer> hangUp = CompletableFuture.supplyAsync(() ->
                        acme.admin().delete("/api/tenants/" + acme.domain() + "/parked-calls/" + parkId).status());

                Call retrieved = retrieve.get(15, TimeUnit.SECONDS);
                assertEquals(200, retrieved.status(), retrieved.answer().toString());
                assertTrue(operatorWaited.get(), "the operator's hang-up waited for the call lock");
                assertEquals(404, hangUp.get(10, TimeUnit.SECONDS), "it finds the call retrieved");
                assertEquals("RETRIEVED", acme.lastEndedPark().get("resolution").asText());
                // the hang-up has answered, so whatever it did is done: it sent the retrieved party no BYE
                assertFalse(client.receives("BYE", 500), "the retrieved party stays connected");
                assertEquals(200, retrieved.bye().status());
                client.awaitRequest("BYE");
            } finally {
                RetrieveFlow.beforeBridge = leg -> { };
            }
        }
    }

    @Test
    void theParkedPartySeesOneOriginAcrossHoldRetrieveAndAReinviteOfTheRetriever() {
        try (TestTenant acme = TestTenant.create("origin-retrieve", "961", "962", "990")) {
            TestPhone parker = acme.registeredPhone("961");
            TestPhone carol = acme.registeredPhone("962");
            TestPhone client = acme.registeredPhone("990");
            Calls.Connected talk = Calls.connect(client, parker);
            Sdp.Origin talking = origin(talk.caller().remoteSdp());

            assertEquals(202, talk.callee().refer("sip:*68@" + acme.domain()).status());
            Sdp.Origin held = origin(client.awaitRequest("INVITE").body());
            parker.awaitRequest("NOTIFY", 5000, "park-info");
            talk.callee().bye();
            Call retrieved = carol.call("*88961", CAROL_OFFER);
            assertEquals(200, retrieved.status(), retrieved.answer().toString());
            SipMessage reconnect = client.awaitRequest("INVITE");
            assertTrue(reconnect.body().contains("m=audio 31000 RTP/AVP 0"), "the client gets Carol's media");
            Sdp.Origin retrievedOrigin = origin(reconnect.body());
            assertEquals(200, retrieved.reinvite(CAROL_OFFER.replace("31000", "31002")).status());
            Sdp.Origin reinvited = origin(client.awaitRequest("INVITE").body());

            assertOneSessionRising(talking, held, retrievedOrigin, reinvited);
            assertEquals(200, retrieved.bye().status());
            client.awaitRequest("BYE");
        }
    }

    /**
     * The retriever may re-INVITE as soon as it has its 200, while the retrieve still holds the call and has not yet
     * recorded its end: the re-INVITE must reach the parked party, not be answered by the PBX as if nobody were there.
     */
    @Test
    void aReinviteOfTheRetrieverRightAfterIts200ReachesTheParkedParty() throws Exception {
        try (TestTenant acme = TestTenant.create("reinvite-after-200", "951", "952", "990")) {
            TestPhone parker = acme.registeredPhone("951");
            TestPhone carol = acme.registeredPhone("952");
            TestPhone client = acme.registeredPhone("990");
            Calls.parkAtSelf(acme, parker, client);
            CountDownLatch answered = new CountDownLatch(1);
            CountDownLatch release = new CountDownLatch(1);
            RetrieveFlow.afterAnswer = leg -> Conditions.stopAt(answered, release);
            try {
                CompletableFuture<Call> retrieve = CompletableFuture.supplyAsync(() -> carol.call("*88951", CAROL_OFFER));
                assertTrue(answered.await(10, TimeUnit.SECONDS), "the retriever was answered");
                Call retrieved = retrieve.get(10, TimeUnit.SECONDS);
                assertEquals(200, retrieved.status(), retrieved.answer().toString());
                client.awaitRequest("INVITE"); // the re-INVITE that brought it back
                // asynchronous: where the container serialises the client's session, its answer waits for the release
                CompletableFuture<SipMessage> reinvite = CompletableFuture.supplyAsync(
                        () -> retrieved.reinvite(CAROL_OFFER.replace("31000", "31002")));
                SipMessage relayed = client.awaitRequest("INVITE");
                assertTrue(relayed.body().contains("m=audio 31002 RTP/AVP 0"), "the client gets Carol's new media");
                release.countDown();
                assertEquals(200, reinvite.get(10, TimeUnit.SECONDS).status());
                assertEquals("RETRIEVED", acme.lastEndedPark().get("resolution").asText());
                assertEquals(200, retrieved.bye().status());
                client.awaitRequest("BYE");
            } finally {
                release.countDown();
                RetrieveFlow.afterAnswer = leg -> { };
            }
        }
    }

    @Test
    void theParkedPartySeesOneOriginAcrossHoldAndRecall() {
        try (TestTenant acme = TestTenant.create("origin-recall", "981", "990")) {
            acme.settings("{\"parkTimeoutSeconds\":1,\"recallRingSeconds\":10}");
            TestPhone parker = acme.registeredPhone("981");
            TestPhone client = acme.registeredPhone("990");
            Calls.Connected talk = Calls.connect(client, parker);
            Sdp.Origin talking = origin(talk.caller().remoteSdp());
            assertEquals(202, talk.callee().refer("sip:*68@" + acme.domain()).status());
            Sdp.Origin held = origin(client.awaitRequest("INVITE").body());
            ParkInfoDocument.of(parker.awaitRequest("NOTIFY", 5000, "park-info"));
            talk.callee().bye();

            SipMessage recall = parker.awaitRequest("INVITE", 6000);
            Call answered = parker.answer(recall);
            SipMessage reconnect = client.awaitRequest("INVITE");
            assertTrue(reconnect.body().contains(parker.mediaLine()), "the client gets the parker's offer");

            assertOneSessionRising(talking, held, origin(reconnect.body()));
            assertEquals(200, answered.bye().status());
            client.awaitRequest("BYE");
        }
    }

    /** Same username, session id and address throughout; each version above the one before. */
    private static void assertOneSessionRising(Sdp.Origin first, Sdp.Origin... later) {
        Sdp.Origin before = first;
        for (Sdp.Origin next : later) {
            assertEquals(first.username(), next.username(), next.toString());
            assertEquals(first.sessionId(), next.sessionId(), next.toString());
            assertEquals(first.address(), next.address(), next.toString());
            assertTrue(next.version() > before.version(), before + " then " + next);
            before = next;
        }
    }

    private static Sdp.Origin origin(String sdp) {
        return Sdp.origin(sdp.getBytes(java.nio.charset.StandardCharsets.US_ASCII))
                .orElseThrow(() -> new AssertionError("no o= line in " + sdp));
    }
}
