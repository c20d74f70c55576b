package io.cloudpark.interop;

import org.jboss.arquillian.container.test.api.Deployment;
import org.jboss.arquillian.container.test.api.RunAsClient;
import org.jboss.arquillian.junit5.ArquillianExtension;
import org.jboss.shrinkwrap.api.spec.WebArchive;
import static org.junit.jupiter.api.Assertions.assertEquals;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import io.cloudpark.testing.Baresip;
import io.cloudpark.testing.Calls;
import io.cloudpark.testing.Deployments;
import io.cloudpark.testing.LiveSessions;
import io.cloudpark.testing.SipMessage;
import io.cloudpark.testing.TestPhone;
import io.cloudpark.testing.TestTenant;

/**
 * cloudpark with a real softphone, Debian's baresip 1.0, over UDP and TCP: registration, park, park-info (which
 * baresip refuses) and its MESSAGE fallback, retrieve and recall. Ports 40320-40359 of this suite's free range.
 */
@ExtendWith(ArquillianExtension.class)
@RunAsClient
class BaresipIT {
    private static final int BASE_PORT = Integer.getInteger("cloudpark.baresip.basePort", 40320);

    @Deployment
    static WebArchive deployment() {
        return Deployments.cloudpark();
    }

    private static String account(TestTenant tenant, String extension, String transport) {
        return "<sip:" + extension + "@" + tenant.domain() + ";transport=" + transport + ">;auth_pass=pw-" + extension
                + ";outbound=\"sip:127.0.0.1:" + Deployments.SIP_PORT + ";transport=" + transport + "\";regint=300";
    }

    @Test
    void registeringUnregisteringAndRestartingOverTcpLeavesNoSession() {
        try (TestTenant acme = TestTenant.create("baresip-tcp", "301");
             Baresip phone = new Baresip("tcp-cycle", BASE_PORT)) {
            long idle = LiveSessions.now();
            for (int i = 0; i < 3; i++) {
                phone.uanew(account(acme, "301", "tcp"));
                phone.awaitEvent("REGISTER_OK");
                phone.uadel("sip:301@" + acme.domain());
                phone.awaitEvent("UNREGISTERING");
                phone.stop();
                phone.start();
            }
            LiveSessions.awaitBackTo(idle, 10_000, "3 TCP register/unregister/restart cycles");
        }
    }

    /**
     * baresip answers the park-info NOTIFY 481 and shows the MESSAGE that follows; it retrieves with the code the
     * text gave, parks a call it answered by blind transfer to {@code *68}, and answers the recall.
     */
    @ParameterizedTest
    @ValueSource(strings = {"udp", "tcp"})
    void parkParkInfoRetrieveAndRecallWithBaresip(String transport) {
        int base = BASE_PORT + ("udp".equals(transport) ? 10 : 20);
        try (TestTenant acme = TestTenant.create("baresip-" + transport, "301", "302", "303");
             Baresip phone = new Baresip("park-" + transport, base)) {
            acme.settings("{\"parkTimeoutSeconds\":2,\"recallRingSeconds\":10}");
            phone.uanew(account(acme, "301", transport));
            phone.awaitEvent("REGISTER_OK");
            TestPhone client = acme.registeredPhone("302");
            TestPhone parker = acme.registeredPhone("303");

            Calls.Connected talk = Calls.parkAt(acme, parker, client, "301");
            phone.awaitScreen("User 302 parked at 301 by User 303 (303). Dial *88301 to pick up.");

            phone.dial("sip:*88301@" + acme.domain());
            phone.awaitEvent("CALL_ESTABLISHED");
            SipMessage reconnect = client.awaitRequest("INVITE");
            assertEquals(talk.caller().callId(), reconnect.callId(), "the parked call, now to baresip");
            assertEquals(200, talk.caller().bye().status(), "the retrieved party hangs up");
            phone.awaitEvent("CALL_CLOSED");
            // that BYE went to baresip's Contact (it has no RFC 5626 ;ob): over TCP on a connection of its own, whose
            // close makes baresip register again on yet another one. A fresh start keeps the recall about the recall.
            phone.stop();
            phone.start();
            phone.uanew(account(acme, "301", transport));
            phone.awaitEvent("REGISTER_OK");

            Calls.dialAsync(client, "301");
            phone.awaitEvent("CALL_INCOMING");
            phone.accept();
            phone.awaitEvent("CALL_ESTABLISHED");
            phone.transfer("sip:*68@" + acme.domain());
            phone.awaitEvent("CALL_CLOSED"); // baresip hangs up once the transfer succeeded
            phone.awaitEvent("CALL_INCOMING", 10_000); // the recall, after 2 s
            phone.accept();
            phone.awaitEvent("CALL_ESTABLISHED");
            phone.hangup();
            phone.awaitEvent("CALL_CLOSED");
            client.awaitRequest("BYE", 10_000);
        }
    }
}
