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

import com.fasterxml.jackson.databind.JsonNode;

import io.cloudpark.testing.AdminClient;
import io.cloudpark.testing.Call;
import io.cloudpark.testing.Calls;
import io.cloudpark.testing.Deployments;
import io.cloudpark.testing.ParkInfoDocument;
import io.cloudpark.testing.SipMessage;
import io.cloudpark.testing.TestPhone;
import io.cloudpark.testing.TestTenant;

/** Group park (*58): the first free member takes the call, every member sees it, any member retrieves it. */
@ExtendWith(ArquillianExtension.class)
@RunAsClient
class GroupParkIT {

    @Deployment
    static WebArchive deployment() {
        return Deployments.cloudpark();
    }

    @Test
    void groupParkFillsTheMembersInOrderAndAnyMemberRetrieves() {
        try (TestTenant acme = TestTenant.create("group", "802", "803", "804", "805", "850", "851", "852", "853")) {
            AdminClient.Reply created = acme.admin().post("/api/tenants/" + acme.domain() + "/park-groups",
                    "{\"name\":\"front-desk\",\"members\":[\"802\",\"803\",\"804\"]}");
            assertEquals(201, created.status(), created.body());
            TestPhone m802 = acme.registeredPhone("802");
            TestPhone m803 = acme.registeredPhone("803");
            TestPhone m804 = acme.registeredPhone("804");
            TestPhone outsider = acme.registeredPhone("805");
            TestPhone a = acme.registeredPhone("850");
            TestPhone b = acme.registeredPhone("851");
            TestPhone c = acme.registeredPhone("852");
            TestPhone d = acme.registeredPhone("853");

            assertEquals("802", groupPark(acme, a, m802));
            for (TestPhone member : new TestPhone[] {m803, m804}) {
                ParkInfoDocument seen = ParkInfoDocument.of(member.awaitRequest("NOTIFY", 5000, "park-info"));
                assertEquals("802", seen.extension(), "every member is told, with where the call is");
                assertEquals("sip:850@" + acme.domain(), seen.calls().get(0).parkedUri());
            }
            assertEquals("803", groupPark(acme, b, m803));
            assertEquals("804", groupPark(acme, c, m804));
            m802.clear();
            m803.clear();
            m804.clear();

            Calls.Connected full = Calls.connect(d, m802);
            assertEquals(202, full.callee().refer("sip:*58@" + acme.domain()).status());
            m802.awaitRequest("NOTIFY", 5000, "refer");
            SipMessage busy = m802.awaitRequest("NOTIFY", 5000, "refer");
            assertTrue(busy.body().startsWith("SIP/2.0 486"), "a full group: " + busy.body());
            assertFalse(d.receives("INVITE", 300), "and the call stays connected");
            full.caller().bye();

            Call first = Calls.dial(m804, "*88");
            assertEquals(200, first.status());
            assertTrue(first.remoteSdp().contains(a.mediaLine()), "*88 takes the group's longest-parked call");
            Call named = Calls.dial(m803, "*88804");
            assertEquals(200, named.status());
            assertTrue(named.remoteSdp().contains(c.mediaLine()), "*88<member> takes that member's");

            Calls.Connected stranger = Calls.connect(d, outsider);
            assertEquals(202, stranger.callee().refer("sip:*58@" + acme.domain()).status());
            outsider.awaitRequest("NOTIFY", 5000, "refer");
            assertTrue(outsider.awaitRequest("NOTIFY", 5000, "refer").body().startsWith("SIP/2.0 403"),
                    "*58 from outside any park group is forbidden");
        }
    }

    @Test
    void parkGroupsAreManagedThroughTheApi() {
        try (TestTenant acme = TestTenant.create("groups", "811", "812", "813")) {
            String groups = "/api/tenants/" + acme.domain() + "/park-groups";
            assertEquals(201, acme.admin().post(groups, "{\"name\":\"a\",\"members\":[\"811\",\"812\"]}").status());
            AdminClient.Reply taken = acme.admin().post(groups, "{\"name\":\"b\",\"members\":[\"813\",\"812\"]}");
            assertEquals(409, taken.status(), "an extension is in one group at most: " + taken.body());
            assertEquals(400, acme.admin().post(groups, "{\"name\":\"c\",\"members\":[\"899\"]}").status());
            assertEquals(400, acme.admin().post(groups, "{\"name\":\"d\",\"members\":[]}").status());
            JsonNode list = acme.admin().get(groups).json();
            assertEquals(1, list.size());
            assertEquals("[\"811\",\"812\"]", list.get(0).get("members").toString());
            assertEquals(200, acme.admin().get(groups + "/a").status());
            assertEquals(404, acme.admin().get(groups + "/b").status());
        }
    }

    /** {@code client} calls {@code member}, who parks it with *58; returns the extension it was parked at. */
    private static String groupPark(TestTenant acme, TestPhone client, TestPhone member) {
        Calls.Connected talk = Calls.connect(client, member);
        assertEquals(202, talk.callee().refer("sip:*58@" + acme.domain()).status());
        client.awaitRequest("INVITE");
        while (true) {
            // members also hear of the other members' parks: find the one about this client
            ParkInfoDocument info = ParkInfoDocument.of(member.awaitRequest("NOTIFY", 5000, "park-info"));
            if (info.calls().stream().anyMatch(c -> c.id().equals(info.parkId()) && c.parkedUri().equals(client.aor()))) {
                talk.callee().bye();
                return info.extension();
            }
        }
    }
}
