package io.cloudpark.store;

import java.time.Instant;
import java.util.List;

import javax.persistence.TypedQuery;

import io.cloudpark.audit.AuditEntry;
import io.cloudpark.audit.AuditStore;

final class JpaAuditStore implements AuditStore {
    private final Transactions tx;

    JpaAuditStore(Transactions tx) {
        this.tx = tx;
    }

    @Override
    public void append(Instant at, String actor, String tenantDomain, String action, String before, String after) {
        tx.run(em -> em.persist(new AuditEntryEntity(at, actor, tenantDomain, action, before, after)));
    }

    @Override
    public List<AuditEntry> entries(String tenantDomain, Long beforeId, int limit) {
        return tx.call(em -> {
            TypedQuery<AuditEntryEntity> query = em.createQuery("select a from AuditEntryEntity a where a.id < :before"
                            + (tenantDomain == null ? "" : " and a.tenantDomain = :tenant") + " order by a.id desc",
                            AuditEntryEntity.class)
                    .setParameter("before", beforeId == null ? Long.MAX_VALUE : beforeId)
                    .setMaxResults(limit);
            if (tenantDomain != null) {
                query.setParameter("tenant", tenantDomain);
            }
            return query.getResultStream().map(AuditEntryEntity::toDomain).toList();
        });
    }
}
