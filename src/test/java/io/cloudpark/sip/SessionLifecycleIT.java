package io.cloudpark.sip;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Map;
import java.util.concurrent.CompletableFuture;

import org.jboss.arquillian.container.test.api.Deployment;
import org.jboss.arquillian.container.test.api.RunAsClient;
import org.jboss.arquillian.junit5.ArquillianExtension;
import org.jboss.shrinkwrap.api.spec.WebArchive;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

import io.cloudpark.testing.AdminClient;
import io.cloudpark.testing.Call;
import io.cloudpark.testing.Calls;
import io.cloudpark.testing.Deployments;
import io.cloudpark.testing.LiveSessions;
import io.cloudpark.testing.ParkInfoDocument;
import io.cloudpark.testing.SipMessage;
import io.cloudpark.testing.TestPhone;
import io.cloudpark.testing.TestTenant;

/**
 * The container never expires a session on its own (sip.xml), so whatever ends must leave none behind: a node that
 * kept one per REGISTER grew by 20,000 sessions an hour at a 1,000-tenant PBX. Read from the live-session gauge of
 * {@code /metrics}; other test classes' sessions only ever end while these run, so a rise is ours.
 */
@ExtendWith(ArquillianExtension.class)
@RunAsClient
class SessionLifecycleIT {
    /** A rejected INVITE's session waits for its ACK, which the container absorbs: it expires after one minute. */
    private static final long REJECTED_INVITE_EXPIRY_MS = 75_000;

    @Deployment
    static WebArchive deployment() {
        return Deployments.cloudpark();
    }

    @Test
    void registrationsAndRefusedRequestsLeaveNoSession() {
        try (TestTenant acme = TestTenant.create("sessions", "101", "102")) {
            TestPhone phone = acme.phone("101");
            long before = liveSessions();
            for (int i = 0; i < 10; i++) {
                assertEquals(200, phone.register(300).status());
            }
            assertEquals(403, acme.phone("102").register(300, "wrong").status());
            assertEquals(200, phone.request("OPTIONS", "sip:" + acme.domain(), Map.of()).status());
            assertEquals(489, phone.request("SUBSCRIBE", "sip:102@" + acme.domain(), Map.of("Event", "dialog")).status());
            assertEquals(405, phone.request("MESSAGE", "sip:102@" + acme.domain(), Map.of()).status());
            assertEquals(481, phone.request("REFER", "sip:102@" + acme.domain(), Map.of("Refer-To", "<sip:*68@" + acme.domain() + ">")).status());
            assertEquals(200, phone.unregisterAll().status());

            // a session ends just after its answer is out: polled against a deadline
            LiveSessions.awaitBackTo(before, 5_000, "27 requests answered");
        }
    }

    /**
     * Over TCP the stack ends a transaction as soon as its answer is out, and the container's {@code isCommitted()}
     * then says false: every challenged or refused request left its session behind (one per REGISTER cycle). Polled
     * against a deadline: the server releases a session just after its answer is on the wire.
     */
    @Test
    void overTcpRegistrationsRefusalsAndRefusedParkInfoLeaveNoSession() {
        try (TestTenant acme = TestTenant.create("sessions-tcp", "111", "112", "113", "114")) {
            long idle = liveSessions();
            TestPhone phone = acme.tcpPhone("111");
            for (int i = 0; i < 5; i++) {
                assertEquals(200, phone.register(300).status());
            }
            assertEquals(403, acme.tcpPhone("112").register(300, "wrong").status());
            assertEquals(200, phone.request("OPTIONS", "sip:" + acme.domain(), Map.of()).status());
            assertEquals(489, phone.request("SUBSCRIBE", "sip:112@" + acme.domain(), Map.of("Event", "dialog")).status());
            assertEquals(489, phone.request("NOTIFY", "sip:112@" + acme.domain(), Map.of("Event", "park-info", "Subscription-State", "active")).status());
            assertEquals(405, phone.request("MESSAGE", "sip:112@" + acme.domain(), Map.of()).status());
            assertEquals(481, phone.request("REFER", "sip:112@" + acme.domain(), Map.of("Refer-To", "<sip:*68@" + acme.domain() + ">")).status());

            // park-info refused, then the text MESSAGE: both sessions are the server's, ended on their answers
            phone.answerParkInfoWith(481);
            TestPhone parker = acme.registeredPhone("113");
            Calls.Connected talk = Calls.parkAt(acme, parker, acme.registeredPhone("114"), "111");
            phone.awaitRequest("NOTIFY", 5000, "park-info");
            phone.awaitRequest("MESSAGE");
            assertEquals(200, talk.caller().bye().status(), "the parked party hangs up");
            assertEquals(200, phone.unregisterAll().status());
            assertEquals(200, parker.unregisterAll().status());

            // the challenged INVITE of the parked call waits a minute for its ACK; all else must be gone well before
            LiveSessions.awaitBackTo(idle + 1, 10_000, "REGISTER x7, refusals, park-info refused over TCP");
        }
    }

    @Test
    void callsParksRetrievesRecallsAndFailuresLeaveNoSessionOnceEnded() throws InterruptedException {
        try (TestTenant acme = TestTenant.create("sessions-calls", "201", "202", "203", "204")) {
            acme.settings("{\"parkTimeoutSeconds\":1,\"recallRingSeconds\":1}");
            TestPhone parker = acme.registeredPhone("201");
            TestPhone target = acme.registeredPhone("202");
            TestPhone client = acme.registeredPhone("203");
            TestPhone desk = acme.registeredPhone("204");
            acme.registeredPhone("204"); // a second device: rings, and is cancelled when the desk answers
            long before = liveSessions();

            for (int i = 0; i < 3; i++) {
                Calls.parkAt(acme, parker, client, "202");
                target.awaitRequest("NOTIFY", 5000, "park-info");
                Call retrieved = Calls.dial(target, "*88202");
                assertEquals(200, retrieved.status());
                client.awaitRequest("INVITE");
                target.awaitRequest("NOTIFY", 5000, "park-info");
                assertEquals(200, retrieved.bye().status());
                client.awaitRequest("BYE");
            }

            Calls.Connected forked = Calls.connect(client, desk);
            assertEquals(200, forked.caller().bye().status());
            desk.awaitRequest("BYE");

            assertEquals(404, Calls.dial(target, "*88202").status(), "nothing parked: a retrieve that misses");
            CompletableFuture<Call> busy = Calls.dialAsync(client, "201");
            parker.reject(parker.awaitRequest("INVITE"), 486, "Busy Here");
            assertEquals(486, busy.join().status());
            Call cancelled = client.call("sip:201@" + acme.domain(), client.sdp(), false);
            parker.ring(parker.awaitRequest("INVITE"));
            Thread.sleep(300);
            cancelled.cancel();
            assertEquals(487, cancelled.awaitFinal(5000).status());
            parker.awaitRequest("CANCEL");

            Calls.parkAtSelf(acme, parker, client); // nobody answers the recall: the parked party is hung up
            parker.ring(parker.awaitRequest("INVITE", 6000));
            parker.awaitRequest("CANCEL", 6000);
            client.awaitRequest("BYE");
            assertEquals("timed-out", ParkInfoDocument.of(parker.awaitRequest("NOTIFY", 5000, "park-info")).reason());

            Calls.Connected stillTalking = Calls.connect(client, desk); // its INVITE was challenged like the rest
            long deadline = System.currentTimeMillis() + REJECTED_INVITE_EXPIRY_MS;
            long now = liveSessions();
            while (now > before + 1 && System.currentTimeMillis() < deadline) {
                Thread.sleep(1000);
                now = liveSessions();
            }
            assertTrue(now <= before + 1, "every call but one ended, sessions " + before + " -> " + now);
            Thread.sleep(Math.max(0, deadline - System.currentTimeMillis()));
            assertEquals(200, stillTalking.caller().bye().status(), "the call outlives the expiry of its challenge");
            assertEquals(stillTalking.callee().callId(), desk.awaitRequest("BYE").callId());
        }
    }

    private static long liveSessions() {
        String metrics = AdminClient.operator().get("/metrics").body();
        for (String line : metrics.split("\n")) {
            if (line.startsWith("cloudpark_sip_application_sessions ")) {
                return (long) Double.parseDouble(line.substring(line.indexOf(' ') + 1).trim());
            }
        }
        throw new AssertionError("no cloudpark_sip_application_sessions in /metrics:\n" + metrics);
    }
}
