package io.cloudpark.store;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Clock;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

import org.junit.jupiter.api.Test;

import io.cloudpark.park.ParkingPolicy;
import io.cloudpark.tenant.Extension;
import io.cloudpark.tenant.ParkGroup;
import io.cloudpark.tenant.ParkInfoFormat;
import io.cloudpark.tenant.Tenant;
import io.cloudpark.tenant.TenantDirectory;

/** What strangers can do to the tenant cache: nothing to the tenants that exist, and no load storm. */
class CachedTenantDirectoryTest {
    private static final Tenant ACME = new Tenant(1, "acme.example", "Acme", ParkingPolicy.DEFAULT);

    @Test
    void aFloodOfUnknownDomainsDoesNotEvictAKnownTenant() {
        CountingStore store = new CountingStore(null);
        CachedTenantDirectory cache = new CachedTenantDirectory(store, Clock.systemUTC());
        assertEquals(Optional.of(ACME), cache.tenantByDomain(ACME.domain()));

        for (int i = 0; i < 3 * CachedTenantDirectory.MAX_FOUND; i++) {
            assertTrue(cache.tenantByDomain(UUID.randomUUID() + ".invalid").isEmpty());
        }

        assertEquals(Optional.of(ACME), cache.tenantByDomain(ACME.domain()));
        assertEquals(1, store.loads(ACME.domain()), "still in memory: never read again");
    }

    @Test
    void concurrentMissesOnAKnownTenantAreOneDatabaseRead() throws Exception {
        assertOneLoadFor(ACME.domain(), Optional.of(ACME));
    }

    @Test
    void concurrentMissesOnAnUnknownDomainAreOneDatabaseRead() throws Exception {
        assertOneLoadFor("nobody.invalid", Optional.empty());
    }

    /** Every caller asks while the first read is held in the database; the read is released once all are waiting. */
    private static void assertOneLoadFor(String domain, Optional<Tenant> expected) throws Exception {
        CountDownLatch release = new CountDownLatch(1);
        CountingStore store = new CountingStore(release);
        CachedTenantDirectory cache = new CachedTenantDirectory(store, Clock.systemUTC());
        int callers = 8;
        List<Thread> threads = new ArrayList<>();
        Map<Thread, Optional<Tenant>> answers = new ConcurrentHashMap<>();
        for (int i = 0; i < callers; i++) {
            Thread caller = new Thread(() -> answers.put(Thread.currentThread(), cache.tenantByDomain(domain)));
            threads.add(caller);
            caller.start();
        }
        awaitAllWaiting(threads); // in the held read, or waiting for it
        release.countDown();
        for (Thread caller : threads) {
            caller.join(TimeUnit.SECONDS.toMillis(10));
        }

        assertEquals(callers, answers.size());
        answers.values().forEach(answer -> assertEquals(expected, answer));
        assertEquals(1, store.loads(domain));
    }

    private static void awaitAllWaiting(List<Thread> threads) throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        while (!threads.stream().allMatch(t -> t.getState() == Thread.State.WAITING
                || t.getState() == Thread.State.BLOCKED || t.getState() == Thread.State.TIMED_WAITING)) {
            assertTrue(System.nanoTime() < deadline, "the callers never blocked");
            Thread.onSpinWait();
        }
    }

    /** A directory holding ACME only, counting its reads; each read first waits for {@code release}, if given. */
    private static final class CountingStore implements TenantDirectory {
        private final CountDownLatch release;
        private final Map<String, AtomicInteger> loads = new ConcurrentHashMap<>();

        CountingStore(CountDownLatch release) {
            this.release = release;
        }

        int loads(String domain) {
            AtomicInteger count = loads.get(domain);
            return count == null ? 0 : count.get();
        }

        @Override
        public Optional<Tenant> tenantByDomain(String domain) {
            loads.computeIfAbsent(domain, d -> new AtomicInteger()).incrementAndGet();
            if (release != null) {
                try {
                    assertTrue(release.await(10, TimeUnit.SECONDS));
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
            }
            return ACME.domain().equals(domain) ? Optional.of(ACME) : Optional.empty();
        }

        @Override
        public Optional<Tenant> tenantById(long id) {
            throw new UnsupportedOperationException();
        }

        @Override
        public Tenant createTenant(String domain, String name) {
            throw new UnsupportedOperationException();
        }

        @Override
        public long countTenants() {
            throw new UnsupportedOperationException();
        }

        @Override
        public List<Tenant> tenants(String search, String afterDomain, int limit) {
            throw new UnsupportedOperationException();
        }

        @Override
        public Optional<Tenant> rename(String domain, String name) {
            throw new UnsupportedOperationException();
        }

        @Override
        public boolean deleteTenant(long tenantId) {
            throw new UnsupportedOperationException();
        }

        @Override
        public Optional<Tenant> updatePolicy(String domain, ParkingPolicy policy) {
            throw new UnsupportedOperationException();
        }

        @Override
        public boolean deleteExtension(long tenantId, String number) {
            throw new UnsupportedOperationException();
        }

        @Override
        public Optional<ParkGroup> replaceParkGroup(long tenantId, String name, List<String> members) {
            throw new UnsupportedOperationException();
        }

        @Override
        public boolean deleteParkGroup(long tenantId, String name) {
            throw new UnsupportedOperationException();
        }

        @Override
        public Optional<Extension> extension(long tenantId, String number) {
            throw new UnsupportedOperationException();
        }

        @Override
        public PutResult putExtension(long tenantId, String number, String displayName, String ha1, ParkInfoFormat format) {
            throw new UnsupportedOperationException();
        }

        @Override
        public List<Extension> extensions(long tenantId) {
            throw new UnsupportedOperationException();
        }

        @Override
        public ParkGroup createParkGroup(long tenantId, String name, List<String> members) {
            throw new UnsupportedOperationException();
        }

        @Override
        public List<ParkGroup> parkGroups(long tenantId) {
            throw new UnsupportedOperationException();
        }

        @Override
        public Optional<ParkGroup> parkGroupOf(long tenantId, String extension) {
            throw new UnsupportedOperationException();
        }
    }
}
