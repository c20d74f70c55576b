package io.cloudpark.sip;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.util.Map;

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
import io.cloudpark.testing.TestPhone;
import io.cloudpark.testing.TestTenant;

/** Park by attended transfer: call the park code, then REFER the other party with Replaces naming that call. */
@ExtendWith(ArquillianExtension.class)
@RunAsClient
class AttendedParkIT {

    @Deployment
    static WebArchive deployment() {
        return Deployments.cloudpark();
    }

    // the REFER follows the park-service 200 at once: the flow records the waiting call before its 200 leaves, so
    // no REFER can come before it (AttendedParkFlow.answer)
    @Test
    void referWithReplacesParksLikeABlindTransfer() {
        try (TestTenant acme = TestTenant.create("attended", "1001", "1002", "1050")) {
            TestPhone parker = acme.registeredPhone("1001");
            TestPhone target = acme.registeredPhone("1002");
            TestPhone client = acme.registeredPhone("1050");
            Calls.Connected talk = Calls.connect(client, parker);

            Call service = Calls.dial(parker, "*681002");
            assertEquals(200, service.status(), "the PBX answers the park code itself");
            assertTrue(service.remoteSdp().contains("a=inactive"), service.remoteSdp());

            SipMessage accepted = talk.callee().refer(Map.of("Refer-To", "<sip:*681002@" + acme.domain() + "?Replaces="
                    + URLEncoder.encode(service.replaces(), StandardCharsets.UTF_8) + ">"));
            assertEquals(202, accepted.status());
            assertTrue(client.awaitRequest("INVITE").body().contains("a=sendonly"), "the client is put on hold");
            ParkInfoDocument parked = ParkInfoDocument.of(target.awaitRequest("NOTIFY"));
            assertEquals("1002", parked.extension());
            assertEquals("sip:1050@" + acme.domain(), parked.calls().get(0).parkedUri());
            assertEquals(service.callId(), parker.awaitRequest("BYE").callId(), "the park-service call is ended");

            Call back = Calls.dial(target, "*88");
            assertEquals(200, back.status());
            assertTrue(back.remoteSdp().contains(client.mediaLine()));
        }
    }

    @Test
    void replacesThatMatchesNothingIs481AndNothingChanges() {
        try (TestTenant acme = TestTenant.create("attended481", "1011", "1012", "1050")) {
            TestPhone parker = acme.registeredPhone("1011");
            TestPhone target = acme.registeredPhone("1012");
            TestPhone client = acme.registeredPhone("1050");
            Calls.Connected talk = Calls.connect(client, parker);

            SipMessage accepted = talk.callee().refer(Map.of("Refer-To", "<sip:*681012@" + acme.domain()
                    + "?Replaces=no-such-call%3Bto-tag%3Da%3Bfrom-tag%3Db>"));
            assertEquals(202, accepted.status());
            parker.awaitRequest("NOTIFY", 5000, "refer");
            SipMessage failed = parker.awaitRequest("NOTIFY", 5000, "refer");
            assertTrue(failed.body().startsWith("SIP/2.0 481"), failed.body());
            assertFalse(client.receives("INVITE", 300), "the client was not put on hold");
            assertFalse(target.receives("NOTIFY", 200));
            assertEquals(0, acme.admin().get("/api/tenants/" + acme.domain() + "/parked-calls").json().size());
            assertEquals(200, talk.caller().bye().status());
            assertEquals(talk.callee().callId(), parker.awaitRequest("BYE").callId(), "still connected until now");
        }
    }
}
