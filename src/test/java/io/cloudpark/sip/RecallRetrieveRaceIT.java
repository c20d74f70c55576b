package io.cloudpark.sip;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;

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
import io.cloudpark.testing.ParkInfoDocument;
import io.cloudpark.testing.SipMessage;
import io.cloudpark.testing.TestPhone;
import io.cloudpark.testing.TestTenant;

/**
 * The recall timer firing while a retrieve claims the same parked call, in both orders (issue 11). The store's
 * claim decides: whoever moves the row out of PARKED first owns the call, the other does nothing to it. The orders
 * are driven by {@link RecallFlow}'s claim hooks and {@link RetrieveFlow#beforeBridge}, not by timing: the park's
 * timeout only makes the recall due, and the recall then waits at its hook until the test lets it claim.
 */
@ExtendWith(ArquillianExtension.class)
@RunAsClient
class RecallRetrieveRaceIT {
    private static final String FAST_RECALL = "{\"parkTimeoutSeconds\":1,\"recallRingSeconds\":5}";

    @Deployment
    static WebArchive deployment() {
        return Deployments.cloudpark();
    }

    @AfterEach
    void releaseHooks() {
        RecallFlow.beforeClaim = parkId -> { };
        RecallFlow.afterClaim = (parkId, claimed) -> { };
        RetrieveFlow.beforeBridge = leg -> { };
    }

    @Test
    void aRecallDueWhileTheRetrieveHoldsItsClaimRingsNobody() throws Exception {
        try (TestTenant acme = TestTenant.create("race-recall-late", "941", "942", "990")) {
            acme.settings(FAST_RECALL);
            TestPhone parker = acme.registeredPhone("941");
            TestPhone retriever = acme.registeredPhone("942");
            TestPhone client = acme.registeredPhone("990");
            CountDownLatch recallDue = new CountDownLatch(1);
            CountDownLatch letRecallClaim = new CountDownLatch(1);
            CountDownLatch recallClaimed = new CountDownLatch(1);
            AtomicReference<Boolean> recallWon = new AtomicReference<>();
            RecallFlow.beforeClaim = parkId -> Conditions.stopAt(recallDue, letRecallClaim);
            RecallFlow.afterClaim = (parkId, claimed) -> {
                recallWon.set(claimed);
                recallClaimed.countDown();
            };
            CountDownLatch retrieveClaimed = new CountDownLatch(1);
            CountDownLatch letRetrieveGoOn = new CountDownLatch(1);
            RetrieveFlow.beforeBridge = leg -> Conditions.stopAt(retrieveClaimed, letRetrieveGoOn);

            Calls.Parked parked = Calls.parkAtSelf(acme, parker, client);
            assertTrue(recallDue.await(10, TimeUnit.SECONDS), "the recall fell due");
            CompletableFuture<Call> retrieve = CompletableFuture.supplyAsync(() -> Calls.dial(retriever, "*88941"));
            assertTrue(retrieveClaimed.await(10, TimeUnit.SECONDS), "the retrieve claimed the call (PARKED to RETRIEVING)");
            letRecallClaim.countDown();
            assertTrue(recallClaimed.await(10, TimeUnit.SECONDS), "the recall tried its claim");
            assertFalse(recallWon.get(), "the recall lost its claim to the retrieve");
            letRetrieveGoOn.countDown();

            Call retrieved = retrieve.get(15, TimeUnit.SECONDS);
            assertEquals(200, retrieved.status(), retrieved.answer().toString());
            client.awaitRequest("INVITE"); // the re-INVITE that brings it to the retriever
            ParkInfoDocument cleared = ParkInfoDocument.of(parker.awaitRequest("NOTIFY", 5000, "park-info"));
            assertEquals("retrieved", cleared.reason());
            assertEquals(parked.info().parkId(), cleared.parkId());
            assertTrue(cleared.calls().isEmpty());
            assertResolvedOnce(acme, "RETRIEVED", "942");

            // the retriever hangs up: the client's BYE proves the server is done with the call and both are bridged
            assertEquals(200, retrieved.bye().status());
            client.awaitRequest("BYE");
            assertFalse(parker.receives("INVITE", 0), "the lost recall rang nobody");
            assertFalse(retriever.receives("INVITE", 0), "the lost recall rang nobody");
            assertFalse(parkInfoWaiting(parker), "one clearing park-info NOTIFY only");
            assertResolvedOnce(acme, "RETRIEVED", "942");
        }
    }

    @Test
    void aRetrieveArrivingWhileTheRecallHoldsItsClaimFindsNothingToRetrieve() throws Exception {
        try (TestTenant acme = TestTenant.create("race-retrieve-late", "951", "952", "990")) {
            acme.settings(FAST_RECALL);
            TestPhone parker = acme.registeredPhone("951");
            TestPhone retriever = acme.registeredPhone("952");
            TestPhone client = acme.registeredPhone("990");
            CountDownLatch recallClaimed = new CountDownLatch(1);
            CountDownLatch letRecallGoOn = new CountDownLatch(1);
            AtomicReference<Boolean> recallWon = new AtomicReference<>();
            RecallFlow.afterClaim = (parkId, claimed) -> {
                recallWon.set(claimed);
                Conditions.stopAt(recallClaimed, letRecallGoOn);
            };

            Calls.Parked parked = Calls.parkAtSelf(acme, parker, client);
            assertTrue(recallClaimed.await(10, TimeUnit.SECONDS), "the recall claimed the call");
            assertTrue(recallWon.get(), "the recall won its claim (PARKED to RECALLING)");
            Call retrieve = Calls.dial(retriever, "*88951");
            assertEquals(RETRIEVE_OF_A_RECALLING_CALL, retrieve.status(), retrieve.answer().toString());
            letRecallGoOn.countDown();

            SipMessage recall = parker.awaitRequest("INVITE", 10_000);
            assertEquals("<urn:alert:service:recall>", recall.header("Alert-Info"));
            Call answered = parker.answer(recall);
            SipMessage reconnect = client.awaitRequest("INVITE");
            answered.ack();
            ParkInfoDocument cleared = ParkInfoDocument.of(parker.awaitRequest("NOTIFY", 5000, "park-info"));
            assertEquals("recalled", cleared.reason());
            assertEquals(parked.info().parkId(), cleared.parkId());
            assertResolvedOnce(acme, "RECALLED", "951");

            assertEquals(200, answered.bye().status());
            assertEquals(reconnect.callId(), client.awaitRequest("BYE").callId(), "parker and client are bridged");
            assertFalse(retriever.receives("INVITE", 0), "the refused retrieve got nothing more");
            assertFalse(parkInfoWaiting(parker), "one clearing park-info NOTIFY only");
            assertResolvedOnce(acme, "RECALLED", "951");
        }
    }

    /** What {@link RetrieveFlow} answers a retrieve whose call a recall has claimed (DESIGN: lost a race). */
    private static final int RETRIEVE_OF_A_RECALLING_CALL = 480;

    private static void assertResolvedOnce(TestTenant acme, String resolution, String endedBy) {
        JsonNode history = acme.admin().get("/api/tenants/" + acme.domain() + "/park-history").json();
        assertEquals(1, history.size(), history.toString());
        assertEquals(resolution, history.get(0).get("resolution").asText());
        assertEquals(endedBy, history.get(0).get("endedBy").asText());
        assertEquals(0, acme.admin().get("/api/tenants/" + acme.domain() + "/parked-calls").json().size());
    }

    /** True if a park-info NOTIFY has already arrived (the REFER's sipfrag NOTIFYs to the parker are not one). */
    private static boolean parkInfoWaiting(TestPhone phone) {
        try {
            phone.awaitRequest("NOTIFY", 0, "park-info");
            return true;
        } catch (AssertionError e) {
            return false;
        }
    }
}
