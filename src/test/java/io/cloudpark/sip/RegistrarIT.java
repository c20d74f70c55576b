package io.cloudpark.sip;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;

import org.jboss.arquillian.container.test.api.Deployment;
import org.jboss.arquillian.container.test.api.RunAsClient;
import org.jboss.arquillian.junit5.ArquillianExtension;
import org.jboss.shrinkwrap.api.spec.WebArchive;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

import com.fasterxml.jackson.databind.JsonNode;

import io.cloudpark.testing.Deployments;
import io.cloudpark.testing.SipMessage;
import io.cloudpark.testing.TestPhone;
import io.cloudpark.testing.TestTenant;

/** REGISTER: digest authentication, several devices per extension, expiry and removal, tenant by host. */
@ExtendWith(ArquillianExtension.class)
@RunAsClient
class RegistrarIT {

    @Deployment
    static WebArchive deployment() {
        return Deployments.cloudpark();
    }

    @Test
    void challengesThenRegistersAndKeepsEveryDevice() {
        try (TestTenant acme = TestTenant.create("reg", "201")) {
            TestPhone desk = acme.phone("201");
            TestPhone mobile = acme.phone("201");
            SipMessage first = desk.register(300);
            assertEquals(200, first.status(), first.toString());
            SipMessage second = mobile.register(600);
            assertEquals(200, second.status());
            assertEquals(2, second.values("Contact").size(), "the 200 lists every binding: " + second);

            JsonNode bindings = acme.admin().get("/api/tenants/" + acme.domain() + "/extensions/201/registrations").json();
            assertEquals(2, bindings.size(), bindings.toString());

            SipMessage removed = desk.register(0);
            assertEquals(200, removed.status());
            assertEquals(1, removed.values("Contact").size());
            assertTrue(removed.header("Contact").contains(String.valueOf(mobile.port())), removed.toString());
            assertEquals(1, acme.admin().get("/api/tenants/" + acme.domain() + "/extensions/201/registrations").json().size());
        }
    }

    @Test
    void firstRequestIsChallengedWithDigestMd5AndQopAuth() {
        try (TestTenant acme = TestTenant.create("reg", "202")) {
            TestPhone phone = acme.phone("202");
            String register = "REGISTER sip:" + acme.domain() + " SIP/2.0\r\nVia: SIP/2.0/UDP 127.0.0.1:" + phone.port()
                    + ";branch=z9hG4bKchallenge1\r\nMax-Forwards: 70\r\nFrom: <sip:202@" + acme.domain() + ">;tag=a\r\nTo: <sip:202@"
                    + acme.domain() + ">\r\nCall-ID: challenge-1\r\nCSeq: 1 REGISTER\r\nContact: <" + phone.contact()
                    + ">\r\nContent-Length: 0\r\n\r\n";
            phone.sendRaw(register.getBytes(StandardCharsets.UTF_8));
            SipMessage challenge = phone.awaitResponseForTest("challenge-1");
            assertEquals(401, challenge.status());
            String header = challenge.header("WWW-Authenticate");
            assertNotNull(header);
            assertTrue(header.contains("realm=\"" + acme.domain() + "\""), header);
            assertTrue(header.contains("qop=\"auth\""), header);
            assertTrue(header.contains("algorithm=MD5"), header);
            assertEquals(0, acme.admin().get("/api/tenants/" + acme.domain() + "/extensions/202/registrations").json().size());
        }
    }

    @Test
    void wrongPasswordIsForbiddenAfterTheChallenge() {
        try (TestTenant acme = TestTenant.create("reg", "203")) {
            SipMessage answer = acme.phone("203").register(300, "not-the-password");
            assertEquals(403, answer.status());
            assertEquals(0, acme.admin().get("/api/tenants/" + acme.domain() + "/extensions/203/registrations").json().size());
        }
    }

    @Test
    void unknownDomainIsNotFound() {
        try (TestPhone stranger = new TestPhone("no-such-tenant.test", "201", "x", Deployments.SIP_PORT)) {
            assertEquals(404, stranger.register(300).status());
        }
    }

    @Test
    void tooBriefAnExpiryIsRefusedWithMinExpires() {
        try (TestTenant acme = TestTenant.create("reg", "204")) {
            SipMessage answer = acme.phone("204").register(10);
            assertEquals(423, answer.status());
            assertEquals("60", answer.header("Min-Expires"));
        }
    }

    @Test
    void wildcardRemovesEveryBinding() {
        try (TestTenant acme = TestTenant.create("reg", "205")) {
            TestPhone a = acme.registeredPhone("205");
            acme.registeredPhone("205");
            assertEquals(2, acme.admin().get("/api/tenants/" + acme.domain() + "/extensions/205/registrations").json().size());
            SipMessage cleared = a.unregisterAll();
            assertEquals(200, cleared.status(), cleared.toString());
            assertEquals(0, acme.admin().get("/api/tenants/" + acme.domain() + "/extensions/205/registrations").json().size());
        }
    }

    @Test
    void anExtensionCannotRegisterAnotherOnesAddress() {
        try (TestTenant acme = TestTenant.create("reg", "206", "207")) {
            TestPhone impostor = acme.phone("206");
            SipMessage answer = impostor.registerAs("207", 300);
            assertEquals(403, answer.status(), answer.toString());
            assertEquals(0, acme.admin().get("/api/tenants/" + acme.domain() + "/extensions/207/registrations").json().size());
        }
    }
}
