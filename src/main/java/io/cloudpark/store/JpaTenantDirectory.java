package io.cloudpark.store;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Optional;

import javax.persistence.EntityManager;
import javax.persistence.LockModeType;
import javax.persistence.TypedQuery;

import io.cloudpark.park.ParkingPolicy;
import io.cloudpark.store.Transactions.DuplicateKeyException;
import io.cloudpark.tenant.Extension;
import io.cloudpark.tenant.InUseException;
import io.cloudpark.tenant.ParkGroup;
import io.cloudpark.tenant.ParkGroupConflictException;
import io.cloudpark.tenant.ParkInfoFormat;
import io.cloudpark.tenant.Tenant;
import io.cloudpark.tenant.TenantDirectory;
import io.cloudpark.tenant.TenantExistsException;

/** Domains are kept in lower case: SIP hosts are case-insensitive, so ACME.example is the tenant acme.example. */
final class JpaTenantDirectory implements TenantDirectory {
    private final Transactions tx;

    JpaTenantDirectory(Transactions tx) {
        this.tx = tx;
    }

    @Override
    public Optional<Tenant> tenantByDomain(String domain) {
        return tx.call(em -> findTenant(em, domain).map(TenantEntity::toDomain));
    }

    @Override
    public Optional<Tenant> tenantById(long id) {
        return tx.call(em -> Optional.ofNullable(em.find(TenantEntity.class, id)).map(TenantEntity::toDomain));
    }

    @Override
    public Tenant createTenant(String domain, String name) {
        String key = normalize(domain);
        try {
            return tx.call(em -> {
                if (findTenant(em, key).isPresent()) {
                    throw new TenantExistsException(key);
                }
                TenantEntity tenant = new TenantEntity(key, name, ParkingPolicy.DEFAULT);
                em.persist(tenant);
                return tenant.toDomain();
            });
        } catch (DuplicateKeyException createdConcurrently) {
            throw new TenantExistsException(key);
        }
    }

    @Override
    public long countTenants() {
        return tx.call(em -> em.createQuery("select count(t) from TenantEntity t", Long.class).getSingleResult());
    }

    @Override
    public List<Tenant> tenants(String search, String afterDomain, int limit) {
        return tx.call(em -> {
            String where = " where t.domain > :after"
                    + (search == null ? "" : " and (t.domain like :search escape '!' or lower(t.name) like :search escape '!')");
            TypedQuery<TenantEntity> query = em.createQuery("select t from TenantEntity t" + where + " order by t.domain",
                            TenantEntity.class)
                    .setParameter("after", afterDomain == null ? "" : normalize(afterDomain))
                    .setMaxResults(limit);
            if (search != null) {
                query.setParameter("search", "%" + likeEscaped(search.toLowerCase(Locale.ROOT)) + "%");
            }
            return query.getResultStream().map(TenantEntity::toDomain).toList();
        });
    }

    /** LIKE's wildcards in a search text match only themselves. */
    private static String likeEscaped(String text) {
        return text.replace("!", "!!").replace("%", "!%").replace("_", "!_");
    }

    @Override
    public Optional<Tenant> rename(String domain, String name) {
        return tx.call(em -> findTenant(em, domain).map(tenant -> {
            tenant.setName(name);
            return tenant.toDomain();
        }));
    }

    @Override
    public boolean deleteTenant(long tenantId) {
        return tx.call(em -> {
            TenantEntity tenant = em.find(TenantEntity.class, tenantId, LockModeType.PESSIMISTIC_WRITE);
            if (tenant == null) {
                return false;
            }
            // a park locks its extension's row first: with all of them locked, the count below stays true
            em.createQuery("select e from ExtensionEntity e where e.tenantId = :tenant", ExtensionEntity.class)
                    .setParameter("tenant", tenantId).setLockMode(LockModeType.PESSIMISTIC_WRITE).getResultList();
            long parked = em.createQuery("select count(c) from ParkedCallEntity c where c.call.tenantId = :tenant",
                    Long.class).setParameter("tenant", tenantId).getSingleResult();
            if (parked > 0) {
                throw new InUseException(parked + " calls are parked in " + tenant.toDomain().domain());
            }
            // park groups take their members along, extensions their registrations (ON DELETE CASCADE)
            for (String entity : List.of("ParkGroupEntity g where g.tenantId", "ParkHistoryEntity g where g.call.tenantId",
                    "ExtensionEntity g where g.tenantId")) {
                em.createQuery("delete from " + entity + " = :tenant").setParameter("tenant", tenantId).executeUpdate();
            }
            em.remove(tenant);
            return true;
        });
    }

    @Override
    public Optional<Tenant> updatePolicy(String domain, ParkingPolicy policy) {
        return tx.call(em -> findTenant(em, domain).map(tenant -> {
            tenant.setPolicy(policy);
            return tenant.toDomain();
        }));
    }

    @Override
    public Optional<Extension> extension(long tenantId, String number) {
        return tx.call(em -> findExtension(em, tenantId, number).map(ExtensionEntity::toDomain));
    }

    @Override
    public PutResult putExtension(long tenantId, String number, String displayName, String ha1, ParkInfoFormat format) {
        try {
            return tx.call(em -> put(em, tenantId, number, displayName, ha1, format));
        } catch (DuplicateKeyException createdConcurrently) {
            // the other put committed first: this one is now an update
            return tx.call(em -> put(em, tenantId, number, displayName, ha1, format));
        }
    }

    @Override
    public ParkGroup createParkGroup(long tenantId, String name, List<String> members) {
        try {
            return tx.call(em -> {
                if (findGroup(em, tenantId, name).isPresent()) {
                    throw new ParkGroupConflictException("park group " + name + " exists");
                }
                ParkGroupEntity group = new ParkGroupEntity(tenantId, name);
                // the members are checked before the group is stored: a missing one must not leave an empty group
                for (String member : members) {
                    findExtension(em, tenantId, member).orElseThrow(() -> new IllegalArgumentException("no extension " + member));
                }
                em.persist(group);
                addMembers(em, group, members);
                return new ParkGroup(group.id(), tenantId, name, members);
            });
        } catch (DuplicateKeyException createdConcurrently) {
            throw new ParkGroupConflictException("park group " + name + " or one of its members was taken meanwhile");
        }
    }

    @Override
    public Optional<ParkGroup> replaceParkGroup(long tenantId, String name, List<String> members) {
        try {
            return tx.call(em -> findGroup(em, tenantId, name).map(group -> {
                em.createQuery("delete from ParkGroupMemberEntity m where m.groupId = :group")
                        .setParameter("group", group.id()).executeUpdate();
                addMembers(em, group, members);
                return new ParkGroup(group.id(), tenantId, name, members);
            }));
        } catch (DuplicateKeyException takenConcurrently) {
            throw new ParkGroupConflictException("a member of park group " + name + " was taken meanwhile");
        }
    }

    @Override
    public boolean deleteParkGroup(long tenantId, String name) {
        return tx.call(em -> findGroup(em, tenantId, name).map(group -> {
            em.remove(group);
            return true;
        }).orElse(false));
    }

    private static Optional<ParkGroupEntity> findGroup(EntityManager em, long tenantId, String name) {
        return em.createQuery("select g from ParkGroupEntity g where g.tenantId = :tenant and g.name = :name",
                        ParkGroupEntity.class)
                .setParameter("tenant", tenantId).setParameter("name", name).getResultStream().findFirst();
    }

    /** Members in order; each must exist and be in no other group. */
    private static void addMembers(EntityManager em, ParkGroupEntity group, List<String> members) {
        List<ExtensionEntity> extensions = new ArrayList<>();
        for (String member : members) {
            ExtensionEntity extension = findExtension(em, group.tenantId(), member)
                    .orElseThrow(() -> new IllegalArgumentException("no extension " + member));
            groupOf(em, group.tenantId(), member).ifPresent(other -> {
                throw new ParkGroupConflictException("extension " + member + " is in park group " + other.name());
            });
            extensions.add(extension);
        }
        em.flush();
        for (int i = 0; i < extensions.size(); i++) {
            em.persist(new ParkGroupMemberEntity(group.id(), i, extensions.get(i).id()));
        }
    }

    @Override
    public List<ParkGroup> parkGroups(long tenantId) {
        return tx.call(em -> em.createQuery("select g from ParkGroupEntity g where g.tenantId = :tenant order by g.name",
                        ParkGroupEntity.class)
                .setParameter("tenant", tenantId)
                .getResultStream().map(g -> toDomain(em, g)).toList());
    }

    @Override
    public Optional<ParkGroup> parkGroupOf(long tenantId, String extension) {
        return tx.call(em -> groupOf(em, tenantId, extension).map(g -> toDomain(em, g)));
    }

    private static Optional<ParkGroupEntity> groupOf(EntityManager em, long tenantId, String extension) {
        return em.createQuery("select g from ParkGroupEntity g, ParkGroupMemberEntity m, ExtensionEntity e"
                        + " where m.groupId = g.id and m.extensionId = e.id"
                        + " and e.tenantId = :tenant and e.number = :number", ParkGroupEntity.class)
                .setParameter("tenant", tenantId)
                .setParameter("number", extension)
                .getResultStream().findFirst();
    }

    private static ParkGroup toDomain(EntityManager em, ParkGroupEntity group) {
        List<String> members = em.createQuery("select e.number from ParkGroupMemberEntity m, ExtensionEntity e"
                        + " where m.groupId = :group and m.extensionId = e.id order by m.position", String.class)
                .setParameter("group", group.id())
                .getResultList();
        return new ParkGroup(group.id(), group.tenantId(), group.name(), members);
    }

    @Override
    public List<Extension> extensions(long tenantId) {
        return tx.call(em -> em.createQuery(
                        "select e from ExtensionEntity e where e.tenantId = :tenant order by e.number", ExtensionEntity.class)
                .setParameter("tenant", tenantId)
                .getResultStream().map(ExtensionEntity::toDomain).toList());
    }

    @Override
    public boolean deleteExtension(long tenantId, String number) {
        return tx.call(em -> {
            // the lock a park takes first: no call can be parked here between the count and the delete
            Optional<ExtensionEntity> extension = em.createQuery(
                            "select e from ExtensionEntity e where e.tenantId = :tenant and e.number = :number",
                            ExtensionEntity.class)
                    .setParameter("tenant", tenantId).setParameter("number", number)
                    .setLockMode(LockModeType.PESSIMISTIC_WRITE).getResultStream().findFirst();
            if (extension.isEmpty()) {
                return false;
            }
            long parked = em.createQuery("select count(c) from ParkedCallEntity c"
                            + " where c.call.tenantId = :tenant and c.call.extension = :number", Long.class)
                    .setParameter("tenant", tenantId).setParameter("number", number).getSingleResult();
            if (parked > 0) {
                throw new InUseException(parked + " calls are parked at " + number);
            }
            Optional<ParkGroupEntity> group = groupOf(em, tenantId, number);
            if (group.isPresent()) {
                throw new InUseException(number + " is a member of park group " + group.get().name());
            }
            em.remove(extension.get()); // its registrations go with it (ON DELETE CASCADE)
            return true;
        });
    }

    private static PutResult put(EntityManager em, long tenantId, String number, String displayName, String ha1,
                                 ParkInfoFormat format) {
        Optional<ExtensionEntity> existing = findExtension(em, tenantId, number);
        if (existing.isPresent()) {
            existing.get().update(displayName, ha1, format);
            return new PutResult(existing.get().toDomain(), false);
        }
        ExtensionEntity created = new ExtensionEntity(tenantId, number, displayName, ha1, format);
        em.persist(created);
        return new PutResult(created.toDomain(), true);
    }

    private static Optional<TenantEntity> findTenant(EntityManager em, String domain) {
        return em.createQuery("select t from TenantEntity t where t.domain = :domain", TenantEntity.class)
                .setParameter("domain", normalize(domain))
                .getResultStream().findFirst();
    }

    private static Optional<ExtensionEntity> findExtension(EntityManager em, long tenantId, String number) {
        return em.createQuery("select e from ExtensionEntity e where e.tenantId = :tenant and e.number = :number",
                        ExtensionEntity.class)
                .setParameter("tenant", tenantId)
                .setParameter("number", number)
                .getResultStream().findFirst();
    }

    private static String normalize(String domain) {
        return domain.toLowerCase(Locale.ROOT);
    }
}
