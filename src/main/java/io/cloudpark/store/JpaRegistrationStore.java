package io.cloudpark.store;

import java.time.Instant;
import java.util.List;

import javax.persistence.EntityManager;

import io.cloudpark.store.Transactions.DuplicateKeyException;
import io.cloudpark.tenant.Binding;
import io.cloudpark.tenant.RegistrationStore;

final class JpaRegistrationStore implements RegistrationStore {
    private final Transactions tx;

    JpaRegistrationStore(Transactions tx) {
        this.tx = tx;
    }

    @Override
    public List<Binding> activeBindings(long extensionId, Instant now) {
        return tx.call(em -> em.createQuery("select r from RegistrationEntity r"
                                + " where r.extensionId = :extension and r.expiresAt > :now order by r.id",
                        RegistrationEntity.class)
                .setParameter("extension", extensionId)
                .setParameter("now", now)
                .getResultStream().map(RegistrationEntity::toDomain).toList());
    }

    @Override
    public void putBinding(long extensionId, Binding binding) {
        try {
            tx.run(em -> upsert(em, extensionId, binding));
        } catch (DuplicateKeyException insertedConcurrently) {
            // a device's retransmitted or parallel REGISTER inserted the row first: now it is an update
            tx.run(em -> upsert(em, extensionId, binding));
        }
    }

    @Override
    public void refuseParkInfo(long extensionId, String contactUri) {
        tx.run(em -> em.createQuery("update RegistrationEntity r set r.parkInfoRefused = true"
                        + " where r.extensionId = :extension and r.contactUri = :contact")
                .setParameter("extension", extensionId)
                .setParameter("contact", contactUri)
                .executeUpdate());
    }

    @Override
    public void removeBinding(long extensionId, String contactUri) {
        tx.run(em -> em.createQuery(
                        "delete from RegistrationEntity r where r.extensionId = :extension and r.contactUri = :contact")
                .setParameter("extension", extensionId)
                .setParameter("contact", contactUri)
                .executeUpdate());
    }

    @Override
    public void removeAll(long extensionId) {
        tx.run(em -> em.createQuery("delete from RegistrationEntity r where r.extensionId = :extension")
                .setParameter("extension", extensionId)
                .executeUpdate());
    }

    @Override
    public int purgeExpired(Instant now) {
        return tx.call(em -> em.createQuery("delete from RegistrationEntity r where r.expiresAt < :now")
                .setParameter("now", now)
                .executeUpdate());
    }

    private static void upsert(EntityManager em, long extensionId, Binding binding) {
        // a refresh (same Call-ID: the same device instance, RFC 3261 §10.2.4) keeps a park-info refusal; a new one
        // (the phone restarted, maybe upgraded) may take park-info again
        int updated = em.createQuery("update RegistrationEntity r"
                        + " set r.expiresAt = :expires, r.callId = :callId, r.cseq = :cseq, r.userAgent = :userAgent,"
                        + " r.parkInfoRefused = case when r.callId = :callId then r.parkInfoRefused else false end,"
                        + " r.path = :path"
                        + " where r.extensionId = :extension and r.contactUri = :contact")
                .setParameter("expires", binding.expiresAt())
                .setParameter("callId", binding.callId())
                .setParameter("cseq", binding.cseq())
                .setParameter("userAgent", binding.userAgent())
                .setParameter("path", RegistrationEntity.joined(binding.path()))
                .setParameter("extension", extensionId)
                .setParameter("contact", binding.contactUri())
                .executeUpdate();
        if (updated == 0) {
            em.persist(new RegistrationEntity(extensionId, binding));
        }
    }
}
