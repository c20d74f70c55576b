package io.cloudpark.audit;

import java.time.Instant;

/**
 * One change, as recorded: who made it, when, to which tenant (null: none, e.g. an operator account), what
 * ({@code tenant.settings.update}, …), and the changed thing as JSON before and after (null where there was none).
 */
public record AuditEntry(long id, Instant at, String actor, String tenantDomain, String action, String before,
                         String after) {
}
