package io.cloudpark.admin;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.File;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;

import org.jboss.arquillian.container.test.api.Deployment;
import org.jboss.arquillian.container.test.api.RunAsClient;
import org.jboss.arquillian.junit5.ArquillianExtension;
import org.jboss.shrinkwrap.api.ShrinkWrap;
import org.jboss.shrinkwrap.api.asset.StringAsset;
import org.jboss.shrinkwrap.api.spec.WebArchive;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

import io.cloudpark.testing.Deployments;
import io.cloudpark.testing.EventStreamClient;
import io.cloudpark.testing.TestTenant;

/** A node serves at most CLOUDPARK_EVENT_STREAMS_MAX event streams at once (2 in this deployment); more get 503. */
@ExtendWith(ArquillianExtension.class)
@RunAsClient
class EventStreamLimitIT {

    @Deployment
    static WebArchive deployment() throws IOException {
        String webXml = Files.readString(Path.of("webapp/WEB-INF/web.xml"), StandardCharsets.UTF_8).replace("</display-name>",
                "</display-name>\n  <context-param><param-name>CLOUDPARK_EVENT_STREAMS_MAX</param-name><param-value>2</param-value></context-param>");
        if (!webXml.contains("<param-value>2</param-value>")) {
            throw new IllegalStateException("web.xml has no display-name to put the setting after");
        }
        // as Deployments.cloudpark(), with the setting as a context parameter (which wins over system properties)
        return ShrinkWrap.create(WebArchive.class, "ROOT.war")
                .addAsWebInfResource(new File("webapp/WEB-INF/sip.xml"), "sip.xml")
                .setWebXML(new StringAsset(webXml))
                .addAsWebResource(new File("webapp/console/index.html"), "console/index.html");
    }

    private static EventStreamClient open(TestTenant tenant) {
        return EventStreamClient.open("/api/tenants/" + tenant.domain() + "/events", "admin", Deployments.ADMIN_PASSWORD, null);
    }

    @Test
    void pastTheLimitAStreamIs503JsonWithRetryAfter() {
        try (TestTenant acme = TestTenant.create("events-limit");
             EventStreamClient first = open(acme); EventStreamClient second = open(acme)) {
            assertEquals(200, first.status());
            assertEquals(200, second.status());
            try (EventStreamClient third = open(acme)) {
                assertEquals(503, third.status());
                assertEquals("5", third.header("Retry-After"));
                assertTrue(third.header("Content-Type").startsWith("application/json"), third.header("Content-Type"));
            }
        }
    }
}
