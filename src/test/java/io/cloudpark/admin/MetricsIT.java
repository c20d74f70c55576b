package io.cloudpark.admin;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import org.jboss.arquillian.container.test.api.Deployment;
import org.jboss.arquillian.container.test.api.RunAsClient;
import org.jboss.arquillian.junit5.ArquillianExtension;
import org.jboss.shrinkwrap.api.spec.WebArchive;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

import io.cloudpark.testing.AdminClient;
import io.cloudpark.testing.Call;
import io.cloudpark.testing.Calls;
import io.cloudpark.testing.Deployments;
import io.cloudpark.testing.TestPhone;
import io.cloudpark.testing.TestTenant;

/** {@code GET /metrics} after a real park and retrieve: counts, latency histograms, the pool, the JVM, no tenant. */
@ExtendWith(ArquillianExtension.class)
@RunAsClient
class MetricsIT {

    @Deployment
    static WebArchive deployment() {
        return Deployments.cloudpark();
    }

    @Test
    void aParkAndARetrieveAreCountedAndTimedWithoutNamingTheTenant() {
        try (TestTenant acme = TestTenant.create("metrics", "701", "702", "750")) {
            double announcedBefore = value(scrape(), "cloudpark_refer_to_park_info_seconds_count");
            double retrievedBefore = value(scrape(), "cloudpark_retrieve_seconds_count");
            TestPhone parker = acme.registeredPhone("701");
            TestPhone target = acme.registeredPhone("702");
            TestPhone client = acme.registeredPhone("750");
            Calls.parkAt(acme, parker, client, "702");
            target.awaitRequest("NOTIFY", 5000, "park-info");
            Call retrieved = Calls.dial(target, "*88702");
            assertEquals(200, retrieved.status());
            client.awaitRequest("INVITE");
            assertEquals(200, retrieved.bye().status());

            String metrics = scrape();
            assertEquals(announcedBefore + 1, value(metrics, "cloudpark_refer_to_park_info_seconds_count"), metrics);
            assertEquals(retrievedBefore + 1, value(metrics, "cloudpark_retrieve_seconds_count"), metrics);
            assertTrue(value(metrics, "cloudpark_retrieve_seconds_sum") > 0, metrics);
            assertTrue(metrics.contains("cloudpark_park_resolutions_total{resolution=\"RETRIEVED\""), metrics);
            assertTrue(metrics.contains("hikaricp_connections{pool=\"cloudpark-db\",}")
                    || metrics.contains("hikaricp_connections{pool=\"cloudpark-db\"}"), "the pool's metrics:\n" + metrics);
            assertTrue(metrics.contains("hikaricp_connection_usage_millis_bucket"), "database time per connection use");
            assertTrue(metrics.contains("jvm_threads_current"), "the JVM's");
            assertFalse(metrics.contains(acme.domain()), "no label names a tenant: at 10,000 tenants that is unbounded");
        }
    }

    /** deployment/grafana's dashboard asks only for series this node exports. */
    @Test
    void everySeriesOfTheGrafanaDashboardIsExported() throws Exception {
        JsonNode dashboard = new ObjectMapper().readTree(Path.of("deployment/grafana/cloudpark-dashboard.json").toFile());
        String metrics = scrape();
        Pattern series = Pattern.compile("\\b((?:cloudpark|hikaricp|jvm)_[a-z_]+)");
        int checked = 0;
        for (JsonNode panel : dashboard.get("panels")) {
            for (JsonNode target : panel.get("targets")) {
                Matcher name = series.matcher(target.get("expr").asText());
                while (name.find()) {
                    assertTrue(Pattern.compile("(?m)^" + Pattern.quote(name.group(1)) + "[{ ]").matcher(metrics).find(),
                            panel.get("title").asText() + ": " + name.group(1) + " is not in /metrics");
                    checked++;
                }
            }
        }
        assertTrue(checked >= 10, "the dashboard's queries were read: " + checked);
    }

    private static String scrape() {
        AdminClient.Reply reply = AdminClient.operator().get("/metrics");
        assertEquals(200, reply.status());
        assertTrue(reply.raw().headers().firstValue("Content-Type").orElse("").startsWith("text/plain"));
        return reply.body();
    }

    private static double value(String metrics, String name) {
        Matcher line = Pattern.compile("(?m)^" + Pattern.quote(name) + "(\\{[^}]*\\})? (\\S+)$").matcher(metrics);
        if (!line.find()) {
            throw new AssertionError("no " + name + " in /metrics:\n" + metrics);
        }
        return Double.parseDouble(line.group(2));
    }
}
