package io.cloudpark.store;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Optional;

import javax.persistence.EntityManager;

import io.cloudpark.park.ParkingPolicy;
import io.cloudpark.store.Transactions.DuplicateKeyException;
import io.cloudpark.tenant.Extension;
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
                if (!em.createQuery("select g from ParkGroupEntity g where g.tenantId = :tenant and g.name = :name",
                                ParkGroupEntity.class)
                        .setParameter("tenant", tenantId).setParameter("name", name).getResultList().isEmpty()) {
                    throw new ParkGroupConflictException("park group " + name + " exists");
                }
                List<ExtensionEntity> extensions = new ArrayList<>();
                for (String member : members) {
                    ExtensionEntity extension = findExtension(em, tenantId, member)
                            .orElseThrow(() -> new IllegalArgumentException("no extension " + member));
                    groupOf(em, tenantId, member).ifPresent(other -> {
                        throw new ParkGroupConflictException("extension " + member + " is in park group " + other.name());
                    });
                    extensions.add(extension);
                }
                ParkGroupEntity group = new ParkGroupEntity(tenantId, name);
                em.persist(group);
                em.flush();
                for (int i = 0; i < extensions.size(); i++) {
                    em.persist(new ParkGroupMemberEntity(group.id(), i, extensions.get(i).id()));
                }
                return new ParkGroup(group.id(), tenantId, name, members);
            });
        } catch (DuplicateKeyException createdConcurrently) {
            throw new ParkGroupConflictException("park group " + name + " or one of its members was taken meanwhile");
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
