package io.cloudpark.store;

import java.util.List;
import java.util.Locale;
import java.util.Optional;

import javax.persistence.EntityManager;

import io.cloudpark.park.ParkingPolicy;
import io.cloudpark.store.Transactions.DuplicateKeyException;
import io.cloudpark.tenant.Extension;
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
    public PutResult putExtension(long tenantId, String number, String displayName, String ha1) {
        try {
            return tx.call(em -> put(em, tenantId, number, displayName, ha1));
        } catch (DuplicateKeyException createdConcurrently) {
            // the other put committed first: this one is now an update
            return tx.call(em -> put(em, tenantId, number, displayName, ha1));
        }
    }

    @Override
    public List<Extension> extensions(long tenantId) {
        return tx.call(em -> em.createQuery(
                        "select e from ExtensionEntity e where e.tenantId = :tenant order by e.number", ExtensionEntity.class)
                .setParameter("tenant", tenantId)
                .getResultStream().map(ExtensionEntity::toDomain).toList());
    }

    private static PutResult put(EntityManager em, long tenantId, String number, String displayName, String ha1) {
        Optional<ExtensionEntity> existing = findExtension(em, tenantId, number);
        if (existing.isPresent()) {
            existing.get().update(displayName, ha1);
            return new PutResult(existing.get().toDomain(), false);
        }
        ExtensionEntity created = new ExtensionEntity(tenantId, number, displayName, ha1);
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
