package io.cloudpark.testing;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.ArrayList;
import java.util.List;
import java.util.UUID;

/**
 * A tenant of its own for one test, made through the admin API, with extensions whose password is
 * {@code pw-<extension>}. Phones it hands out are closed with it.
 */
public final class TestTenant implements AutoCloseable {
    private final AdminClient admin;
    private final int sipPort;
    private final String domain;
    private final List<TestPhone> phones = new ArrayList<>();

    private TestTenant(AdminClient admin, int sipPort, String domain) {
        this.admin = admin;
        this.sipPort = sipPort;
        this.domain = domain;
    }

    /** In the embedded container the ITs share. */
    public static TestTenant create(String label, String... extensions) {
        return create(AdminClient.operator(), Deployments.SIP_PORT, label, extensions);
    }

    /** In the cloudpark that {@code admin} reaches, whose SIP port is {@code sipPort}. */
    public static TestTenant create(AdminClient admin, int sipPort, String label, String... extensions) {
        TestTenant tenant = new TestTenant(admin, sipPort,
                label + "-" + UUID.randomUUID().toString().substring(0, 8) + ".test");
        AdminClient.Reply created = tenant.admin.post("/api/tenants",
                "{\"domain\":\"" + tenant.domain + "\",\"name\":\"" + label + "\"}");
        assertEquals(201, created.status(), created.body());
        for (String extension : extensions) {
            tenant.extension(extension, "User " + extension);
        }
        return tenant;
    }

    public String domain() {
        return domain;
    }

    public AdminClient admin() {
        return admin;
    }

    public void extension(String number, String displayName) {
        AdminClient.Reply put = admin.put("/api/tenants/" + domain + "/extensions/" + number,
                "{\"password\":\"pw-" + number + "\",\"displayName\":\"" + displayName + "\"}");
        assertEquals(201, put.status(), put.body());
    }

    public void settings(String json) {
        AdminClient.Reply put = admin.put("/api/tenants/" + domain + "/settings", json);
        assertEquals(200, put.status(), put.body());
    }

    /** The newest entry of the park history, waiting up to 5 s for one to be there (ends are recorded after the SIP). */
    public com.fasterxml.jackson.databind.JsonNode lastEndedPark() {
        return history(history -> history.size() > 0, "no park ended").get(0);
    }

    /** The history entry of that park, waiting up to 5 s for its end to be recorded (a retriever hears its 200 first). */
    public com.fasterxml.jackson.databind.JsonNode endedPark(String parkId) {
        return entryOf(history(entries -> entryOf(entries, parkId) != null, "park " + parkId + " did not end"), parkId);
    }

    private static com.fasterxml.jackson.databind.JsonNode entryOf(com.fasterxml.jackson.databind.JsonNode history,
            String parkId) {
        for (com.fasterxml.jackson.databind.JsonNode ended : history) {
            if (ended.get("id").asText().equals(parkId)) {
                return ended;
            }
        }
        return null;
    }

    /** The park history once it holds at least that many ends, waiting up to 5 s. */
    public com.fasterxml.jackson.databind.JsonNode endedParks(int atLeast) {
        return history(history -> history.size() >= atLeast, "fewer than " + atLeast + " parks ended");
    }

    private com.fasterxml.jackson.databind.JsonNode history(
            java.util.function.Predicate<com.fasterxml.jackson.databind.JsonNode> complete, String failure) {
        long deadline = System.currentTimeMillis() + 5000;
        while (true) {
            com.fasterxml.jackson.databind.JsonNode history = admin.get("/api/tenants/" + domain + "/park-history").json();
            if (complete.test(history)) {
                return history;
            }
            if (System.currentTimeMillis() > deadline) {
                throw new AssertionError(failure + " in " + domain + ": " + history);
            }
            try {
                Thread.sleep(50);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new AssertionError("interrupted");
            }
        }
    }

    /** A phone of that extension, not registered yet. */
    public TestPhone phone(String extension) {
        TestPhone phone = new TestPhone(domain, extension, "pw-" + extension, sipPort);
        phones.add(phone);
        return phone;
    }

    /** A phone of that extension over TCP, refusing inbound connections (see {@link TestPhone#overTcp}). */
    public TestPhone tcpPhone(String extension) {
        TestPhone phone = TestPhone.overTcp(domain, extension, "pw-" + extension, sipPort);
        phones.add(phone);
        return phone;
    }

    /** A phone of that extension, registered. */
    public TestPhone registeredPhone(String extension) {
        TestPhone phone = phone(extension);
        SipMessage ok = phone.register(300);
        assertEquals(200, ok.status(), ok.toString());
        return phone;
    }

    @Override
    public void close() {
        phones.forEach(TestPhone::close);
    }
}
