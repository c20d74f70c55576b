package io.cloudpark.admin;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Map;
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

/** Accounts, tokens, who sees what, throttling and forgery, over real HTTP. */
@ExtendWith(ArquillianExtension.class)
@RunAsClient
class AccountsIT {
    private final AdminClient operator = AdminClient.operator();

    @Deployment
    static WebArchive deployment() {
        return Deployments.cloudpark();
    }

    private static String unique(String label) {
        return label + "-" + UUID.randomUUID().toString().substring(0, 8);
    }

    private AdminClient tenantAdmin(TestTenant tenant, String name) {
        AdminClient.Reply created = operator.post("/api/accounts", "{\"name\":\"" + name + "\",\"password\":\"pw-" + name
                + "\",\"role\":\"TENANT_ADMIN\",\"tenant\":\"" + tenant.domain() + "\"}");
        assertEquals(201, created.status(), created.body());
        return AdminClient.account(name, "pw-" + name);
    }

    @Test
    void theBootstrapOperatorIsAnAccountAndSeesEveryTenant() {
        JsonNode me = operator.get("/api/me").json();
        assertEquals("admin", me.get("name").asText());
        assertEquals("OPERATOR", me.get("role").asText());
        assertTrue(me.get("tenant").isNull());
        assertEquals(400, operator.patch("/api/accounts/admin", "{\"password\":\"another-one\"}").status());
        assertEquals(409, operator.delete("/api/accounts/admin").status());

        String name = unique("op");
        assertEquals(201, operator.post("/api/accounts", "{\"name\":\"" + name + "\",\"password\":\"pw-" + name
                + "\",\"role\":\"OPERATOR\"}").status());
        AdminClient other = AdminClient.account(name, "pw-" + name);
        try (TestTenant acme = TestTenant.create("opsee")) {
            assertEquals(200, other.get("/api/tenants/" + acme.domain()).status());
        }
        AdminClient.Reply listed = operator.get("/api/accounts?limit=1000");
        assertTrue(listed.body().contains("\"" + name + "\""), listed.body());
        assertFalse(listed.body().contains("$2"), "no hash is shown: " + listed.body());
    }

    @Test
    void aTenantAdminSeesItsTenantOnlyAndAnyOtherIsAsIfItDidNotExist() {
        try (TestTenant acme = TestTenant.create("own", "200"); TestTenant rival = TestTenant.create("rival", "200")) {
            AdminClient admin = tenantAdmin(acme, unique("acme-admin"));
            assertEquals(200, admin.get("/api/tenants/" + acme.domain() + "/extensions/200").status());
            assertEquals(200, admin.put("/api/tenants/" + acme.domain() + "/settings", "{\"parkTimeoutSeconds\":60}").status());
            assertEquals(201, admin.put("/api/tenants/" + acme.domain() + "/extensions/201", "{\"password\":\"pw-201\"}").status());

            for (String path : new String[] {"", "/settings", "/extensions", "/extensions/200", "/parked-calls", "/park-history"}) {
                AdminClient.Reply theirs = admin.get("/api/tenants/" + rival.domain() + path);
                AdminClient.Reply nobody = admin.get("/api/tenants/nobody-" + rival.domain() + path);
                assertEquals(404, theirs.status(), path);
                assertEquals(nobody.json().get("error"), theirs.json().get("error"), path);
                assertEquals(nobody.body().replace("nobody-", ""), theirs.body(), "word for word the same: " + path);
            }
            assertEquals(404, admin.put("/api/tenants/" + rival.domain() + "/settings", "{\"parkTimeoutSeconds\":60}").status());
            assertEquals(45, operator.get("/api/tenants/" + rival.domain() + "/settings").json().get("parkTimeoutSeconds").asInt());

            JsonNode listed = admin.get("/api/tenants").json();
            assertEquals(1, listed.size());
            assertEquals(acme.domain(), listed.get(0).get("domain").asText());
            assertEquals(403, admin.post("/api/tenants", "{\"domain\":\"" + unique("mine") + ".test\"}").status());
            assertEquals(403, admin.delete("/api/tenants/" + acme.domain()).status());
            assertEquals(403, admin.get("/metrics").status());
            assertEquals(403, admin.post("/api/accounts", "{\"name\":\"" + unique("up") + "\",\"password\":\"long-enough\",\"role\":\"OPERATOR\"}").status());
            AdminClient.Reply foreign = admin.post("/api/accounts", "{\"name\":\"" + unique("x") + "\",\"password\":\"long-enough\","
                    + "\"role\":\"TENANT_ADMIN\",\"tenant\":\"" + rival.domain() + "\"}");
            assertEquals(400, foreign.status());
            assertEquals("tenant", foreign.json().get("field").asText());
            assertEquals(404, admin.get("/api/accounts/admin").status(), "an operator account is not its business");
            JsonNode accounts = admin.get("/api/accounts").json();
            accounts.forEach(a -> assertEquals(acme.domain(), a.get("tenant").asText()));
        }
    }

    @Test
    void passwordsAreCheckedAndChangedAndAWeakOneIsRefused() {
        try (TestTenant acme = TestTenant.create("pw")) {
            String name = unique("pw-admin");
            AdminClient admin = tenantAdmin(acme, name);
            AdminClient.Reply weak = operator.patch("/api/accounts/" + name, "{\"password\":\"short\"}");
            assertEquals(400, weak.status());
            assertEquals("password", weak.json().get("field").asText());
            assertEquals(200, admin.patch("/api/accounts/" + name, "{\"password\":\"a-new-secret\"}").status());
            assertEquals(401, admin.get("/api/me").status(), "the old password stopped working at once");
            assertEquals(200, AdminClient.account(name, "a-new-secret").get("/api/me").status());
            assertEquals(200, AdminClient.account(name.toUpperCase(), "a-new-secret").get("/api/me").status(), "names in any case");
            assertEquals(200, AdminClient.account(name, "a-new-secret").patch("/api/accounts/" + name, "{\"password\":\" spaced secret \"}").status());
            assertEquals(200, AdminClient.account(name, " spaced secret ").get("/api/me").status(), "a password is kept as typed");
            assertEquals(204, operator.delete("/api/accounts/" + name).status());
            assertEquals(401, AdminClient.account(name, " spaced secret ").get("/api/me").status());
        }
    }

    @Test
    void apiTokensActAsTheirAccountUntilRevoked() {
        try (TestTenant acme = TestTenant.create("tok")) {
            String name = unique("tok-admin");
            AdminClient admin = tenantAdmin(acme, name);
            AdminClient.Reply issued = admin.post("/api/accounts/" + name + "/tokens", "{\"name\":\"crm\"}");
            assertEquals(201, issued.status(), issued.body());
            String token = issued.json().get("token").asText();
            assertTrue(token.startsWith("cpk_") && token.length() > 40, token);
            AdminClient crm = AdminClient.bearer(token);
            assertEquals(name, crm.get("/api/me").json().get("name").asText());
            assertEquals(200, crm.get("/api/tenants/" + acme.domain() + "/parked-calls").status());
            JsonNode tokens = admin.get("/api/accounts/" + name + "/tokens").json();
            assertEquals(1, tokens.size());
            assertNull(tokens.get(0).get("token"), "the token is shown once only");
            assertFalse(admin.get("/api/audit?limit=1000").body().contains(token), "nor recorded");

            assertEquals(204, admin.delete("/api/accounts/" + name + "/tokens/" + tokens.get(0).get("id").asText()).status());
            AdminClient.Reply revoked = crm.get("/api/me");
            assertEquals(401, revoked.status());
            assertEquals(401, AdminClient.bearer("cpk_made-up").get("/api/me").status());
        }
    }

    @Test
    void repeatedFailuresAreThrottledPerUserAndTheRightPasswordWaitsToo() {
        try (TestTenant acme = TestTenant.create("throttle")) {
            String name = unique("guessed");
            tenantAdmin(acme, name);
            AdminClient guesser = AdminClient.account(name, "wrong-guess");
            for (int i = 0; i < 5; i++) {
                assertEquals(401, guesser.get("/api/me").status(), "attempt " + (i + 1));
            }
            AdminClient.Reply throttled = guesser.get("/api/me");
            assertEquals(429, throttled.status(), throttled.body());
            assertNotNull(throttled.header("Retry-After"));
            assertTrue(Integer.parseInt(throttled.header("Retry-After")) > 0);
            assertEquals(429, AdminClient.account(name, "pw-" + name).get("/api/me").status(), "even the right password");
            assertEquals(200, operator.get("/api/me").status(), "another user from the same address is not held up");
        }
    }

    @Test
    void authenticationIsAnsweredBeforeAnyNotFound() {
        AdminClient anonymous = new AdminClient(Deployments.HTTP_PORT, null);
        assertEquals(401, anonymous.get("/api/no/such/thing").status());
        assertEquals(401, anonymous.get("/api/tenants/nobody.test").status());
        assertEquals(401, anonymous.send("DELETE", "/api/tenants", null).status());
        AdminClient.Reply forged = operator.send("GET", "/api/tenants/nobody.test", null, Map.of("Origin", "http://evil.example"));
        assertEquals(403, forged.status());
    }

    @Test
    void aCrossOriginFormOrNoCorsFetchCannotChangeAnything() {
        String domain = unique("forged") + ".test";
        String body = "{\"domain\":\"" + domain + "\"}";
        // what a hidden <form enctype="text/plain"> on another site sends, with the browser's cached Basic credentials
        AdminClient.Reply form = operator.send("POST", "/api/tenants", body,
                Map.of("Content-Type", "text/plain", "Origin", "http://evil.example"));
        assertEquals(403, form.status(), form.body());
        // the same without Origin (an older browser, a privacy extension): the body type alone refuses it
        AdminClient.Reply noOrigin = operator.send("POST", "/api/tenants", body, Map.of("Content-Type", "text/plain"));
        assertEquals(415, noOrigin.status(), noOrigin.body());
        assertEquals("unsupported_media_type", noOrigin.json().get("error").asText());
        AdminClient.Reply urlEncoded = operator.send("POST", "/api/tenants", body,
                Map.of("Content-Type", "application/x-www-form-urlencoded"));
        assertEquals(415, urlEncoded.status());
        AdminClient.Reply none = operator.send("POST", "/api/tenants", body, Map.of());
        assertEquals(415, none.status());
        // JSON from another origin needs a preflight the API never grants; sent anyway, Origin refuses it
        assertEquals(403, operator.send("POST", "/api/tenants", body,
                Map.of("Content-Type", "application/json", "Origin", "http://evil.example")).status());
        assertEquals(403, operator.send("DELETE", "/api/tenants/" + domain, null, Map.of("Origin", "null")).status());
        assertEquals(404, operator.get("/api/tenants/" + domain).status(), "nothing was created");

        AdminClient.Reply sameOrigin = operator.send("POST", "/api/tenants", body, Map.of("Content-Type",
                "application/json; charset=utf-8", "Origin", "http://127.0.0.1:" + Deployments.HTTP_PORT));
        assertEquals(201, sameOrigin.status(), "the console's own requests pass: " + sameOrigin.body());
    }
}
