package io.cloudpark.admin;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.LinkedHashMap;
import java.util.Map;
import java.util.UUID;

import org.jboss.arquillian.container.test.api.Deployment;
import org.jboss.arquillian.container.test.api.RunAsClient;
import org.jboss.arquillian.junit5.ArquillianExtension;
import org.jboss.shrinkwrap.api.spec.WebArchive;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

import io.cloudpark.testing.AdminClient;
import io.cloudpark.testing.Deployments;
import io.cloudpark.testing.TestTenant;

/** The console's sign-in (POST /api/session), its cookie, and what a request carrying only the cookie may do. */
@ExtendWith(ArquillianExtension.class)
@RunAsClient
class ConsoleSessionIT {
    private static final String OWN_ORIGIN = "http://127.0.0.1:" + Deployments.HTTP_PORT;
    private final AdminClient operator = AdminClient.operator();
    private final AdminClient browser = new AdminClient(Deployments.HTTP_PORT, null);

    @Deployment
    static WebArchive deployment() {
        return Deployments.cloudpark();
    }

    private String tenantAdmin(TestTenant tenant) {
        String name = "console-" + UUID.randomUUID().toString().substring(0, 8);
        AdminClient.Reply created = operator.post("/api/accounts", "{\"name\":\"" + name + "\",\"password\":\"pw-" + name
                + "\",\"role\":\"TENANT_ADMIN\",\"tenant\":\"" + tenant.domain() + "\"}");
        assertEquals(201, created.status(), created.body());
        return name;
    }

    private AdminClient.Reply signIn(String name, String password) {
        return browser.send("POST", "/api/session", "{\"name\":\"" + name + "\",\"password\":\"" + password + "\"}",
                Map.of("Content-Type", "application/json", "Origin", OWN_ORIGIN));
    }

    /** The cookie's name=value, as the browser sends it back. */
    private static String cookie(AdminClient.Reply signedIn) {
        String setCookie = signedIn.header("Set-Cookie");
        assertNotNull(setCookie, signedIn.body());
        return setCookie.split(";", 2)[0];
    }

    private AdminClient.Reply withCookie(String method, String path, String cookie, String json, String origin) {
        Map<String, String> headers = new LinkedHashMap<>();
        headers.put("Cookie", cookie);
        if (json != null) {
            headers.put("Content-Type", "application/json");
        }
        if (origin != null) {
            headers.put("Origin", origin);
        }
        return browser.send(method, path, json, headers);
    }

    @Test
    void signingInSetsAStrictHttpOnlyCookieThatActsAsTheAccount() {
        try (TestTenant acme = TestTenant.create("session"); TestTenant rival = TestTenant.create("rival")) {
            String name = tenantAdmin(acme);
            AdminClient.Reply signedIn = signIn(name.toUpperCase(), "pw-" + name);
            assertEquals(201, signedIn.status(), signedIn.body());
            assertEquals(name, signedIn.json().get("name").asText());
            assertEquals("TENANT_ADMIN", signedIn.json().get("role").asText());
            assertEquals(acme.domain(), signedIn.json().get("tenant").asText());
            String setCookie = signedIn.header("Set-Cookie");
            assertTrue(setCookie.startsWith("cloudpark_session="), setCookie);
            assertTrue(setCookie.contains("; HttpOnly"), setCookie);
            assertTrue(setCookie.contains("; SameSite=Strict"), setCookie);
            assertTrue(setCookie.contains("; Path=/api"), setCookie);
            assertTrue(setCookie.contains("; Max-Age=28800"), setCookie);
            assertFalse(setCookie.contains("Secure"), "plain HTTP here: " + setCookie);
            assertFalse(signedIn.body().contains(cookie(signedIn).substring("cloudpark_session=".length())), "the secret is in the cookie only");

            String cookie = cookie(signedIn);
            assertEquals(name, withCookie("GET", "/api/me", cookie, null, null).json().get("name").asText());
            assertEquals(200, withCookie("GET", "/api/tenants/" + acme.domain() + "/parked-calls", cookie, null, null).status());
            assertEquals(404, withCookie("GET", "/api/tenants/" + rival.domain(), cookie, null, null).status(),
                    "a tenant admin's session sees its own tenant only");
        }
    }

    @Test
    void aChangeWithTheCookieMustComeFromTheConsolesOwnOrigin() {
        try (TestTenant acme = TestTenant.create("session-csrf")) {
            String name = tenantAdmin(acme);
            String cookie = cookie(signIn(name, "pw-" + name));
            String settings = "/api/tenants/" + acme.domain() + "/settings";
            AdminClient.Reply noOrigin = withCookie("PATCH", settings, cookie, "{\"parkTimeoutSeconds\":61}", null);
            assertEquals(403, noOrigin.status(), noOrigin.body());
            assertEquals(403, withCookie("PATCH", settings, cookie, "{\"parkTimeoutSeconds\":61}", "http://evil.example").status());
            AdminClient.Reply form = browser.send("PATCH", settings, "{\"parkTimeoutSeconds\":61}",
                    Map.of("Cookie", cookie, "Origin", OWN_ORIGIN, "Content-Type", "text/plain"));
            assertEquals(415, form.status(), form.body());
            assertEquals(45, operator.get(settings).json().get("parkTimeoutSeconds").asInt(), "nothing changed so far");

            AdminClient.Reply own = withCookie("PATCH", settings, cookie, "{\"parkTimeoutSeconds\":61}", OWN_ORIGIN);
            assertEquals(200, own.status(), own.body());
            assertEquals(61, operator.get(settings).json().get("parkTimeoutSeconds").asInt());
            assertTrue(operator.get("/api/audit?tenant=" + acme.domain()).body().contains("\"actor\":\"" + name + "\""),
                    "the change is recorded under the signed-in account");
        }
    }

    @Test
    void signingOutEndsTheSessionAndAPasswordChangeEndsItToo() {
        try (TestTenant acme = TestTenant.create("session-end")) {
            String name = tenantAdmin(acme);
            String first = cookie(signIn(name, "pw-" + name));
            String second = cookie(signIn(name, "pw-" + name));
            AdminClient.Reply out = withCookie("DELETE", "/api/session", first, null, OWN_ORIGIN);
            assertEquals(204, out.status(), out.body());
            assertTrue(out.header("Set-Cookie").startsWith("cloudpark_session=;"), out.header("Set-Cookie"));
            assertTrue(out.header("Set-Cookie").contains("Max-Age=0"), out.header("Set-Cookie"));
            AdminClient.Reply ended = withCookie("GET", "/api/me", first, null, null);
            assertEquals(401, ended.status());
            assertEquals("Session realm=\"cloudpark\"", ended.header("WWW-Authenticate"),
                    "no Basic challenge to the console: the browser would offer its own dialog and cache the password");
            assertEquals(200, withCookie("GET", "/api/me", second, null, null).status(), "the other session goes on");

            assertEquals(200, operator.patch("/api/accounts/" + name, "{\"password\":\"a-new-secret\"}").status());
            assertEquals(401, withCookie("GET", "/api/me", second, null, null).status(), "a new password ends every session");
            assertEquals(201, signIn(name, "a-new-secret").status());
        }
    }

    @Test
    void aWrongPasswordIsRefusedAndThrottledWithBasicSignIns() {
        try (TestTenant acme = TestTenant.create("session-guess")) {
            String name = tenantAdmin(acme);
            for (int i = 0; i < 3; i++) {
                AdminClient.Reply wrong = signIn(name, "wrong-guess");
                assertEquals(401, wrong.status(), wrong.body());
                assertEquals("Session realm=\"cloudpark\"", wrong.header("WWW-Authenticate"));
                assertEquals(null, wrong.header("Set-Cookie"));
            }
            for (int i = 0; i < 2; i++) {
                assertEquals(401, AdminClient.account(name, "wrong-guess").get("/api/me").status(), "Basic counts with them");
            }
            AdminClient.Reply throttled = signIn(name, "pw-" + name);
            assertEquals(429, throttled.status(), "even the right password waits: " + throttled.body());
            assertNotNull(throttled.header("Retry-After"));
            assertEquals(401, signIn("nobody-" + name, "whatever-it-is").status(), "an unknown name is a wrong password");
        }
    }

    @Test
    void aSignInIsJsonWithExactlyANameAndAPassword() {
        AdminClient.Reply form = browser.send("POST", "/api/session", "name=admin&password=x",
                Map.of("Content-Type", "application/x-www-form-urlencoded"));
        assertEquals(415, form.status(), form.body());
        AdminClient.Reply forged = browser.send("POST", "/api/session", "{\"name\":\"admin\",\"password\":\"" + Deployments.ADMIN_PASSWORD + "\"}",
                Map.of("Content-Type", "application/json", "Origin", "http://evil.example"));
        assertEquals(403, forged.status(), "no sign-in from another site's page either");
        AdminClient.Reply missing = browser.send("POST", "/api/session", "{\"name\":\"admin\"}", Map.of("Content-Type", "application/json"));
        assertEquals(400, missing.status());
        assertEquals("password", missing.json().get("field").asText());
        AdminClient.Reply unknown = browser.send("POST", "/api/session", "{\"name\":\"admin\",\"password\":\"x\",\"remember\":true}",
                Map.of("Content-Type", "application/json"));
        assertEquals(400, unknown.status());
        assertEquals("remember", unknown.json().get("field").asText());
        assertEquals(201, signIn("admin", Deployments.ADMIN_PASSWORD).status());
    }

    @Test
    void theConsolesScriptsGetNoBasicChallengeAndOthersDo() {
        assertEquals(ApiAuth.CHALLENGE, browser.get("/api/me").header("WWW-Authenticate"));
        assertEquals("Session realm=\"cloudpark\"",
                browser.send("GET", "/api/me", null, Map.of("X-Requested-With", "cloudpark-console")).header("WWW-Authenticate"));
        assertEquals("Session realm=\"cloudpark\"",
                browser.send("GET", "/api/me", null, Map.of("Accept", "text/event-stream")).header("WWW-Authenticate"));
    }
}
