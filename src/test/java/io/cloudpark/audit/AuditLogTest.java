package io.cloudpark.audit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.Test;

/** The one call any adapter (the admin API, JMX) makes to record a change. */
class AuditLogTest {

    @Test
    void recordsTheActorsPlainValuesAsJsonAtTheClocksTime() {
        List<AuditEntry> stored = new ArrayList<>();
        AuditStore store = new AuditStore() {
            @Override
            public void append(Instant at, String actor, String tenantDomain, String action, String before, String after) {
                stored.add(new AuditEntry(stored.size() + 1, at, actor, tenantDomain, action, before, after));
            }

            @Override
            public List<AuditEntry> entries(String tenantDomain, Long beforeId, int limit) {
                return stored;
            }
        };
        Instant now = Instant.parse("2026-12-03T10:00:00Z");
        AuditLog log = new AuditLog(store, Clock.fixed(now, ZoneOffset.UTC));

        log.record("jmx", "acme.example", "settings.update", Map.of("parkTimeoutSeconds", 45), Map.of("parkTimeoutSeconds", 90));
        log.record("jmx", null, "node.drain", null, List.of("node-1"));

        assertEquals(new AuditEntry(1, now, "jmx", "acme.example", "settings.update", "{\"parkTimeoutSeconds\":45}",
                "{\"parkTimeoutSeconds\":90}"), stored.get(0));
        assertNull(stored.get(1).before());
        assertEquals("[\"node-1\"]", stored.get(1).after());
    }
}
