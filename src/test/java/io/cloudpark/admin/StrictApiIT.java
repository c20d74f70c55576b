package io.cloudpark.admin;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;
import java.util.UUID;

import org.jboss.arquillian.container.test.api.Deployment;
import org.jboss.arquillian.container.test.api.RunAsClient;
import org.jboss.arquillian.junit5.ArquillianExtension;
import org.jboss.shrinkwrap.api.spec.WebArchive;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

import com.fasterxml.jackson.databind.JsonNode;

import io.cloudpark.testing.AdminClient;
import io.cloudpark.testing.Calls;
import io.cloudpark.testing.Deployments;
import io.cloudpark.testing.TestPhone;
import io.cloudpark.testing.TestTenant;

/** The admin API refuses what it does not understand, naming the field, and has every endpoint of its resources. */
@ExtendWith(ArquillianExtension.class)
@RunAsClient
class StrictApiIT {
    private final AdminClient operator = AdminClient.operator();

    @Deployment
    static WebArchive deployment() {
        return Deployments.cloudpark();
    }

    private static void assertBadField(AdminClient.Reply reply, String field) {
        assertEquals(400, reply.status(), reply.body());
        assertEquals(field, reply.json().path("field").asText(), reply.body());
        assertTrue(reply.json().get("detail").asText().startsWith(field + ":"), reply.body());
    }

    @Test
    void unknownFieldsWrongTypesTrailingGarbageAndOversizedValuesAreRefused() {
        try (TestTenant acme = TestTenant.create("strict", "200")) {
            String settings = "/api/tenants/" + acme.domain() + "/settings";
            assertBadField(operator.put(settings, "{\"parkTimeout\":90}"), "parkTimeout");
            assertEquals(45, operator.get(settings).json().get("parkTimeoutSeconds").asInt(), "nothing changed");
            assertBadField(operator.put(settings, "{\"parkTimeoutSeconds\":\"90\"}"), "parkTimeoutSeconds");
            assertBadField(operator.put(settings, "{\"parkTimeoutSeconds\":90.5}"), "parkTimeoutSeconds");
            assertBadField(operator.put(settings, "{\"parkTimeoutSeconds\":90} trailing"), "body");
            assertBadField(operator.put(settings, "{\"parkTimeoutSeconds\":90}{}"), "body");
            assertBadField(operator.put(settings, "{\"parkTimeoutSeconds\":90,\"parkTimeoutSeconds\":91}"), "body");
            assertBadField(operator.put(settings, "[1]"), "body");
            assertBadField(operator.put(settings, "{\"recallPolicy\":\"SOMETIMES\"}"), "recallPolicy");
            assertBadField(operator.get("/api/tenants/" + acme.domain() + "/parked-calls?sort=x"), "sort");

            assertBadField(operator.post("/api/tenants", "{\"domain\":\"big.test\",\"name\":\"" + "n".repeat(201) + "\"}"), "name");
            AdminClient.Reply huge = operator.post("/api/tenants", "{\"domain\":\"huge.test\",\"name\":\"" + "n".repeat(3 << 20) + "\"}");
            assertEquals(413, huge.status());
            assertEquals("too_large", huge.json().get("error").asText());
            assertEquals(404, operator.get("/api/tenants/huge.test").status(), "nothing was created");
            assertBadField(operator.patch("/api/tenants/" + acme.domain() + "/extensions/200",
                    "{\"displayName\":\"" + "d".repeat(201) + "\"}"), "displayName");
            assertBadField(operator.patch("/api/tenants/" + acme.domain() + "/extensions/200",
                    "{\"password\":\"" + "p".repeat(129) + "\"}"), "password");
        }
    }

    @Test
    void aWrongMethodIs405WithAllowAndEveryErrorIsJson() {
        AdminClient.Reply wrong = operator.send("DELETE", "/api/tenants", null);
        assertEquals(405, wrong.status());
        assertEquals("GET, POST", wrong.header("Allow"));
        assertEquals("method_not_allowed", wrong.json().get("error").asText());
        AdminClient.Reply unknown = operator.get("/api/nothing/here");
        assertEquals(404, unknown.status());
        assertEquals("not_found", unknown.json().get("error").asText());
        for (String path : new String[] {"/nothing", "/console/other.html"}) {
            AdminClient.Reply outside = operator.get(path);
            assertEquals(404, outside.status(), path);
            assertTrue(outside.header("Content-Type").startsWith("application/json"), path + ": " + outside.body());
            assertFalse(outside.body().contains("Tomcat"), outside.body());
        }
        AdminClient.Reply postHealth = operator.post("/health", "{}");
        assertEquals(405, postHealth.status());
        assertEquals("method_not_allowed", postHealth.json().get("error").asText(), postHealth.body());
    }

    @Test
    void requestsTheContainerRefusesItselfNameNoServerVersion() throws Exception {
        for (String request : new String[] {"TRACE /api/tenants HTTP/1.1", "GET /api/%zz HTTP/1.1", "GET /nothing HTTP/1.1"}) {
            try (java.net.Socket socket = new java.net.Socket("127.0.0.1", Deployments.HTTP_PORT)) {
                socket.setSoTimeout(5000);
                socket.getOutputStream().write((request + "\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n")
                        .getBytes(java.nio.charset.StandardCharsets.US_ASCII));
                String answer = new String(socket.getInputStream().readAllBytes(), java.nio.charset.StandardCharsets.UTF_8);
                assertTrue(answer.startsWith("HTTP/1.1 4"), request + " → " + answer);
                assertFalse(answer.contains("Tomcat") || answer.contains("<html"), request + " → " + answer);
            }
        }
    }

    @Test
    void extensionNumbersHaveOneWrittenFormAndRecallTargetsMustExist() {
        try (TestTenant acme = TestTenant.create("canon", "200")) {
            String ext = "/api/tenants/" + acme.domain() + "/extensions/";
            assertBadField(operator.put(ext + "0200", "{\"password\":\"long-enough\"}"), "extension");
            assertBadField(operator.get(ext + "0200"), "extension");
            assertEquals(200, operator.get(ext + "200").status());
            assertEquals(200, operator.put(ext + "0", "{\"password\":\"long-enough\"}").status() / 100 * 100);
            String groups = "/api/tenants/" + acme.domain() + "/park-groups";
            assertBadField(operator.post(groups, "{\"name\":\"g\",\"members\":[\"0200\"]}"), "members");
            String settings = "/api/tenants/" + acme.domain() + "/settings";
            assertBadField(operator.put(settings, "{\"recallFallback\":\"0200\"}"), "recallFallback");
            assertBadField(operator.put(settings, "{\"recallFallback\":\"299\"}"), "recallFallback");
            assertBadField(operator.put(settings, "{\"recallPolicy\":\"GROUP_ONLY\",\"recallGroup\":[\"200\",\"299\"]}"), "recallGroup");
            assertEquals(200, operator.put(settings, "{\"recallPolicy\":\"GROUP_ONLY\",\"recallGroup\":[\"200\"],\"recallFallback\":\"0\"}").status());
            assertBadField(operator.get("/api/tenants/" + acme.domain() + "/park-history?extension=0200"), "extension");

            AdminClient.Reply named = operator.delete(ext + "200");
            assertEquals(409, named.status(), "the recall settings name it: " + named.body());
            assertEquals(200, operator.get(ext + "200").status());
        }
    }

    @Test
    void tenantsAreListedPagedAndSearchedAndCanBeReadRenamedAndDeleted() {
        String tag = "page" + UUID.randomUUID().toString().substring(0, 6);
        List<String> domains = new ArrayList<>();
        for (int i = 0; i < 5; i++) {
            String domain = tag + "-" + i + ".test";
            assertEquals(201, operator.post("/api/tenants", "{\"domain\":\"" + domain + "\",\"name\":\"Tenant " + i + "\"}").status());
            domains.add(domain);
        }
        List<String> seen = new ArrayList<>();
        String next = "/api/tenants?q=" + tag + "&limit=2";
        int pages = 0;
        while (next != null) {
            AdminClient.Reply page = operator.get(next);
            assertEquals(200, page.status(), page.body());
            page.json().forEach(t -> seen.add(t.get("domain").asText()));
            String link = page.header("Link");
            next = link == null ? null : link.substring(link.indexOf('<') + 1, link.indexOf('>'));
            pages++;
        }
        assertEquals(domains, seen);
        assertEquals(3, pages);
        assertEquals(1, operator.get("/api/tenants?q=" + tag.toUpperCase() + "-3").json().size(), "any case");
        assertEquals(0, operator.get("/api/tenants?q=" + tag + "%25").json().size(), "% is no wildcard");
        assertBadField(operator.get("/api/tenants?limit=0"), "limit");

        String one = "/api/tenants/" + domains.get(0);
        JsonNode tenant = operator.get(one).json();
        assertEquals("Tenant 0", tenant.get("name").asText());
        assertEquals(45, tenant.get("settings").get("parkTimeoutSeconds").asInt());
        assertEquals("Renamed", operator.patch(one, "{\"name\":\"Renamed\"}").json().get("name").asText());
        assertBadField(operator.patch(one, "{\"domain\":\"other.test\"}"), "domain");
        AdminClient.Reply deleted = operator.delete(one);
        assertEquals(200, deleted.status(), deleted.body());
        assertEquals(0, deleted.json().get("endedCalls").size());
        assertEquals(404, operator.get(one).status());
        assertEquals(404, operator.delete(one).status());
    }

    @Test
    void patchChangesOnlyTheFieldsGivenAndAnExtensionCanBeReadAndDeleted() {
        try (TestTenant acme = TestTenant.create("patch")) {
            String path = "/api/tenants/" + acme.domain() + "/extensions/601";
            assertEquals(201, operator.put(path, "{\"password\":\"s3cret-601\",\"displayName\":\"Frank\",\"parkInfoFormat\":\"BROADWORKS\"}").status());
            AdminClient.Reply renamed = operator.patch(path, "{\"displayName\":\"Frank B\"}");
            assertEquals(200, renamed.status(), renamed.body());
            assertEquals("BROADWORKS", renamed.json().get("parkInfoFormat").asText());
            JsonNode read = operator.get(path).json();
            assertEquals("Frank B", read.get("displayName").asText());
            assertEquals("BROADWORKS", read.get("parkInfoFormat").asText());
            assertNull(read.get("password"));
            try (TestPhone phone = new TestPhone(acme.domain(), "601", "s3cret-601", Deployments.SIP_PORT)) {
                assertEquals(200, phone.register(300).status(), "the rename kept the password");
            }
            assertEquals(200, operator.patch(path, "{\"password\":\"n3w-601\"}").status());
            try (TestPhone phone = new TestPhone(acme.domain(), "601", "n3w-601", Deployments.SIP_PORT)) {
                assertEquals(200, phone.register(300).status());
            }
            assertEquals(404, operator.patch("/api/tenants/" + acme.domain() + "/extensions/602", "{\"displayName\":\"x\"}").status());

            AdminClient.Reply deleted = operator.delete(path);
            assertEquals(200, deleted.status(), deleted.body());
            assertEquals(404, operator.get(path).status());
            assertEquals(404, operator.get(path + "/registrations").status());
        }
    }

    @Test
    void aParkGroupCanBeReplacedAndDeleted() {
        try (TestTenant acme = TestTenant.create("groups", "811", "812", "813")) {
            String groups = "/api/tenants/" + acme.domain() + "/park-groups";
            assertEquals(201, operator.post(groups, "{\"name\":\"front\",\"members\":[\"811\",\"812\"]}").status());
            AdminClient.Reply member = operator.delete("/api/tenants/" + acme.domain() + "/extensions/812");
            assertEquals(409, member.status(), member.body());
            assertTrue(member.json().get("detail").asText().contains("front"), member.body());

            AdminClient.Reply replaced = operator.put(groups + "/front", "{\"members\":[\"813\",\"811\"]}");
            assertEquals(200, replaced.status(), replaced.body());
            assertEquals("[\"813\",\"811\"]", replaced.json().get("members").toString());
            assertEquals("[\"813\",\"811\"]", operator.get(groups + "/front").json().get("members").toString());
            assertBadField(operator.put(groups + "/front", "{\"members\":[\"899\"]}"), "members");
            assertEquals(404, operator.put(groups + "/back", "{\"members\":[\"812\"]}").status());

            assertEquals(204, operator.delete(groups + "/front").status());
            assertEquals(404, operator.get(groups + "/front").status());
            assertEquals(200, operator.delete("/api/tenants/" + acme.domain() + "/extensions/812").status(), "no group holds it now");
        }
    }

    @Test
    void deletingWhereCallsAreParkedIsRefusedUnlessForcedAndThenEndsThemByOperator() {
        try (TestTenant acme = TestTenant.create("del", "621", "650", "651")) {
            TestPhone parker = acme.registeredPhone("621");
            Calls.parkAtSelf(acme, parker, acme.registeredPhone("650"));
            JsonNode parked = operator.get("/api/tenants/" + acme.domain() + "/parked-calls").json();
            String id = parked.get(0).get("id").asText();
            AdminClient.Reply one = operator.get("/api/tenants/" + acme.domain() + "/parked-calls/" + id);
            assertEquals(200, one.status());
            assertEquals("621", one.json().get("extension").asText());
            assertEquals(404, operator.get("/api/tenants/" + acme.domain() + "/parked-calls/nope").status());

            String ext = "/api/tenants/" + acme.domain() + "/extensions/621";
            AdminClient.Reply refused = operator.delete(ext);
            assertEquals(409, refused.status());
            assertTrue(refused.json().get("detail").asText().contains("force=true"), refused.body());
            assertEquals(200, operator.get("/api/tenants/" + acme.domain() + "/parked-calls/" + id).status(), "still parked");
            AdminClient.Reply tenantRefused = operator.delete("/api/tenants/" + acme.domain());
            assertEquals(409, tenantRefused.status(), tenantRefused.body());

            AdminClient.Reply forced = operator.delete(ext + "?force=true");
            assertEquals(200, forced.status(), forced.body());
            assertEquals("[\"" + id + "\"]", forced.json().get("endedCalls").toString());
            assertEquals(0, operator.get("/api/tenants/" + acme.domain() + "/parked-calls").json().size(), "no ghost");
            JsonNode ended = acme.lastEndedPark();
            assertEquals("ENDED_BY_OPERATOR", ended.get("resolution").asText());
            assertEquals(404, operator.get(ext).status());

            Calls.parkAt(acme, acme.registeredPhone("651"), acme.registeredPhone("650"), "651");
            AdminClient.Reply tenantForced = operator.delete("/api/tenants/" + acme.domain() + "?force=true");
            assertEquals(200, tenantForced.status(), tenantForced.body());
            assertEquals(1, tenantForced.json().get("endedCalls").size());
            assertEquals(404, operator.get("/api/tenants/" + acme.domain()).status());
        }
    }

    @Test
    void historyIsFilteredAndPagedWithACursor() {
        try (TestTenant acme = TestTenant.create("hist", "631", "632", "650")) {
            TestPhone p631 = acme.registeredPhone("631");
            TestPhone p632 = acme.registeredPhone("632");
            TestPhone client = acme.registeredPhone("650");
            String calls = "/api/tenants/" + acme.domain() + "/parked-calls";
            String since = java.time.Instant.now().minusSeconds(1).toString();
            for (TestPhone parker : new TestPhone[] {p631, p632, p631}) {
                Calls.parkAtSelf(acme, parker, client);
                String id = operator.get(calls).json().get(0).get("id").asText();
                assertEquals(204, operator.delete(calls + "/" + id).status());
                client.clear();
            }
            String history = "/api/tenants/" + acme.domain() + "/park-history";
            assertEquals(2, operator.get(history + "?extension=631").json().size());
            assertEquals(3, operator.get(history + "?resolution=ENDED_BY_OPERATOR&since=" + since).json().size());
            assertEquals(0, operator.get(history + "?resolution=RETRIEVED").json().size());
            assertEquals(0, operator.get(history + "?until=" + since).json().size());
            assertBadField(operator.get(history + "?resolution=LOST"), "resolution");
            assertBadField(operator.get(history + "?since=yesterday"), "since");
            assertBadField(operator.get(history + "?cursor=garbage"), "cursor");

            List<String> all = new ArrayList<>();
            operator.get(history).json().forEach(e -> all.add(e.get("id").asText()));
            List<String> paged = new ArrayList<>();
            String next = history + "?limit=2";
            while (next != null) {
                AdminClient.Reply page = operator.get(next);
                page.json().forEach(e -> paged.add(e.get("id").asText()));
                String link = page.header("Link");
                next = link == null ? null : link.substring(link.indexOf('<') + 1, link.indexOf('>'));
            }
            assertEquals(all, paged);
            assertEquals(3, all.size());
        }
    }
}
