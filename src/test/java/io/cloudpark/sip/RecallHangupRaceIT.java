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
 * The recalled device hanging up as soon as it has its ACK, before the recall has bridged it to the parked party (a
 * CI run of CallLockAndOriginIT hit it: the parked party kept a call with nobody on it). Its BYE takes its own leg's
 * call lock, which the recall does not hold, so it is handled while {@link RecallFlow#beforeBridge} holds the recall;
 * then the recall goes on, finds the device gone and hangs up the parked party.
 */
@ExtendWith(ArquillianExtension.class)
@RunAsClient
class RecallHangupRaceIT {
    /** The client's INVITE to the parker was challenged first; it waits a minute for its ACK (SessionLifecycleIT). */
    private static final int CHALLENGED_INVITES = 1;

    @Deployment
    static WebArchive deployment() {
        return Deployments.cloudpark();
    }

    @AfterEach
    void releaseHook() {
        RecallFlow.beforeBridge = leg -> { };
    }

    @Test
    void theRecalledDeviceHangingUpBeforeTheBridgeHangsUpTheParkedParty() throws Exception {
        try (TestTenant acme = TestTenant.create("recall-bye-before-bridge", "961", "990")) {
            acme.settings("{\"parkTimeoutSeconds\":1,\"recallRingSeconds\":10}");
            TestPhone parker = acme.registeredPhone("961");
            TestPhone client = acme.registeredPhone("990");
            long idleSessions = LiveSessions.now();
            CountDownLatch reached = new CountDownLatch(1);
            CountDownLatch release = new CountDownLatch(1);
            RecallFlow.beforeBridge = leg -> Conditions.stopAt(reached, release);
            Calls.Parked parked = Calls.parkAtSelf(acme, parker, client);

            Call recalled = parker.answer(parker.awaitRequest("INVITE", 6000));
            client.awaitRequest("INVITE"); // the re-INVITE with the parker's offer, answered by the client
            assertTrue(reached.await(10, TimeUnit.SECONDS), "the recall is about to bridge");
            assertEquals(200, recalled.bye().status(), "the device's BYE needs nothing the recall holds");
            release.countDown();

            SipMessage hangUp = client.awaitRequest("BYE");
            assertEquals(parked.talk().caller().callId(), hangUp.callId(), "the parked party's own dialog");
            ParkInfoDocument cleared = ParkInfoDocument.of(parker.awaitRequest("NOTIFY", 5000, "park-info"));
            assertEquals("recalled", cleared.reason());
            assertTrue(cleared.calls().isEmpty());
            JsonNode history = acme.admin().get("/api/tenants/" + acme.domain() + "/park-history").json();
            assertEquals(1, history.size(), history.toString());
            assertEquals("RECALLED", history.get(0).get("resolution").asText(), "it was answered");
            assertEquals("961", history.get(0).get("endedBy").asText());
            assertEquals(0, acme.admin().get("/api/tenants/" + acme.domain() + "/parked-calls").json().size());
            LiveSessions.awaitBackTo(idleSessions + CHALLENGED_INVITES, 20_000, "both parties hung up");
        }
    }
}
