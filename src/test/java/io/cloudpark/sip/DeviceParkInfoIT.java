package io.cloudpark.sip;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.jboss.arquillian.container.test.api.Deployment;
import org.jboss.arquillian.container.test.api.RunAsClient;
import org.jboss.arquillian.junit5.ArquillianExtension;
import org.jboss.shrinkwrap.api.spec.WebArchive;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

import io.cloudpark.testing.AdminClient;
import io.cloudpark.testing.Calls;
import io.cloudpark.testing.Deployments;
import io.cloudpark.testing.ParkInfoDocument;
import io.cloudpark.testing.SipMessage;
import io.cloudpark.testing.TestPhone;
import io.cloudpark.testing.TestTenant;

/** Devices that arrive late, cannot take park-info, do not answer, or want the BroadWorks body. */
@ExtendWith(ArquillianExtension.class)
@RunAsClient
class DeviceParkInfoIT {

    @Deployment
    static WebArchive deployment() {
        return Deployments.cloudpark();
    }

    @Test
    void aDeviceThatRegistersWhileACallIsParkedIsToldAtOnce() {
        try (TestTenant acme = TestTenant.create("late", "701", "702", "750")) {
            TestPhone parker = acme.registeredPhone("701");
            TestPhone client = acme.registeredPhone("750");
            Calls.parkAt(acme, parker, client, "702");

            TestPhone rebooted = acme.registeredPhone("702");
            ParkInfoDocument told = ParkInfoDocument.of(rebooted.awaitRequest("NOTIFY"));
            // the parker hears 200 just before the park is announced: a device registering in between is told
            // twice, by its refresh and by the announcement, with the same state
            assertTrue(told.reason().equals("refresh") || told.reason().equals("parked"), told.reason());
            assertEquals(1, told.calls().size());
            assertEquals("sip:750@" + acme.domain(), told.calls().get(0).parkedUri());
            while (rebooted.receives("NOTIFY", 500)) {
                // the other of the two, if it came
            }

            assertEquals(200, rebooted.register(300).status());
            assertFalse(rebooted.receives("NOTIFY", 500), "a refresh of a live binding is no news");
        }
    }

    @Test
    void aDeviceThatRefusesParkInfoGetsTextMessagesUntilItRegistersAgain() {
        try (TestTenant acme = TestTenant.create("refuse", "711", "712", "750")) {
            TestPhone parker = acme.registeredPhone("711");
            TestPhone client = acme.registeredPhone("750");
            TestPhone oldPhone = acme.registeredPhone("712");
            TestPhone newPhone = acme.registeredPhone("712");
            oldPhone.answerParkInfoWith(489);

            Calls.parkAt(acme, parker, client, "712");
            oldPhone.awaitRequest("NOTIFY");
            newPhone.awaitRequest("NOTIFY");
            SipMessage told = oldPhone.awaitRequest("MESSAGE");
            assertTrue(told.header("Content-Type").startsWith("text/plain"), told.toString());
            assertEquals("User 750 parked at 712 by User 711 (711). Dial *88712 to pick up.", told.body());

            assertEquals(200, oldPhone.register(300).status(), "a refresh: still refusing");
            TestPhone secondClient = acme.registeredPhone("750");
            Calls.parkAt(acme, parker, secondClient, "712");
            ParkInfoDocument second = ParkInfoDocument.of(newPhone.awaitRequest("NOTIFY"));
            assertEquals(2, second.calls().size());
            assertEquals("User 750 parked at 712 by User 711 (711). Dial *88712 to pick up.",
                    oldPhone.awaitRequest("MESSAGE").body(), "straight to text: only the new park");
            assertFalse(oldPhone.receives("NOTIFY", 0), "no park-info to the refusing device, though it was sent first");
            assertFalse(newPhone.receives("MESSAGE", 0), "the device that takes park-info gets no text");

            oldPhone.answerParkInfoWith(200);
            assertEquals(200, oldPhone.unregisterAll().status());
            assertEquals(200, oldPhone.register(300).status());
            ParkInfoDocument back = ParkInfoDocument.of(oldPhone.awaitRequest("NOTIFY"));
            assertEquals("refresh", back.reason(), "registered again: it is told again");
            assertEquals(2, back.calls().size());
        }
    }

    @Test
    void aTextOnlyExtensionGetsMessagesAndNoParkInfo() {
        try (TestTenant acme = TestTenant.create("text-only", "731", "732", "750")) {
            AdminClient.Reply patched = acme.admin().patch("/api/tenants/" + acme.domain() + "/extensions/732",
                    "{\"parkInfoFormat\":\"TEXT\"}");
            assertEquals(200, patched.status(), patched.body());
            assertTrue(patched.body().contains("\"parkInfoFormat\":\"TEXT\""), patched.body());
            TestPhone parker = acme.registeredPhone("731");
            TestPhone client = acme.registeredPhone("750");
            TestPhone desk = acme.registeredPhone("732");

            Calls.Connected talk = Calls.parkAt(acme, parker, client, "732");
            assertEquals("User 750 parked at 732 by User 731 (731). Dial *88732 to pick up.", desk.awaitRequest("MESSAGE").body());
            assertEquals(200, Calls.dial(desk, "*88732").status());
            client.awaitRequest("INVITE");

            TestPhone laptop = acme.registeredPhone("732"); // registers while nothing is parked: told nothing
            Calls.Connected second = Calls.parkAt(acme, parker, acme.registeredPhone("750"), "732");
            assertEquals("User 750 parked at 732 by User 731 (731). Dial *88732 to pick up.", laptop.awaitRequest("MESSAGE").body());
            desk.awaitRequest("MESSAGE");
            assertFalse(desk.receives("NOTIFY", 0), "a text-only extension gets no park-info, parked or retrieved");
            assertFalse(laptop.receives("NOTIFY", 0));
            assertEquals(200, talk.caller().bye().status());
            assertEquals(200, second.caller().bye().status());
        }
    }

    @Test
    void anUnansweredParkInfoIsTriedAgainABoundedNumberOfTimes() {
        try (TestTenant acme = TestTenant.create("retry", "721", "722", "750")) {
            TestPhone parker = acme.registeredPhone("721");
            TestPhone client = acme.registeredPhone("750");
            TestPhone flaky = acme.registeredPhone("722");
            flaky.answerParkInfoWith(408);

            Calls.parkAt(acme, parker, client, "722");
            ParkInfoDocument first = ParkInfoDocument.of(flaky.awaitRequest("NOTIFY"));
            ParkInfoDocument again = ParkInfoDocument.of(flaky.awaitRequest("NOTIFY", 5000));
            assertEquals(first.version(), again.version(), "the same state again");
            ParkInfoDocument last = ParkInfoDocument.of(flaky.awaitRequest("NOTIFY", 8000));
            assertEquals(first.version(), last.version());
            assertFalse(flaky.receives("NOTIFY", 7000), "three attempts in all, then it stops");
        }
    }

    @Test
    void anExtensionCanGetTheBroadWorksBody() {
        try (TestTenant acme = TestTenant.create("bw", "731", "750")) {
            acme.admin().put("/api/tenants/" + acme.domain() + "/extensions/732",
                    "{\"password\":\"pw-732\",\"displayName\":\"Yealink\",\"parkInfoFormat\":\"BROADWORKS\"}");
            TestPhone parker = acme.registeredPhone("731");
            TestPhone client = acme.registeredPhone("750");
            TestPhone yealink = acme.registeredPhone("732");

            Calls.parkAt(acme, parker, client, "732");
            SipMessage notify = yealink.awaitRequest("NOTIFY");
            assertEquals("park-info", notify.header("Event"));
            assertEquals("application/x-broadworks-callpark-info+xml", notify.header("Content-Type"));
            assertTrue(notify.body().contains("<x-broadworks-callpark-info xmlns=\"http://schema.broadsoft.com/callpark\">"), notify.body());
            assertTrue(notify.body().contains("<identity display=\"User 750\">sip:750@" + acme.domain() + "</identity>"), notify.body());

            client.clear();
            assertEquals(200, Calls.dial(parker, "*88732").status());
            SipMessage cleared = yealink.awaitRequest("NOTIFY");
            assertTrue(cleared.body().contains("<callpark/>"), cleared.body());
        }
    }
}
