package io.cloudpark.store;

import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

import javax.persistence.EntityManager;

import io.cloudpark.park.EndedPark;
import io.cloudpark.park.ParkEvent;
import io.cloudpark.park.ParkEventStore;
import io.cloudpark.park.ParkStatus;
import io.cloudpark.park.ParkedCall;

final class JpaParkEventStore implements ParkEventStore {
    private final Transactions tx;

    JpaParkEventStore(Transactions tx) {
        this.tx = tx;
    }

    @Override
    public List<ParkEvent> append(List<ParkEvent.Occurrence> occurrences) {
        return tx.call(em -> {
            List<ParkEventEntity> rows = new ArrayList<>();
            for (ParkEvent.Occurrence occurrence : occurrences) {
                park(em, occurrence.parkId()).ifPresent(call -> {
                    // a park announced as parked was PARKED then, whatever it is by the time this is written
                    ParkedCall asItWas = occurrence.resolution() == null ? call.withStatus(ParkStatus.PARKED) : call;
                    ParkEventEntity row = new ParkEventEntity(occurrence.type(), asItWas, occurrence.at(),
                            occurrence.resolution(), occurrence.endedBy());
                    em.persist(row);
                    rows.add(row);
                });
            }
            em.flush();
            return rows.stream().map(ParkEventEntity::toDomain).toList();
        });
    }

    /** The park as the store has it: still parked, or in the history once ended. */
    private static Optional<ParkedCall> park(EntityManager em, String parkId) {
        ParkedCallEntity parked = em.find(ParkedCallEntity.class, parkId);
        if (parked != null) {
            return Optional.of(parked.toDomain());
        }
        return em.createQuery("select h from ParkHistoryEntity h where h.parkId = :id", ParkHistoryEntity.class)
                .setParameter("id", parkId).setMaxResults(1)
                .getResultStream().findFirst().map(ParkHistoryEntity::toDomain).map(EndedPark::call);
    }

    @Override
    public List<ParkEvent> after(long afterId, int limit) {
        return tx.call(em -> em.createQuery("select e from ParkEventEntity e where e.id > :after order by e.id",
                        ParkEventEntity.class)
                .setParameter("after", afterId).setMaxResults(limit)
                .getResultStream().map(ParkEventEntity::toDomain).toList());
    }

    @Override
    public List<ParkEvent> after(long tenantId, long afterId, long throughId, int limit) {
        return tx.call(em -> em.createQuery("select e from ParkEventEntity e where e.call.tenantId = :tenant"
                        + " and e.id > :after and e.id <= :through order by e.id", ParkEventEntity.class)
                .setParameter("tenant", tenantId).setParameter("after", afterId).setParameter("through", throughId)
                .setMaxResults(limit)
                .getResultStream().map(ParkEventEntity::toDomain).toList());
    }

    @Override
    public long lastId() {
        return tx.call(em -> em.createQuery("select coalesce(max(e.id), 0) from ParkEventEntity e", Long.class)
                .getSingleResult());
    }

    @Override
    public int prune(Instant before, int keep) {
        return tx.call(em -> {
            int deleted = em.createQuery("delete from ParkEventEntity e where e.occurredAt < :before")
                    .setParameter("before", before).executeUpdate();
            List<Long> oldestKept = em.createQuery("select e.id from ParkEventEntity e order by e.id desc", Long.class)
                    .setFirstResult(keep - 1).setMaxResults(1).getResultList();
            if (!oldestKept.isEmpty()) {
                deleted += em.createQuery("delete from ParkEventEntity e where e.id < :oldest")
                        .setParameter("oldest", oldestKept.get(0)).executeUpdate();
            }
            return deleted;
        });
    }
}
