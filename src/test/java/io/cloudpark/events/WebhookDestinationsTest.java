package io.cloudpark.events;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.URI;
import java.util.List;
import java.util.Optional;

import org.junit.jupiter.api.Test;

class WebhookDestinationsTest {
    private final WebhookDestinations off = new WebhookDestinations(List.of());
    private final WebhookDestinations open = new WebhookDestinations(List.of(WebhookDestinations.ANY_PUBLIC_HOST));
    private final WebhookDestinations listed = new WebhookDestinations(List.of("127.0.0.1", ".crm.example"));

    @Test
    void onlyHttpAndHttpsUrlsWithAHostAndNoCredentials() {
        assertEquals(Optional.empty(), open.refusal("https://203.0.113.10/hook"));
        assertEquals(Optional.empty(), open.refusal("http://crm.example/hook?x=1"));
        assertEquals(Optional.of("must be an http:// or https:// URL"), open.refusal("ftp://crm.example/hook"));
        assertEquals(Optional.of("must be an http:// or https:// URL"), open.refusal("file:///etc/passwd"));
        assertEquals(Optional.of("must name a host"), open.refusal("http:///hook"));
        assertTrue(open.refusal("https://user:pw@crm.example/").orElseThrow().startsWith("must not carry credentials"));
        assertTrue(open.refusal("https://crm.example/" + "x".repeat(2048)).isPresent());
    }

    @Test
    void withNothingAllowedByTheOperatorThereAreNoWebhooks() {
        assertTrue(off.refusal("https://203.0.113.10/hook").orElseThrow().contains("CLOUDPARK_WEBHOOK_ALLOWED_HOSTS"));
        assertTrue(off.deliveryRefusal(URI.create("https://crm.example/hook")).orElseThrow().startsWith("webhooks are off"));
    }

    @Test
    void withAnyPublicHostLoopbackLinkLocalAndWildcardAreRefused() {
        for (String url : List.of("http://127.0.0.1/", "http://[::1]/", "http://169.254.169.254/latest/meta-data",
                "http://0.0.0.0/", "http://localhost/", "http://224.0.0.1/")) {
            assertTrue(open.refusal(url).isPresent(), url);
        }
        assertTrue(open.deliveryRefusal(URI.create("http://localhost:8080/")).orElseThrow().contains("loopback"));
    }

    @Test
    void anAllowListAllowsExactlyItsHostsAndSuffixes() {
        assertEquals(Optional.empty(), listed.refusal("http://127.0.0.1:9000/hook"));
        assertEquals(Optional.empty(), listed.refusal("https://eu.crm.example/hook"));
        assertEquals(Optional.empty(), listed.deliveryRefusal(URI.create("http://127.0.0.1:9000/hook")));
        assertTrue(listed.refusal("https://crm.example.evil/hook").orElseThrow().contains("CLOUDPARK_WEBHOOK_ALLOWED_HOSTS"));
        assertTrue(listed.refusal("https://203.0.113.10/hook").isPresent());
    }
}
