package io.cloudpark.sip;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;

import org.jboss.arquillian.container.test.api.Deployment;
import org.jboss.arquillian.container.test.api.RunAsClient;
import org.jboss.arquillian.junit5.ArquillianExtension;
import org.jboss.shrinkwrap.api.spec.WebArchive;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

import io.cloudpark.standalone.EmbeddedContainer;
import io.cloudpark.testing.Call;
import io.cloudpark.testing.Calls;
import io.cloudpark.testing.Conditions;
import io.cloudpark.testing.Deployments;
import io.cloudpark.testing.ServerLog;
import io.cloudpark.testing.SipMessage;
import io.cloudpark.testing.TestPhone;
import io.cloudpark.testing.TestTenant;

/** Calls between extensions through the B2BUA: fork, first answer wins, CANCEL, BYE, re-INVITE, authentication. */
@ExtendWith(ArquillianExtension.class)
@RunAsClient
class CallIT {

    @Deployment
    static WebArchive deployment() {
        return Deployments.cloudpark();
    }

    @AfterEach
    void releaseHook() {
        CallFlow.beforeRelayingRinging = leg -> { };
    }

    /**
     * One device rings as another answers, and the PBX may handle the two on two threads: a 180 relayed to the caller
     * after the 200 broke the caller's dialog (its next re-INVITE was taken for a new call). The 180 is held as it is
     * relayed until the 200 queues behind it for the caller's call lock; under SipApplicationSession serialisation
     * the container queues the 200 itself, so the hold is short there.
     */
    @Test
    void aDeviceRingingAsAnotherAnswersReachesTheCallerBeforeTheAnswerAndTheFirstAnswerWins() throws Exception {
        try (TestTenant acme = TestTenant.create("call", "301", "302")) {
            TestPhone caller = acme.registeredPhone("301");
            TestPhone desk = acme.registeredPhone("302");
            TestPhone mobile = acme.registeredPhone("302");
            boolean containerSerialises = containerSerialisesTheCall();
            CountDownLatch relaying = new CountDownLatch(1);
            AtomicBoolean answerQueued = new AtomicBoolean();
            AtomicBoolean held = new AtomicBoolean();
            CallFlow.beforeRelayingRinging = leg -> {
                if (held.compareAndSet(false, true)) { // the mobile's 180; the desk's own 180 and 200 go by
                    relaying.countDown();
                    answerQueued.set(Conditions.holdsWithin(Duration.ofSeconds(containerSerialises ? 1 : 5), leg::contended));
                }
            };

            CompletableFuture<Call> placed = Calls.dialAsync(caller, "302");
            SipMessage atDesk = desk.awaitRequest("INVITE");
            SipMessage atMobile = mobile.awaitRequest("INVITE");
            assertTrue(atDesk.body().contains(caller.mediaLine()), "the caller's offer reaches every device");
            assertEquals("<sip:301@" + acme.domain() + ">", atDesk.header("From").replaceFirst(";tag=.*", "").replaceFirst("^\"[^\"]*\" ", ""));
            mobile.ring(atMobile);
            assertTrue(relaying.await(10, TimeUnit.SECONDS), "the mobile's 180 is being relayed");
            Call answered = desk.answer(atDesk);
            Call call = placed.get(15, TimeUnit.SECONDS);

            assertEquals(200, call.status());
            assertTrue(containerSerialises || answerQueued.get(), "the desk waited for the 180 on the call lock");
            assertEquals(List.of(180, 200), call.statusesHeard(), "the caller hears the ringing, then the answer");
            assertTrue(call.remoteSdp().contains(desk.mediaLine()), "the caller gets the answering device's SDP");
            SipMessage cancel = mobile.awaitRequest("CANCEL");
            assertEquals(atMobile.callId(), cancel.callId(), "the device that did not answer is cancelled");
            assertNotNull(answered.ack());

            SipMessage reinvite = call.reinvite(caller.sdp().replace("a=sendrecv", "a=sendonly"));
            assertEquals(200, reinvite.status(), "the caller's dialog is confirmed: it can re-INVITE");
            SipMessage relayed = desk.awaitRequest("INVITE");
            assertTrue(relayed.body().contains("a=sendonly"), "the re-INVITE passes through: " + relayed.body());
            assertTrue(reinvite.body().contains(desk.mediaLine()), "and its answer comes back");

            assertEquals(200, answered.bye().status());
            SipMessage bye = caller.awaitRequest("BYE");
            assertEquals(call.callId(), bye.callId(), "BYE passes to the other leg");
        }
    }

    /**
     * The caller cancels as a device's 180 is being relayed. Where the container handles the two on two threads, it
     * has answered the CANCEL and the INVITE (487) by itself, so the 180 has nowhere to go: it is dropped, and that is
     * no error. Under SipApplicationSession serialisation the CANCEL waits for the ringing, so nothing crosses.
     * Either way the device is cancelled.
     */
    @Test
    void aRingingThatCrossesTheCallersCancelIsDroppedAndIsNoError() throws Exception {
        try (TestTenant acme = TestTenant.create("call", "303", "304");
             ServerLog log = ServerLog.capture()) {
            TestPhone caller = acme.registeredPhone("303");
            TestPhone callee = acme.registeredPhone("304");
            CountDownLatch relaying = new CountDownLatch(1);
            CountDownLatch cancelled = new CountDownLatch(1);
            CallFlow.beforeRelayingRinging = leg -> Conditions.stopAt(relaying, cancelled);

            Call call = caller.call("sip:304@" + acme.domain(), caller.sdp(), false);
            SipMessage invite = callee.awaitRequest("INVITE");
            callee.ring(invite);
            assertTrue(relaying.await(10, TimeUnit.SECONDS), "the 180 is being relayed");
            call.cancel();
            if (containerSerialisesTheCall()) {
                cancelled.countDown();
                assertEquals(487, call.awaitFinal(5000).status());
                assertEquals(List.of(180, 487), call.statusesHeard(), "the CANCEL was answered after the ringing");
            } else {
                assertEquals(487, call.awaitFinal(5000).status());
                cancelled.countDown();
                assertTrue(log.logs("no 180 relayed to the INVITE from", Duration.ofSeconds(10)), "the 180 met the 487");
                assertEquals(List.of(487), call.statusesHeard(), "no 180 after the 487");
            }
            assertEquals(invite.callId(), callee.awaitRequest("CANCEL").callId(), "the ringing device is cancelled");
            assertEquals(List.of(), log.errors());
        }
    }

    /** Whether this run's container serialises everything of one call (SipApplicationSession mode). */
    private static boolean containerSerialisesTheCall() {
        return "SipApplicationSession".equals(System.getProperty(EmbeddedContainer.CONCURRENCY_CONTROL_MODE, "None"));
    }

    @Test
    void callerCancelStopsTheRinging() {
        try (TestTenant acme = TestTenant.create("call", "311", "312")) {
            TestPhone caller = acme.registeredPhone("311");
            TestPhone callee = acme.registeredPhone("312");
            Call call = caller.call("sip:312@" + acme.domain(), caller.sdp(), false);
            SipMessage invite = callee.awaitRequest("INVITE");
            callee.ring(invite);
            waitForRinging(call);
            call.cancel();
            assertEquals(487, call.awaitFinal(5000).status());
            assertEquals(invite.callId(), callee.awaitRequest("CANCEL").callId());
        }
    }

    @Test
    void busyDeviceMakesTheCallBusy() {
        try (TestTenant acme = TestTenant.create("call", "321", "322")) {
            TestPhone caller = acme.registeredPhone("321");
            TestPhone callee = acme.registeredPhone("322");
            CompletableFuture<Call> placed = Calls.dialAsync(caller, "322");
            callee.reject(callee.awaitRequest("INVITE"), 486, "Busy Here");
            assertEquals(486, placed.join().status());
        }
    }

    @Test
    void aDeviceThatRingsThenDeclinesEndsTheCallWithItsAnswer() {
        try (TestTenant acme = TestTenant.create("call", "323", "324")) {
            TestPhone caller = acme.registeredPhone("323");
            TestPhone callee = acme.registeredPhone("324");
            CompletableFuture<Call> placed = Calls.dialAsync(caller, "324");
            SipMessage invite = callee.awaitRequest("INVITE");
            callee.ring(invite);
            callee.reject(invite, 603, "Decline");
            assertEquals(603, placed.join().status(), "the decline after the ringing reaches the caller");
        }
    }

    @Test
    void unknownExtensionIsNotFoundAndUnregisteredIsUnavailable() {
        try (TestTenant acme = TestTenant.create("call", "331", "332")) {
            TestPhone caller = acme.registeredPhone("331");
            assertEquals(404, caller.call("399").status());
            assertEquals(480, caller.call("332").status());
        }
    }

    @Test
    void anUnauthenticatedInviteIsChallenged() {
        try (TestTenant acme = TestTenant.create("call", "341", "342")) {
            TestPhone caller = acme.registeredPhone("341");
            TestPhone callee = acme.registeredPhone("342");
            String invite = "INVITE sip:342@" + acme.domain() + " SIP/2.0\r\nVia: SIP/2.0/UDP 127.0.0.1:" + caller.port()
                    + ";branch=z9hG4bKnoauth1\r\nMax-Forwards: 70\r\nFrom: <sip:341@" + acme.domain() + ">;tag=x\r\nTo: <sip:342@"
                    + acme.domain() + ">\r\nCall-ID: noauth-1\r\nCSeq: 1 INVITE\r\nContact: <" + caller.contact()
                    + ">\r\nContent-Length: 0\r\n\r\n";
            caller.sendRaw(invite.getBytes(StandardCharsets.UTF_8));
            SipMessage challenge = caller.awaitResponseForTest("noauth-1");
            assertEquals(407, challenge.status());
            assertTrue(challenge.header("Proxy-Authenticate").contains("realm=\"" + acme.domain() + "\""));
            assertFalse(callee.receives("INVITE", 500), "nothing rings before the caller is authenticated");
        }
    }

    @Test
    void anExtensionOfAnotherTenantCannotBeCalled() {
        try (TestTenant acme = TestTenant.create("call", "351"); TestTenant other = TestTenant.create("other", "352")) {
            TestPhone caller = acme.registeredPhone("351");
            TestPhone foreign = other.registeredPhone("352");
            // the Request-URI names acme: 352 does not exist there, whatever exists elsewhere
            assertEquals(404, caller.call("352").status());
            assertFalse(foreign.receives("INVITE", 300));
        }
    }

    private static void waitForRinging(Call call) {
        long deadline = System.currentTimeMillis() + 5000;
        while (System.currentTimeMillis() < deadline) {
            if (call.responses().stream().anyMatch(r -> r.status() == 180)) {
                return;
            }
            try {
                Thread.sleep(20);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return;
            }
        }
        throw new AssertionError("no 180 Ringing relayed to the caller");
    }
}
