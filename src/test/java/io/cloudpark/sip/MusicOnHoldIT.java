package io.cloudpark.sip;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.jboss.arquillian.container.test.api.Deployment;
import org.jboss.arquillian.container.test.api.RunAsClient;
import org.jboss.arquillian.junit5.ArquillianExtension;
import org.jboss.shrinkwrap.api.spec.WebArchive;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

import io.cloudpark.testing.Call;
import io.cloudpark.testing.Calls;
import io.cloudpark.testing.Deployments;
import io.cloudpark.testing.ParkInfoDocument;
import io.cloudpark.testing.SipMessage;
import io.cloudpark.testing.SippPeer;
import io.cloudpark.testing.TestPhone;
import io.cloudpark.testing.TestTenant;

/** Music on hold: SIPp stands in for the tenant's media server. */
@ExtendWith(ArquillianExtension.class)
@RunAsClient
class MusicOnHoldIT {

    @Deployment
    static WebArchive deployment() {
        return Deployments.cloudpark();
    }

    @Test
    void theParkedPartyHearsTheMediaServerUntilRetrieved() throws Exception {
        int port = SippPeer.freeUdpPort();
        SippPeer mediaServer = SippPeer.listen("moh-uas", port);
        try (TestTenant acme = TestTenant.create("moh", "1101", "1102", "1150")) {
            Thread.sleep(300); // SIPp binds its port
            acme.settings("{\"musicOnHoldUri\":\"sip:moh@127.0.0.1:" + port + "\"}");
            TestPhone parker = acme.registeredPhone("1101");
            TestPhone colleague = acme.registeredPhone("1102");
            TestPhone client = acme.registeredPhone("1150");
            Calls.Connected talk = Calls.connect(client, parker);
            assertEquals(202, talk.callee().refer("sip:*68@" + acme.domain()).status());

            SipMessage music = client.awaitRequest("INVITE");
            assertTrue(music.body().contains("m=audio 6666 RTP/AVP 0"), "the client is connected to the media server: " + music.body());
            ParkInfoDocument.of(parker.awaitRequest("NOTIFY", 5000, "park-info"));
            talk.callee().bye();

            Call retrieved = Calls.dial(colleague, "*881101");
            assertEquals(200, retrieved.status());
            assertTrue(client.awaitRequest("INVITE").body().contains(colleague.mediaLine()));
            mediaServer.assertPassed(); // it got the parked party's answer in the ACK, then the BYE
        } finally {
            mediaServer.stop();
        }
    }

    @Test
    void aMediaServerThatDoesNotAnswerLeavesPlainHold() throws Exception {
        try (TestTenant acme = TestTenant.create("moh-down", "1111", "1150")) {
            // nothing listens there: after a few seconds the PBX gives up on the music
            acme.settings("{\"musicOnHoldUri\":\"sip:moh@127.0.0.1:" + SippPeer.freeUdpPort() + ";transport=tcp\"}");
            TestPhone parker = acme.registeredPhone("1111");
            TestPhone client = acme.registeredPhone("1150");
            Calls.Connected talk = Calls.connect(client, parker);
            assertEquals(202, talk.callee().refer("sip:*68@" + acme.domain()).status());
            SipMessage hold = client.awaitRequest("INVITE", 10000);
            assertTrue(hold.body().contains("a=sendonly"), hold.body());
            assertTrue(hold.body().contains(parker.mediaLine().substring(0, 8)), hold.body());
            assertEquals(1, ParkInfoDocument.of(parker.awaitRequest("NOTIFY", 5000, "park-info")).calls().size());
        }
    }
}
