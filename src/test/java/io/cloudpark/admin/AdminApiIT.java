package io.cloudpark.admin;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

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

/** The admin API over real HTTP against the running container (DESIGN §5). */
@ExtendWith(ArquillianExtension.class)
@RunAsClient
class AdminApiIT {
    private final AdminClient operator = AdminClient.operator();

    @Deployment
    static WebArchive deployment() {
        return Deployments.cloudpark();
    }

    @Test
    void everyApiCallNeedsTheOperatorsCredentials() {
        AdminClient anonymous = new AdminClient(Deployments.HTTP_PORT, null);
        AdminClient wrong = new AdminClient(Deployments.HTTP_PORT, "guess");
        for (AdminClient client : new AdminClient[] {anonymous, wrong}) {
            AdminClient.Reply reply = client.post("/api/tenants", "{\"domain\":\"sneaky.test\"}");
            assertEquals(401, reply.status());
            assertTrue(reply.raw().headers().firstValue("WWW-Authenticate").orElse("").startsWith("Basic"));
            assertEquals("unauthorized", reply.json().get("error").asText());
            assertEquals(401, client.get("/api/tenants/sneaky.test/parked-calls").status());
            assertEquals(401, client.get("/metrics").status());
        }
        assertEquals(404, operator.get("/api/tenants/sneaky.test/settings").status(), "nothing was created");
    }

    @Test
    void aDrainingNodeAnswersTheLoadBalancersProbe503AndListsItselfAmongTheNodes() {
        try (TestTenant acme = TestTenant.create("drain", "101")) {
            TestPhone phone = acme.registeredPhone("101");
            JsonNode nodes = operator.get("/api/nodes").json();
            JsonNode self = null;
            for (JsonNode node : nodes) {
                if (node.get("self").asBoolean()) {
                    self = node;
                }
            }
            assertTrue(self != null && self.get("alive").asBoolean(), nodes.toString());
            assertTrue(operator.get("/metrics").body().contains("cloudpark_cluster_nodes_alive "));

            assertEquals(400, operator.put("/api/nodes/self/draining", "{\"draining\":\"yes\"}").status());
            assertEquals(200, operator.put("/api/nodes/self/draining", "{\"draining\":true}").status());
            try {
                assertEquals(503, phone.request("OPTIONS", "sip:" + acme.domain(), java.util.Map.of()).status());
            } finally {
                assertEquals(200, operator.put("/api/nodes/self/draining", "{\"draining\":false}").status());
            }
            assertEquals(200, phone.request("OPTIONS", "sip:" + acme.domain(), java.util.Map.of()).status());
        }
    }

    @Test
    void createsATenantOnceAndNamesTheBadField() {
        String domain = "admin-" + UUID.randomUUID().toString().substring(0, 8) + ".test";
        AdminClient.Reply created = operator.post("/api/tenants", "{\"domain\":\"" + domain + "\",\"name\":\"Acme\"}");
        assertEquals(201, created.status(), created.body());
        assertEquals(domain, created.json().get("domain").asText());
        assertEquals(45, created.json().get("settings").get("parkTimeoutSeconds").asInt());

        AdminClient.Reply again = operator.post("/api/tenants", "{\"domain\":\"" + domain + "\"}");
        assertEquals(409, again.status());
        assertEquals("conflict", again.json().get("error").asText());

        AdminClient.Reply noDomain = operator.post("/api/tenants", "{\"name\":\"x\"}");
        assertEquals(400, noDomain.status());
        assertTrue(noDomain.json().get("detail").asText().startsWith("domain"), noDomain.body());
        AdminClient.Reply badDomain = operator.post("/api/tenants", "{\"domain\":\"not a domain\"}");
        assertEquals(400, badDomain.status());
        assertTrue(badDomain.json().get("detail").asText().startsWith("domain"), badDomain.body());
        assertEquals(400, operator.post("/api/tenants", "{not json").status());

        AdminClient.Reply badSetting = operator.put("/api/tenants/" + domain + "/settings", "{\"parkTimeoutSeconds\":0}");
        assertEquals(400, badSetting.status());
        assertTrue(badSetting.json().get("detail").asText().contains("parkTimeoutSeconds"), badSetting.body());
        AdminClient.Reply setting = operator.put("/api/tenants/" + domain + "/settings", "{\"parkTimeoutSeconds\":90,\"maxParkedPerExtension\":3}");
        assertEquals(200, setting.status(), setting.body());
        JsonNode settings = operator.get("/api/tenants/" + domain + "/settings").json();
        assertEquals(90, settings.get("parkTimeoutSeconds").asInt());
        assertEquals(3, settings.get("maxParkedPerExtension").asInt());
        assertEquals("*68", settings.get("parkCode").asText());
    }

    @Test
    void putsAnExtensionWithoutEverShowingItsPassword() {
        try (TestTenant acme = TestTenant.create("ext")) {
            String path = "/api/tenants/" + acme.domain() + "/extensions/601";
            AdminClient.Reply created = operator.put(path, "{\"password\":\"s3cret-601\",\"displayName\":\"Frank\"}");
            assertEquals(201, created.status(), created.body());
            assertFalse(created.body().contains("s3cret"), created.body());
            AdminClient.Reply updated = operator.put(path, "{\"password\":\"n3w-601\",\"displayName\":\"Frank B\"}");
            assertEquals(200, updated.status());
            assertEquals("Frank B", updated.json().get("displayName").asText());
            assertEquals(400, operator.put(path, "{\"displayName\":\"no password\"}").status());
            AdminClient.Reply badNumber = operator.put("/api/tenants/" + acme.domain() + "/extensions/abc", "{\"password\":\"long-enough\"}");
            assertEquals(400, badNumber.status());
            assertTrue(badNumber.json().get("detail").asText().startsWith("extension"), badNumber.body());

            TestPhone phone = new TestPhone(acme.domain(), "601", "n3w-601", Deployments.SIP_PORT);
            try (phone) {
                assertEquals(200, phone.register(300).status(), "the new password is the one that works");
                assertEquals(403, phone.register(300, "s3cret-601").status());
            }
        }
    }

    @Test
    void aTenantsParkedCallsAndHistoryAreInvisibleToAnotherTenant() {
        try (TestTenant acme = TestTenant.create("iso", "611", "650"); TestTenant rival = TestTenant.create("iso-rival", "611")) {
            TestPhone parker = acme.registeredPhone("611");
            TestPhone client = acme.registeredPhone("650");
            Calls.Connected talk = Calls.connect(client, parker);
            assertEquals(202, talk.callee().refer("sip:*68@" + acme.domain()).status());
            parker.awaitRequest("NOTIFY", 5000, "park-info");

            JsonNode mine = operator.get("/api/tenants/" + acme.domain() + "/parked-calls").json();
            assertEquals(1, mine.size());
            String id = mine.get(0).get("id").asText();
            assertEquals("PARKED", mine.get(0).get("status").asText());
            assertEquals("sip:650@" + acme.domain(), mine.get(0).get("parked").get("uri").asText());

            AdminClient.Reply theirs = operator.get("/api/tenants/" + rival.domain() + "/parked-calls");
            assertEquals(200, theirs.status());
            assertEquals(0, theirs.json().size());
            assertFalse(theirs.body().contains(id));
            assertEquals(0, operator.get("/api/tenants/" + rival.domain() + "/park-history").json().size());
            assertEquals(404, operator.get("/api/tenants/nobody.test/parked-calls").status());
            assertEquals(400, operator.get("/api/tenants/" + acme.domain() + "/park-history?limit=0").status());
        }
    }

    @Test
    void theConsolePageIsServedAndItsDataNeedsTheOperator() {
        AdminClient anonymous = new AdminClient(Deployments.HTTP_PORT, null);
        AdminClient.Reply page = anonymous.get("/console/");
        assertEquals(200, page.status());
        assertTrue(page.raw().headers().firstValue("Content-Type").orElse("").startsWith("text/html"));
        assertTrue(page.body().contains("<h1>cloudpark console</h1>"), page.body());
        assertTrue(page.body().contains("<script type=\"module\" src=\"js/console.js\">"), "the console is ES modules");
        assertEquals(ConsoleServlet.POLICY, page.header("Content-Security-Policy"), "it loads nothing from anywhere else");
        AdminClient.Reply module = anonymous.get("/console/js/api.js");
        assertEquals(200, module.status());
        assertTrue(module.header("Content-Type").startsWith("text/javascript"), module.header("Content-Type"));
        assertTrue(module.body().contains("'../api/'"), "it reads the admin API");
        assertTrue(anonymous.get("/console/console.css").header("Content-Type").startsWith("text/css"));
        assertEquals(302, anonymous.get("/console").status());
        assertEquals(404, anonymous.get("/console/other.html").status());
        assertEquals(404, anonymous.get("/console/js/../../WEB-INF/web.xml").status());
        assertEquals(404, anonymous.get("/console/%2e%2e/WEB-INF/web.xml").status());
    }

    @Test
    void healthSaysUpWithoutTenantDataAndMetricsCount() {
        AdminClient anonymous = new AdminClient(Deployments.HTTP_PORT, null);
        AdminClient.Reply health = anonymous.get("/health");
        assertEquals(200, health.status());
        assertEquals("UP", health.json().get("status").asText());
        assertEquals(2, health.json().size(), "status and database only: " + health.body());
        AdminClient.Reply metrics = operator.get("/metrics");
        assertEquals(200, metrics.status());
        assertTrue(metrics.body().contains("cloudpark_parks_total"), metrics.body());
        assertTrue(metrics.body().contains("cloudpark_park_resolutions_total{resolution=\"RETRIEVED\""), metrics.body());
    }
}
