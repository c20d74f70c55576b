package io.cloudpark.store;

import java.time.Instant;
import java.util.List;
import java.util.Optional;

import javax.persistence.EntityManager;
import javax.persistence.LockModeType;

import io.cloudpark.events.Webhook;
import io.cloudpark.events.WebhookStore;

/** The lease and the cursor are read and changed under the webhook's row lock: one node, one step at a time. */
final class JpaWebhookStore implements WebhookStore {
    private final Transactions tx;

    JpaWebhookStore(Transactions tx) {
        this.tx = tx;
    }

    @Override
    public Webhook create(long tenantId, String url, String secret, List<String> eventTypes, boolean enabled, Instant now,
                          long startAfter) {
        return tx.call(em -> {
            WebhookEntity row = new WebhookEntity(tenantId, url, secret, eventTypes, enabled, now, startAfter);
            em.persist(row);
            em.flush();
            return row.toDomain();
        });
    }

    @Override
    public List<Webhook> list(long tenantId) {
        return tx.call(em -> em.createQuery("select w from WebhookEntity w where w.tenantId = :tenant order by w.id",
                        WebhookEntity.class)
                .setParameter("tenant", tenantId).getResultStream().map(WebhookEntity::toDomain).toList());
    }

    @Override
    public Optional<Webhook> find(long tenantId, long id) {
        return tx.call(em -> owned(em, tenantId, id, LockModeType.NONE).map(WebhookEntity::toDomain));
    }

    @Override
    public long count(long tenantId) {
        return tx.call(em -> em.createQuery("select count(w) from WebhookEntity w where w.tenantId = :tenant", Long.class)
                .setParameter("tenant", tenantId).getSingleResult());
    }

    @Override
    public Optional<Webhook> update(long tenantId, long id, String url, String secret, List<String> eventTypes,
                                    boolean enabled) {
        return tx.call(em -> owned(em, tenantId, id, LockModeType.PESSIMISTIC_WRITE).map(row -> {
            row.change(url, secret, eventTypes, enabled);
            return row.toDomain();
        }));
    }

    @Override
    public boolean delete(long tenantId, long id) {
        return tx.call(em -> owned(em, tenantId, id, LockModeType.PESSIMISTIC_WRITE).map(row -> {
            em.remove(row);
            return true;
        }).orElse(false));
    }

    private static Optional<WebhookEntity> owned(EntityManager em, long tenantId, long id, LockModeType lock) {
        WebhookEntity row = em.find(WebhookEntity.class, id, lock);
        return row == null || row.tenantId() != tenantId ? Optional.empty() : Optional.of(row);
    }

    @Override
    public List<Webhook> enabled() {
        return tx.call(em -> em.createQuery("select w from WebhookEntity w where w.enabled = true order by w.id",
                WebhookEntity.class).getResultStream().map(WebhookEntity::toDomain).toList());
    }

    @Override
    public boolean lease(long id, String node, Instant now, Instant until, Webhook.Delivery seen) {
        return tx.call(em -> {
            WebhookEntity row = em.find(WebhookEntity.class, id, LockModeType.PESSIMISTIC_WRITE);
            return row != null && row.deliveredThrough() == seen.deliveredThrough() && row.attempts() == seen.attempts()
                    && row.lease(node, now, until);
        });
    }

    @Override
    public boolean progress(long id, String node, long expectedThrough, Webhook.Delivery delivery) {
        return tx.call(em -> {
            WebhookEntity row = em.find(WebhookEntity.class, id, LockModeType.PESSIMISTIC_WRITE);
            if (row == null || !row.leasedTo(node) || row.deliveredThrough() != expectedThrough) {
                return false;
            }
            row.progress(delivery);
            return true;
        });
    }
}
