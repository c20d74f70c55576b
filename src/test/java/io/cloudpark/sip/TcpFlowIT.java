package io.cloudpark.sip;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;

import org.jboss.arquillian.container.test.api.Deployment;
import org.jboss.arquillian.container.test.api.RunAsClient;
import org.jboss.arquillian.junit5.ArquillianExtension;
import org.jboss.shrinkwrap.api.spec.WebArchive;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

import io.cloudpark.testing.Call;
import io.cloudpark.testing.Calls;
import io.cloudpark.testing.Deployments;
import io.cloudpark.testing.LiveSessions;
import io.cloudpark.testing.ParkInfoDocument;
import io.cloudpark.testing.ServerLog;
import io.cloudpark.testing.SipMessage;
import io.cloudpark.testing.TestPhone;
import io.cloudpark.testing.TestTenant;

/**
 * A TCP phone behind NAT or a firewall: nothing can connect to it, it is reached only on the connection it registered
 * on (its flow). Its Contact's port is bound and never listens, so a request sent to the Contact is refused.
 */
@ExtendWith(ArquillianExtension.class)
@RunAsClient
class TcpFlowIT {

    @Deployment
    static WebArchive deployment() {
        return Deployments.cloudpark();
    }

    @Test
    void aTcpPhoneThatRefusesConnectionsGetsParkInfoCallsAndRecallsOnItsConnection() {
        try (TestTenant acme = TestTenant.create("tcp-flow", "401", "402", "403")) {
            acme.settings("{\"parkTimeoutSeconds\":1,\"recallRingSeconds\":5}");
            TestPhone desk = acme.tcpPhone("401");
            assertEquals(200, desk.register(300).status());
            TestPhone client = acme.registeredPhone("402");
            TestPhone parker = acme.registeredPhone("403");

            Calls.Connected talk = Calls.parkAt(acme, parker, client, "401");
            ParkInfoDocument parked = ParkInfoDocument.of(desk.awaitRequest("NOTIFY", 5000, "park-info"));
            assertEquals(1, parked.calls().size(), "park-info came on the phone's connection");
            Call retrieved = Calls.dial(desk, "*88401");
            assertEquals(200, retrieved.status());
            client.awaitRequest("INVITE");
            desk.awaitRequest("NOTIFY", 5000, "park-info");
            assertEquals(200, talk.caller().bye().status(), "the retrieved call ends from the other side");
            assertEquals(retrieved.callId(), desk.awaitRequest("BYE").callId(), "a BYE in its own dialog, on its flow");

            Calls.Connected called = Calls.connect(client, desk);
            assertEquals(200, called.caller().bye().status(), "a call to it came on its connection, ACK included");
            assertEquals(called.callee().callId(), desk.awaitRequest("BYE").callId(), "a BYE in our dialog, on its flow");

            Calls.parkAtSelf(acme, desk, client);
            SipMessage recall = desk.awaitRequest("INVITE", 8000);
            assertTrue(recall.header("From") != null);
            Call answered = desk.answer(recall);
            client.awaitRequest("INVITE");
            assertEquals(200, answered.bye().status());
            client.awaitRequest("BYE");
        }
    }

    @Test
    void aTcpPhoneClosingItsConnectionAfterUnregisteringIsNoError() {
        try (TestTenant acme = TestTenant.create("tcp-close", "411");
             ServerLog log = ServerLog.capture()) {
            long idle = LiveSessions.now();
            TestPhone phone = acme.tcpPhone("411");
            assertEquals(200, phone.register(300).status());
            assertEquals(200, phone.register(0).status());
            phone.closeConnection();
            assertEquals(200, phone.register(300).status(), "a new connection");
            phone.unregisterClosingAtOnce(); // the 200 finds the connection closed
            // the REGISTER's session ends once its handler is done: then the server has logged all it would
            LiveSessions.awaitBackTo(idle, 10_000, "TCP register, unregister, close, register, unregister-and-close");
            assertEquals(List.of(), log.errors());
        }
    }
}
