package io.cloudpark.admin;

import static io.cloudpark.admin.Views.ordered;

import java.io.IOException;
import java.util.List;
import java.util.Locale;
import java.util.Map;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;

import io.cloudpark.app.CloudparkApp;
import io.cloudpark.audit.AuditEntry;
import io.cloudpark.audit.AuditLog;
import io.cloudpark.tenant.Tenant;
import io.cloudpark.tenant.TenantDirectory;

/** {@code GET /api/audit}: the changes made, newest first; an operator's of everything, a tenant admin's of its tenant. */
final class AuditResources {
    private final AuditLog log;
    private final TenantDirectory directory;

    AuditResources(CloudparkApp app) {
        this.log = app.audit();
        this.directory = app.database().tenants();
    }

    void addTo(Routes routes) {
        routes.add("GET", "audit", this::entries);
    }

    private void entries(Exchange x) throws ApiError, IOException {
        x.queryOnly("tenant", "cursor", "limit");
        String tenant = x.query("tenant", 253);
        if (!x.caller.isOperator()) {
            String own = directory.tenantById(x.caller.tenantId()).map(Tenant::domain)
                    .orElseThrow(() -> ApiError.notFound("no tenant"));
            if (tenant != null && !tenant.toLowerCase(Locale.ROOT).equals(own)) {
                throw ApiError.notFound("no tenant " + tenant);
            }
            tenant = own;
        }
        int limit = x.limit();
        List<AuditEntry> page = log.entries(tenant == null ? null : tenant.toLowerCase(Locale.ROOT), cursor(x), limit);
        x.page(page.stream().map(AuditResources::view).toList(), limit,
                page.isEmpty() ? null : Long.toString(page.get(page.size() - 1).id()));
    }

    private static Long cursor(Exchange x) throws ApiError {
        String cursor = x.query("cursor", 20);
        try {
            return cursor == null ? null : Long.valueOf(cursor);
        } catch (NumberFormatException e) {
            throw ApiError.badRequest("cursor", "not a cursor this API gave out");
        }
    }

    private static Map<String, Object> view(AuditEntry entry) {
        return ordered("id", entry.id(), "at", entry.at().toString(), "actor", entry.actor(), "tenant", entry.tenantDomain(),
                "action", entry.action(), "before", parsed(entry.before()), "after", parsed(entry.after()));
    }

    private static JsonNode parsed(String json) {
        if (json == null) {
            return null;
        }
        try {
            return Json.MAPPER.readTree(json);
        } catch (JsonProcessingException e) {
            return Json.MAPPER.getNodeFactory().textNode(json); // written by another adapter, not as JSON
        }
    }
}
