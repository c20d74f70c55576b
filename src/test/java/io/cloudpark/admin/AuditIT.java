package io.cloudpark.admin;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
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
import io.cloudpark.testing.Deployments;
import io.cloudpark.testing.TestTenant;

/** Every change through the API is in the audit log, with who, when, what, before and after. */
@ExtendWith(ArquillianExtension.class)
@RunAsClient
class AuditIT {
    private final AdminClient operator = AdminClient.operator();

    @Deployment
    static WebArchive deployment() {
        return Deployments.cloudpark();
    }

    private static List<JsonNode> entries(AdminClient client, String query) {
        AdminClient.Reply reply = client.get("/api/audit" + query);
        assertEquals(200, reply.status(), reply.body());
        List<JsonNode> out = new ArrayList<>();
        reply.json().forEach(out::add);
        return out;
    }

    @Test
    void eachChangeIsRecordedWithWhoWhenWhatBeforeAndAfterAndNoSecret() {
        try (TestTenant acme = TestTenant.create("audit", "200")) {
            String base = "/api/tenants/" + acme.domain();
            assertEquals(200, operator.put(base + "/settings", "{\"parkTimeoutSeconds\":77}").status());
            assertEquals(200, operator.patch(base + "/extensions/200", "{\"password\":\"very-secret-200\",\"displayName\":\"Desk\"}").status());
            assertEquals(200, operator.delete(base + "/extensions/200").status());

            List<JsonNode> log = entries(operator, "?tenant=" + acme.domain());
            assertEquals(List.of("extension.delete", "extension.update", "settings.update", "extension.create", "tenant.create"),
                    log.stream().map(e -> e.get("action").asText()).toList());
            log.forEach(e -> assertEquals("admin", e.get("actor").asText()));
            log.forEach(e -> assertEquals(acme.domain(), e.get("tenant").asText()));
            JsonNode settings = log.get(2);
            assertEquals(45, settings.get("before").get("parkTimeoutSeconds").asInt());
            assertEquals(77, settings.get("after").get("parkTimeoutSeconds").asInt());
            assertTrue(java.time.Instant.parse(settings.get("at").asText()).isAfter(java.time.Instant.now().minusSeconds(60)));
            JsonNode update = log.get(1);
            assertEquals("User 200", update.get("before").get("displayName").asText());
            assertEquals("Desk", update.get("after").get("displayName").asText());
            assertTrue(update.get("after").get("passwordChanged").asBoolean());
            assertTrue(log.get(0).get("after").isObject() && log.get(0).get("before").get("extension").asText().equals("200"));
            String all = operator.get("/api/audit?tenant=" + acme.domain()).body();
            assertFalse(all.contains("very-secret") || all.contains("pw-200") || all.contains("ha1"), all);
        }
    }

    @Test
    void aTenantAdminReadsItsOwnTenantsLogOnlyAndTheLogIsPaged() {
        try (TestTenant acme = TestTenant.create("audit-own"); TestTenant rival = TestTenant.create("audit-rival")) {
            String name = "auditor-" + UUID.randomUUID().toString().substring(0, 8);
            assertEquals(201, operator.post("/api/accounts", "{\"name\":\"" + name + "\",\"password\":\"pw-" + name
                    + "\",\"role\":\"TENANT_ADMIN\",\"tenant\":\"" + acme.domain() + "\"}").status());
            AdminClient admin = AdminClient.account(name, "pw-" + name);
            for (int i = 1; i <= 3; i++) {
                assertEquals(200, admin.put("/api/tenants/" + acme.domain() + "/settings", "{\"recallAttempts\":" + i + "}").status());
            }
            List<JsonNode> own = entries(admin, "?limit=1000");
            assertFalse(own.isEmpty());
            own.forEach(e -> assertEquals(acme.domain(), e.get("tenant").asText(), e.toString()));
            assertEquals(name, own.get(0).get("actor").asText());
            assertEquals(3, own.get(0).get("after").get("recallAttempts").asInt());
            assertEquals(404, admin.get("/api/audit?tenant=" + rival.domain()).status());
            assertFalse(entries(admin, "?limit=1000").toString().contains(rival.domain()));

            List<Long> paged = new ArrayList<>();
            String next = "/api/audit?tenant=" + acme.domain() + "&limit=2";
            while (next != null) {
                AdminClient.Reply page = operator.get(next);
                page.json().forEach(e -> paged.add(e.get("id").asLong()));
                String link = page.header("Link");
                next = link == null ? null : link.substring(link.indexOf('<') + 1, link.indexOf('>'));
            }
            assertEquals(entries(operator, "?tenant=" + acme.domain()).stream().map(e -> e.get("id").asLong()).toList(), paged);
            assertTrue(paged.size() >= 5, "tenant, account and three settings: " + paged);
        }
    }
}
