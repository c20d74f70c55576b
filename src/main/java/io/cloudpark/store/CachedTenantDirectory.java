package io.cloudpark.store;

import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Supplier;

import io.cloudpark.park.ParkingPolicy;
import io.cloudpark.tenant.Extension;
import io.cloudpark.tenant.ParkGroup;
import io.cloudpark.tenant.ParkInfoFormat;
import io.cloudpark.tenant.Tenant;
import io.cloudpark.tenant.TenantDirectory;

/**
 * Tenants, extensions and park groups are read on every SIP request and change only through the admin API, so the
 * reads are kept in memory. A write through this directory drops what it changes at once; what another node changed is
 * seen after {@link #TTL} at the latest, and what another node created after {@link #ABSENT_TTL}.
 */
final class CachedTenantDirectory implements TenantDirectory {
    /** Long enough that a tenant's next call finds it in memory at 1,000 tenants and 50 calls/s. */
    static final Duration TTL = Duration.ofSeconds(30);
    /** A domain or extension not found: a tenant just created on another node must not wait long. */
    static final Duration ABSENT_TTL = Duration.ofSeconds(5);
    /** Unknown domains are remembered too (requests for them are refused): a flood of them must not fill memory. */
    static final int MAX_ENTRIES = 100_000;

    private record Entry<T>(T value, long expiresAtMillis) { }

    private final TenantDirectory store;
    private final Clock clock;
    private final Map<String, Entry<Optional<Tenant>>> tenantsByDomain = new ConcurrentHashMap<>();
    private final Map<Long, Entry<Optional<Tenant>>> tenantsById = new ConcurrentHashMap<>();
    private final Map<String, Entry<Optional<Extension>>> extensions = new ConcurrentHashMap<>();
    private final Map<String, Entry<Optional<ParkGroup>>> groupsOfExtensions = new ConcurrentHashMap<>();

    CachedTenantDirectory(TenantDirectory store, Clock clock) {
        this.store = store;
        this.clock = clock;
    }

    private <K, T> T cached(Map<K, Entry<T>> cache, K key, Supplier<T> load) {
        long now = clock.millis();
        Entry<T> entry = cache.get(key);
        if (entry == null || entry.expiresAtMillis() <= now) {
            if (cache.size() >= MAX_ENTRIES) {
                cache.clear();
            }
            T value = load.get();
            Duration ttl = value instanceof Optional<?> found && found.isEmpty() ? ABSENT_TTL : TTL;
            entry = new Entry<>(value, now + ttl.toMillis());
            cache.put(key, entry);
        }
        return entry.value();
    }

    private static String extensionKey(long tenantId, String number) {
        return tenantId + "/" + number;
    }

    @Override
    public Optional<Tenant> tenantByDomain(String domain) {
        return cached(tenantsByDomain, domain.toLowerCase(), () -> store.tenantByDomain(domain));
    }

    @Override
    public Optional<Tenant> tenantById(long id) {
        return cached(tenantsById, id, () -> store.tenantById(id));
    }

    @Override
    public Tenant createTenant(String domain, String name) {
        Tenant created = store.createTenant(domain, name);
        tenantsByDomain.remove(created.domain());
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
        tenantsByDomain.remove(domain.toLowerCase());
        tenant.ifPresent(t -> tenantsById.remove(t.id()));
    }

    @Override
    public Optional<Tenant> updatePolicy(String domain, ParkingPolicy policy) {
        Optional<Tenant> updated = store.updatePolicy(domain, policy);
        forgetTenant(domain, updated);
        return updated;
    }

    @Override
    public Optional<Extension> extension(long tenantId, String number) {
        return cached(extensions, extensionKey(tenantId, number), () -> store.extension(tenantId, number));
    }

    @Override
    public PutResult putExtension(long tenantId, String number, String displayName, String ha1, ParkInfoFormat format) {
        PutResult result = store.putExtension(tenantId, number, displayName, ha1, format);
        extensions.remove(extensionKey(tenantId, number));
        return result;
    }

    @Override
    public List<Extension> extensions(long tenantId) {
        return store.extensions(tenantId);
    }

    @Override
    public ParkGroup createParkGroup(long tenantId, String name, List<String> members) {
        ParkGroup group = store.createParkGroup(tenantId, name, members);
        members.forEach(member -> groupsOfExtensions.remove(extensionKey(tenantId, member)));
        return group;
    }

    @Override
    public boolean deleteExtension(long tenantId, String number) {
        boolean deleted = store.deleteExtension(tenantId, number);
        extensions.remove(extensionKey(tenantId, number));
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
        return cached(groupsOfExtensions, extensionKey(tenantId, extension), () -> store.parkGroupOf(tenantId, extension));
    }
}
