package io.cloudpark.admin;

import static io.cloudpark.admin.Views.ordered;

import java.io.IOException;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

import org.apache.log4j.Logger;

import io.cloudpark.app.CloudparkApp;
import io.cloudpark.events.EventFeed;
import io.cloudpark.events.Webhook;
import io.cloudpark.events.WebhookDestinations;
import io.cloudpark.events.WebhookStore;
import io.cloudpark.park.ParkEvent;
import io.cloudpark.tenant.Tenant;
import io.cloudpark.tenant.TenantDirectory;

/**
 * {@code /api/tenants/{domain}/webhooks}: where a tenant's park events are POSTed. The secret is write-only: no
 * answer, audit entry or log line shows it.
 */
final class WebhookResources {
    private static final Logger LOG = Logger.getLogger(WebhookResources.class);
    static final int MAX_PER_TENANT = 10;
    private static final int MIN_SECRET = 16;
    private static final int MAX_SECRET = 256;
    private static final Set<String> FIELDS = Set.of("url", "secret", "eventTypes", "enabled");

    private final TenantDirectory directory;
    private final WebhookStore webhooks;
    private final WebhookDestinations destinations;
    private final EventFeed feed;
    private final CloudparkApp app;
    private final Audit audit;

    WebhookResources(CloudparkApp app, Audit audit) {
        this.app = app;
        this.directory = app.database().tenants();
        this.webhooks = app.database().webhooks();
        this.destinations = app.webhookDestinations();
        this.feed = app.eventFeed();
        this.audit = audit;
    }

    void addTo(Routes routes) {
        routes.add("GET", "tenants/{d}/webhooks", x -> Json.write(x.response, 200,
                        webhooks.list(tenant(x.queryOnly()).id()).stream().map(WebhookResources::view).toList()))
                .add("POST", "tenants/{d}/webhooks", this::create)
                .add("GET", "tenants/{d}/webhooks/{id}", x -> Json.write(x.response, 200, view(webhook(tenant(x.queryOnly()), x))))
                .add("PATCH", "tenants/{d}/webhooks/{id}", this::update)
                .add("DELETE", "tenants/{d}/webhooks/{id}", this::delete);
    }

    /** As every tenant resource: what the caller may not see is answered exactly as what does not exist. */
    private Tenant tenant(Exchange x) throws ApiError {
        String domain = x.param(0).toLowerCase(Locale.ROOT);
        return directory.tenantByDomain(domain).filter(t -> x.caller.maySee(t.id()))
                .orElseThrow(() -> ApiError.notFound("no tenant " + domain));
    }

    private Webhook webhook(Tenant tenant, Exchange x) throws ApiError {
        Optional<Webhook> found = id(x.param(1)).flatMap(id -> webhooks.find(tenant.id(), id));
        return found.orElseThrow(() -> ApiError.notFound("no webhook " + x.param(1) + " in " + tenant.domain()));
    }

    private static Optional<Long> id(String text) {
        try {
            return Optional.of(Long.parseLong(text));
        } catch (NumberFormatException e) {
            return Optional.empty();
        }
    }

    static Map<String, Object> view(Webhook webhook) {
        Webhook.Delivery d = webhook.delivery();
        return ordered("id", webhook.id(), "url", webhook.url(), "eventTypes", webhook.eventTypes(),
                "enabled", webhook.enabled(), "createdAt", webhook.createdAt().toString(),
                "delivery", ordered("deliveredThrough", d.deliveredThrough(), "attempts", d.attempts(),
                        "nextAttemptAt", d.nextAttemptAt() == null ? null : d.nextAttemptAt().toString(),
                        "lastAttemptAt", d.lastAttemptAt() == null ? null : d.lastAttemptAt().toString(),
                        "lastError", d.lastError(), "givenUp", d.givenUp(), "skipped", d.skipped()));
    }

    private String url(Body body) throws ApiError {
        String url = body.text("url", true, WebhookDestinations.MAX_URL);
        Optional<String> refused = destinations.refusal(url);
        if (refused.isPresent()) {
            throw ApiError.badRequest("url", refused.get());
        }
        return url;
    }

    private static String secret(Body body, boolean required) throws ApiError {
        String secret = body.password("secret", required, MAX_SECRET);
        if (secret != null && secret.length() < MIN_SECRET) {
            throw ApiError.badRequest("secret", "must have at least " + MIN_SECRET + " characters");
        }
        return secret;
    }

    private void create(Exchange x) throws ApiError, IOException {
        Tenant tenant = tenant(x.queryOnly());
        Body body = x.body(FIELDS);
        String url = url(body);
        String secret = secret(body, true);
        var types = body.has("eventTypes") ? body.choices("eventTypes", ParkEvent.TYPES) : ParkEvent.TYPES;
        boolean enabled = !body.has("enabled") || body.bool("enabled");
        if (webhooks.count(tenant.id()) >= MAX_PER_TENANT) {
            throw ApiError.conflict(tenant.domain() + " has " + MAX_PER_TENANT + " webhooks, the most a tenant may have");
        }
        // it gets the events from now on
        Webhook created = webhooks.create(tenant.id(), url, secret, types, enabled, app.clock().instant(), feed.settled());
        LOG.info("webhook " + created.id() + " of " + tenant.domain() + " created by " + x.caller.name() + ": " + url);
        audit.record(x, tenant.domain(), "webhook.create", null, view(created));
        Json.write(x.response, 201, view(created));
    }

    private void update(Exchange x) throws ApiError, IOException {
        Tenant tenant = tenant(x.queryOnly());
        Webhook old = webhook(tenant, x);
        Body body = x.body(FIELDS);
        String url = body.has("url") ? url(body) : old.url();
        String secret = secret(body, false);
        var types = body.has("eventTypes") ? body.choices("eventTypes", ParkEvent.TYPES) : old.eventTypes();
        boolean enabled = body.has("enabled") ? body.bool("enabled") : old.enabled();
        Webhook updated = webhooks.update(tenant.id(), old.id(), url, secret, types, enabled)
                .orElseThrow(() -> ApiError.notFound("no webhook " + old.id() + " in " + tenant.domain()));
        Map<String, Object> after = view(updated);
        after.put("secretChanged", secret != null);
        audit.record(x, tenant.domain(), "webhook.update", view(old), after);
        Json.write(x.response, 200, view(updated));
    }

    private void delete(Exchange x) throws ApiError, IOException {
        Tenant tenant = tenant(x.queryOnly());
        Webhook webhook = webhook(tenant, x);
        if (webhooks.delete(tenant.id(), webhook.id())) {
            audit.record(x, tenant.domain(), "webhook.delete", view(webhook), null);
        }
        x.response.setStatus(204);
    }
}
