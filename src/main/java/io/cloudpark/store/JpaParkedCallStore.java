package io.cloudpark.store;

import java.time.Instant;
import java.util.List;
import java.util.Optional;

import javax.persistence.EntityManager;
import javax.persistence.LockModeType;
import javax.persistence.TypedQuery;

import io.cloudpark.park.EndedPark;
import io.cloudpark.park.HistoryQuery;
import io.cloudpark.park.ParkInfo;
import io.cloudpark.park.ParkStatus;
import io.cloudpark.park.ParkedCall;
import io.cloudpark.park.ParkedCallStore;
import io.cloudpark.park.Resolution;

/**
 * The concurrency rules live in the SQL: parks at one extension are serialised by a row lock on that extension,
 * every claim of a call is a conditional UPDATE/DELETE whose row count says who won.
 */
final class JpaParkedCallStore implements ParkedCallStore {
    private static final String PARKED_REASON = "parked";

    private final Transactions tx;

    JpaParkedCallStore(Transactions tx) {
        this.tx = tx;
    }

    @Override
    public boolean insertHolding(ParkedCall call, int maxPerExtension) {
        return tx.call(em -> {
            // concurrent parks at this extension wait here, so each one counts the calls the others stored
            em.createQuery("select e from ExtensionEntity e where e.tenantId = :tenant and e.number = :number",
                            ExtensionEntity.class)
                    .setParameter("tenant", call.tenantId())
                    .setParameter("number", call.extension())
                    .setLockMode(LockModeType.PESSIMISTIC_WRITE)
                    .getResultStream().findFirst()
                    .orElseThrow(() -> new IllegalArgumentException("no extension " + call.extension()
                            + " in tenant " + call.tenantId() + ": the caller must check it exists before parking"));
            long parked = em.createQuery("select count(c) from ParkedCallEntity c"
                            + " where c.call.tenantId = :tenant and c.call.extension = :extension", Long.class)
                    .setParameter("tenant", call.tenantId())
                    .setParameter("extension", call.extension())
                    .getSingleResult();
            if (parked >= maxPerExtension) {
                return false;
            }
            em.persist(new ParkedCallEntity(call.withStatus(ParkStatus.HOLDING)));
            return true;
        });
    }

    @Override
    public boolean transition(String id, ParkStatus from, ParkStatus to) {
        return tx.call(em -> changeStatus(em, id, from, to));
    }

    @Override
    public Optional<ParkInfo> markParked(String id, String parkedDialog) {
        return tx.call(em -> {
            int changed = em.createQuery("update ParkedCallEntity c set c.call.status = :to, c.parkedDialog = :dialog"
                            + " where c.id = :id and c.call.status = :from")
                    .setParameter("to", ParkStatus.PARKED)
                    .setParameter("dialog", parkedDialog)
                    .setParameter("id", id)
                    .setParameter("from", ParkStatus.HOLDING)
                    .executeUpdate();
            if (changed != 1) {
                return Optional.empty();
            }
            ParkedCallEntity call = em.find(ParkedCallEntity.class, id);
            return Optional.of(bumpVersion(em, call.tenantId(), call.extension(), PARKED_REASON, id));
        });
    }

    @Override
    public Optional<String> parkedDialog(String id) {
        return tx.call(em -> Optional.ofNullable(em.find(ParkedCallEntity.class, id)).map(ParkedCallEntity::parkedDialog));
    }

    @Override
    public boolean adopt(String id, String deadNode, String survivor) {
        return tx.call(em -> em.createQuery("update ParkedCallEntity c set c.call.status = :to, c.call.ownerNode = :survivor"
                        + " where c.id = :id and c.call.status = :from and c.call.ownerNode = :dead")
                .setParameter("to", ParkStatus.REPARKING)
                .setParameter("survivor", survivor)
                .setParameter("id", id)
                .setParameter("from", ParkStatus.PARKED)
                .setParameter("dead", deadNode)
                .executeUpdate() == 1);
    }

    @Override
    public Optional<ParkedCall> takeOver(String id, String owner, String parkedDialog) {
        return tx.call(em -> {
            int changed = em.createQuery("update ParkedCallEntity c set c.call.status = :to, c.call.ownerNode = :owner,"
                            + " c.parkedDialog = :dialog where c.id = :id and c.call.status = :from")
                    .setParameter("to", ParkStatus.PARKED)
                    .setParameter("owner", owner)
                    .setParameter("dialog", parkedDialog)
                    .setParameter("id", id)
                    .setParameter("from", ParkStatus.REPARKING)
                    .executeUpdate();
            if (changed != 1) {
                return Optional.empty();
            }
            em.clear(); // the bulk update bypassed the persistence context: read the row as stored
            return Optional.ofNullable(em.find(ParkedCallEntity.class, id)).map(ParkedCallEntity::toDomain);
        });
    }

    @Override
    public Optional<ParkInfo> end(String id, Resolution resolution, Instant endedAt, String endedBy) {
        return tx.call(em -> {
            // a concurrent end waits on this lock and then finds no row: exactly one end wins
            ParkedCallEntity row = em.find(ParkedCallEntity.class, id, LockModeType.PESSIMISTIC_WRITE);
            if (row == null) {
                return Optional.empty();
            }
            ParkedCall call = row.toDomain();
            em.remove(row);
            em.persist(new ParkHistoryEntity(new EndedPark(call, resolution, endedAt, endedBy)));
            em.flush();
            return Optional.of(bumpVersion(em, call.tenantId(), call.extension(), resolution.noticeReason(), id));
        });
    }

    @Override
    public ParkInfo snapshot(long tenantId, String extension, String reason) {
        return tx.call(em -> new ParkInfo(tenantId, extension, version(em, tenantId, extension), reason, null,
                callsAt(em, tenantId, extension)));
    }

    @Override
    public List<ParkedCall> parkedAt(long tenantId, String extension) {
        return tx.call(em -> callsAt(em, tenantId, extension));
    }

    @Override
    public List<ParkedCall> parkedInTenant(long tenantId) {
        return tx.call(em -> em.createQuery("select c from ParkedCallEntity c where c.call.tenantId = :tenant"
                        + " order by c.call.parkedAt, c.id", ParkedCallEntity.class)
                .setParameter("tenant", tenantId)
                .getResultStream().map(ParkedCallEntity::toDomain).toList());
    }

    @Override
    public Optional<ParkedCall> find(long tenantId, String id) {
        return tx.call(em -> em.createQuery("select c from ParkedCallEntity c where c.id = :id and c.call.tenantId = :tenant",
                        ParkedCallEntity.class)
                .setParameter("id", id)
                .setParameter("tenant", tenantId)
                .getResultStream().findFirst().map(ParkedCallEntity::toDomain));
    }

    @Override
    public List<ParkedCall> ownedBy(String nodeId) {
        return tx.call(em -> em.createQuery("select c from ParkedCallEntity c where c.call.ownerNode = :node"
                        + " order by c.call.parkedAt, c.id", ParkedCallEntity.class)
                .setParameter("node", nodeId)
                .getResultStream().map(ParkedCallEntity::toDomain).toList());
    }

    @Override
    public List<EndedPark> history(long tenantId, HistoryQuery query) {
        if (query.limit() <= 0) {
            return List.of();
        }
        StringBuilder where = new StringBuilder(" where h.call.tenantId = :tenant");
        if (query.extension() != null) {
            where.append(" and h.call.extension = :extension");
        }
        if (query.resolution() != null) {
            where.append(" and h.resolution = :resolution");
        }
        if (query.since() != null) {
            where.append(" and h.endedAt >= :since");
        }
        if (query.until() != null) {
            where.append(" and h.endedAt < :until");
        }
        if (query.after() != null) {
            // the same order as below: older, or as old and stored earlier
            where.append(" and (h.endedAt < :afterEnded or (h.endedAt = :afterEnded and h.id <"
                    + " (select max(p.id) from ParkHistoryEntity p where p.parkId = :afterPark)))");
        }
        return tx.call(em -> {
            TypedQuery<ParkHistoryEntity> select = em.createQuery("select h from ParkHistoryEntity h" + where
                            + " order by h.endedAt desc, h.id desc", ParkHistoryEntity.class)
                    .setParameter("tenant", tenantId)
                    .setMaxResults(query.limit());
            if (query.extension() != null) {
                select.setParameter("extension", query.extension());
            }
            if (query.resolution() != null) {
                select.setParameter("resolution", query.resolution());
            }
            if (query.since() != null) {
                select.setParameter("since", query.since());
            }
            if (query.until() != null) {
                select.setParameter("until", query.until());
            }
            if (query.after() != null) {
                select.setParameter("afterEnded", query.after().endedAt()).setParameter("afterPark", query.after().parkId());
            }
            return select.getResultStream().map(ParkHistoryEntity::toDomain).toList();
        });
    }

    /** The single conditional UPDATE that decides every race for a call: of concurrent claimants one sees a row. */
    private static boolean changeStatus(EntityManager em, String id, ParkStatus from, ParkStatus to) {
        return em.createQuery("update ParkedCallEntity c set c.call.status = :to where c.id = :id and c.call.status = :from")
                .setParameter("to", to)
                .setParameter("id", id)
                .setParameter("from", from)
                .executeUpdate() == 1;
    }

    /** Counts a change at the extension and reads back its state; the UPDATE's row lock keeps both consistent. */
    private static ParkInfo bumpVersion(EntityManager em, long tenantId, String extension, String reason,
                                        String parkId) {
        em.createQuery("update ExtensionEntity e set e.parkInfoVersion = e.parkInfoVersion + 1"
                        + " where e.tenantId = :tenant and e.number = :number")
                .setParameter("tenant", tenantId)
                .setParameter("number", extension)
                .executeUpdate();
        return new ParkInfo(tenantId, extension, version(em, tenantId, extension), reason, parkId,
                callsAt(em, tenantId, extension));
    }

    /** 0 for an extension that does not exist: nothing was ever parked there. */
    private static long version(EntityManager em, long tenantId, String extension) {
        return em.createQuery("select e.parkInfoVersion from ExtensionEntity e"
                        + " where e.tenantId = :tenant and e.number = :number", Long.class)
                .setParameter("tenant", tenantId)
                .setParameter("number", extension)
                .getResultStream().findFirst().orElse(0L);
    }

    private static List<ParkedCall> callsAt(EntityManager em, long tenantId, String extension) {
        return em.createQuery("select c from ParkedCallEntity c where c.call.tenantId = :tenant and c.call.extension = :extension"
                        + " order by c.call.parkedAt, c.id", ParkedCallEntity.class)
                .setParameter("tenant", tenantId)
                .setParameter("extension", extension)
                .getResultStream().map(ParkedCallEntity::toDomain).toList();
    }
}
