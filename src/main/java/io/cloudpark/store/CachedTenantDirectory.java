package io.cloudpark.store;

import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import java.util.function.Function;

import com.github.benmanes.caffeine.cache.Cache;
import com.github.benmanes.caffeine.cache.Caffeine;
import com.github.benmanes.caffeine.cache.Ticker;

import io.cloudpark.park.ParkingPolicy;
import io.cloudpark.tenant.Extension;
import io.cloudpark.tenant.ParkGroup;
import io.cloudpark.tenant.ParkInfoFormat;
import io.cloudpark.tenant.Tenant;
import io.cloudpark.tenant.TenantDirectory;

/**
 * Tenants, extensions and park groups are read on every SIP request and change only through the admin API, so the
 * reads are kept in memory (Caffeine). A write through this directory drops what it changes at once; what another node
 * changed is seen after {@link #TTL} at the latest, and what another node created after {@link #ABSENT_TTL}.
 * <p>
 * Anyone can make a lookup miss (a REGISTER to a made-up domain needs no credentials), so what was not found is kept
 * apart, in a smaller cache of its own: a flood of unknown names churns only that one, never the tenants that exist.
 * Concurrent misses on one name wait for one database read.
 */
final class CachedTenantDirectory implements TenantDirectory {
    /** Long enough that a tenant's next call finds it in memory at 1,000 tenants and 50 calls/s. */
    static final Duration TTL = Duration.ofSeconds(30);
    /** A domain or extension not found: a tenant just created on another node must not wait long. */
    static final Duration ABSENT_TTL = Duration.ofSeconds(5);
    /** Entries found, per kind: every tenant, extension and group of a large deployment fits. */
    static final int MAX_FOUND = 200_000;
    /** Names not found, per kind: bounded well below the found ones, as strangers choose them. */
    static final int MAX_ABSENT = 10_000;

    private final TenantDirectory store;
    private final Lookup<String, Tenant> tenantsByDomain;
    private final Lookup<Long, Tenant> tenantsById;
    private final Lookup<String, Extension> extensions;
    private final Lookup<String, ParkGroup> groupsOfExtensions;

    CachedTenantDirectory(TenantDirectory store, Clock clock) {
        this.store = store;
        Ticker ticker = () -> TimeUnit.MILLISECONDS.toNanos(clock.millis());
        this.tenantsByDomain = new Lookup<>(ticker);
        this.tenantsById = new Lookup<>(ticker);
        this.extensions = new Lookup<>(ticker);
        this.groupsOfExtensions = new Lookup<>(ticker);
    }

    /** One kind of lookup: what was found, and apart from it what was not. */
    private static final class Lookup<K, V> {
        private static final Boolean ABSENT = Boolean.TRUE;
        private final Cache<K, V> found;
        private final Cache<K, Boolean> absent;

        Lookup(Ticker ticker) {
            // evictions run on the caller's thread: no background pool in the container, and tests see them at once
            found = Caffeine.newBuilder().ticker(ticker).executor(Runnable::run)
                    .expireAfterWrite(TTL).maximumSize(MAX_FOUND).build();
            absent = Caffeine.newBuilder().ticker(ticker).executor(Runnable::run)
                    .expireAfterWrite(ABSENT_TTL).maximumSize(MAX_ABSENT).build();
        }

        Optional<V> get(K key, Function<K, Optional<V>> load) {
            if (absent.getIfPresent(key) != null) {
                return Optional.empty();
            }
            // the other callers missing on this key wait for this load; if it finds nothing, they find the absent
            // entry it left, instead of loading again
            return Optional.ofNullable(found.get(key, k -> {
                if (absent.getIfPresent(k) != null) {
                    return null;
                }
                Optional<V> loaded = load.apply(k);
                if (loaded.isEmpty()) {
                    absent.put(k, ABSENT);
                }
                return loaded.orElse(null);
            }));
        }

        void forget(K key) {
            found.invalidate(key);
            absent.invalidate(key);
        }

        void clear() {
            found.invalidateAll();
            absent.invalidateAll();
        }
    }

    private static String extensionKey(long tenantId, String number) {
        return tenantId + "/" + number;
    }

    @Override
    public Optional<Tenant> tenantByDomain(String domain) {
        return tenantsByDomain.get(domain.toLowerCase(), key -> store.tenantByDomain(domain));
    }

    @Override
    public Optional<Tenant> tenantById(long id) {
        return tenantsById.get(id, key -> store.tenantById(id));
    }

    @Override
    public Tenant createTenant(String domain, String name) {
        Tenant created = store.createTenant(domain, name);
        tenantsByDomain.forget(created.domain());
        return created;
    }

    @Override
    public long countTenants() {
        return store.countTenants();
    }

    @Override
    public List<Tenant> tenants(String search, String afterDomain, int limit) {
        return store.tenants(search, afterDomain, limit);
    }

    @Override
    public Optional<Tenant> rename(String domain, String name) {
        Optional<Tenant> renamed = store.rename(domain, name);
        forgetTenant(domain, renamed);
        return renamed;
    }

    @Override
    public boolean deleteTenant(long tenantId) {
        boolean deleted = store.deleteTenant(tenantId);
        // rare: forgetting everything is simpler than finding the tenant's extension and group entries
        tenantsByDomain.clear();
        tenantsById.clear();
        extensions.clear();
        groupsOfExtensions.clear();
        return deleted;
    }

    private void forgetTenant(String domain, Optional<Tenant> tenant) {
        tenantsByDomain.forget(domain.toLowerCase());
        tenant.ifPresent(t -> tenantsById.forget(t.id()));
    }

    @Override
    public Optional<Tenant> updatePolicy(String domain, ParkingPolicy policy) {
        Optional<Tenant> updated = store.updatePolicy(domain, policy);
        forgetTenant(domain, updated);
        return updated;
    }

    @Override
    public Optional<Extension> extension(long tenantId, String number) {
        return extensions.get(extensionKey(tenantId, number), key -> store.extension(tenantId, number));
    }

    @Override
    public PutResult putExtension(long tenantId, String number, String displayName, String ha1, ParkInfoFormat format) {
        PutResult result = store.putExtension(tenantId, number, displayName, ha1, format);
        extensions.forget(extensionKey(tenantId, number));
        return result;
    }

    @Override
    public List<Extension> extensions(long tenantId) {
        return store.extensions(tenantId);
    }

    @Override
    public ParkGroup createParkGroup(long tenantId, String name, List<String> members) {
        ParkGroup group = store.createParkGroup(tenantId, name, members);
        members.forEach(member -> groupsOfExtensions.forget(extensionKey(tenantId, member)));
        return group;
    }

    @Override
    public boolean deleteExtension(long tenantId, String number) {
        boolean deleted = store.deleteExtension(tenantId, number);
        extensions.forget(extensionKey(tenantId, number));
        return deleted;
    }

    @Override
    public Optional<ParkGroup> replaceParkGroup(long tenantId, String name, List<String> members) {
        Optional<ParkGroup> replaced = store.replaceParkGroup(tenantId, name, members);
        groupsOfExtensions.clear(); // the old members are not known here
        return replaced;
    }

    @Override
    public boolean deleteParkGroup(long tenantId, String name) {
        boolean deleted = store.deleteParkGroup(tenantId, name);
        groupsOfExtensions.clear();
        return deleted;
    }

    @Override
    public List<ParkGroup> parkGroups(long tenantId) {
        return store.parkGroups(tenantId);
    }

    @Override
    public Optional<ParkGroup> parkGroupOf(long tenantId, String extension) {
        return groupsOfExtensions.get(extensionKey(tenantId, extension), key -> store.parkGroupOf(tenantId, extension));
    }
}
