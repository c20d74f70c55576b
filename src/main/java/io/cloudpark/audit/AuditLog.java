package io.cloudpark.audit;

import java.time.Clock;
import java.util.List;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;

/**
 * Who changed what, for every adapter that changes things (the admin API, JMX): each records its changes here under
 * its own actor name. {@code before} and {@code after} are plain values (maps, lists, strings, numbers) stored as
 * JSON; they must never hold a password, a hash or a token.
 */
public final class AuditLog {
    private static final ObjectMapper JSON = new ObjectMapper();

    private final AuditStore store;
    private final Clock clock;

    public AuditLog(AuditStore store, Clock clock) {
        this.store = store;
        this.clock = clock;
    }

    /**
     * @param actor        who: an account name, or an adapter's own name such as {@code jmx}
     * @param tenantDomain the tenant changed; null for changes that belong to no tenant
     * @param action       what, as {@code thing.verb}: {@code tenant.create}, {@code extension.delete}, …
     */
    public void record(String actor, String tenantDomain, String action, Object before, Object after) {
        store.append(clock.instant(), actor, tenantDomain, action, json(before), json(after));
    }

    public List<AuditEntry> entries(String tenantDomain, Long beforeId, int limit) {
        return store.entries(tenantDomain, beforeId, limit);
    }

    private static String json(Object value) {
        if (value == null) {
            return null;
        }
        try {
            return JSON.writeValueAsString(value);
        } catch (JsonProcessingException e) {
            throw new IllegalArgumentException("not a plain value: " + value.getClass().getName(), e);
        }
    }
}
