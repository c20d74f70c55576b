package io.cloudpark.audit;

import java.time.Instant;
import java.util.List;

/** Where the audit log is kept: appended to, never changed. Methods may throw {@code StoreUnavailableException}. */
public interface AuditStore {

    void append(Instant at, String actor, String tenantDomain, String action, String before, String after);

    /** Newest first, older than entry {@code beforeId} (null: from the newest), of one tenant unless null. */
    List<AuditEntry> entries(String tenantDomain, Long beforeId, int limit);
}
