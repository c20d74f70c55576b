package io.cloudpark.store;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Instant;
import java.time.LocalDateTime;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Optional;
import java.util.TimeZone;
import java.util.UUID;
import java.util.concurrent.CyclicBarrier;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.IntFunction;

import org.apache.log4j.AppenderSkeleton;
import org.apache.log4j.Level;
import org.apache.log4j.Logger;
import org.apache.log4j.spi.LoggingEvent;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;

import io.cloudpark.cluster.Node;
import io.cloudpark.cluster.NodeStore;
import io.cloudpark.park.EndedPark;
import io.cloudpark.park.HistoryQuery;
import io.cloudpark.park.ParkInfo;
import io.cloudpark.park.ParkStatus;
import io.cloudpark.park.ParkedCall;
import io.cloudpark.events.Webhook;
import io.cloudpark.events.WebhookStore;
import io.cloudpark.park.ParkEvent;
import io.cloudpark.park.ParkEventStore;
import io.cloudpark.park.ParkedCallStore;
import io.cloudpark.park.ParkingPolicy;
import io.cloudpark.park.RecallPolicy;
import io.cloudpark.park.Party;
import io.cloudpark.park.Resolution;
import io.cloudpark.park.StoreBusyException;
import io.cloudpark.park.StoreUnavailableException;
import io.cloudpark.tenant.Binding;
import io.cloudpark.tenant.Extension;
import io.cloudpark.tenant.ParkGroup;
import io.cloudpark.tenant.ParkGroupConflictException;
import io.cloudpark.tenant.ParkInfoFormat;
import io.cloudpark.tenant.RegistrationStore;
import io.cloudpark.tenant.Tenant;
import io.cloudpark.tenant.TenantDirectory;
import io.cloudpark.tenant.TenantDirectory.PutResult;
import io.cloudpark.tenant.TenantExistsException;

/**
 * What the stores promise, run against each supported database by a subclass. One database per class; every test
 * makes its own tenant, so tests do not see each other's rows.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
abstract class StoreContract {
    static final String PASSWORD = "pw-6f1c-never-logged";
    private static final Instant T0 = Instant.parse("2026-11-22T10:15:00Z");
    private static final AtomicInteger SEQUENCE = new AtomicInteger();

    private TimeZone originalZone;
    private String url;
    private Database db;
    private TenantDirectory tenants;
    private RegistrationStore registrations;
    private ParkedCallStore parks;

    /** Starts the database server, if the backend has one. */
    abstract void startBackend() throws Exception;

    abstract void stopBackend() throws Exception;

    /** The JDBC URL of a new, empty database called {@code name}. */
    abstract String createDatabase(String name) throws Exception;

    /** An outage: open connections to the database break and new ones are refused. */
    abstract void destroyDatabase(String name) throws Exception;

    abstract String user();

    /** SQL counting the sessions that now wait for a row lock another session holds. */
    abstract String sessionsWaitingForALock();

    @BeforeAll
    final void openDatabase() throws Exception {
        originalZone = TimeZone.getDefault();
        // a zone with DST gaps and overlaps: an instant passing through local wall-clock time would shift
        TimeZone.setDefault(TimeZone.getTimeZone("America/New_York"));
        startBackend();
        url = createDatabase("contract");
        db = Database.open(url, user(), PASSWORD);
        tenants = db.tenants();
        registrations = db.registrations();
        parks = db.parkedCalls();
    }

    @AfterAll
    final void closeDatabase() throws Exception {
        try {
            if (db != null) {
                db.close();
            }
            stopBackend();
        } finally {
            TimeZone.setDefault(originalZone);
        }
    }

    // ----- schema and database lifecycle

    @Test
    void migrationsRanOnceInOrderAndReopeningKeepsTheData() throws Exception {
        try (Connection c = rawConnection(); Statement s = c.createStatement();
             ResultSet r = s.executeQuery("select \"version\", \"success\" from \"flyway_schema_history\""
                     + " where \"version\" is not null order by \"installed_rank\"")) {
            for (String version : List.of("1", "2", "4", "5", "6", "7", "9")) {
                assertTrue(r.next());
                assertEquals(version, r.getString(1));
                assertTrue(r.getBoolean(2));
            }
            assertFalse(r.next());
        }
        Tenant tenant = newTenant();
        try (Database reopened = Database.open(url, user(), PASSWORD)) {
            assertEquals(Optional.of(tenant), reopened.tenants().tenantByDomain(tenant.domain()));
        }
    }

    @Test
    void isReachableWhileTheDatabaseIsUp() {
        assertTrue(db.isReachable());
    }

    @Test
    void storeUnavailableWhenTheDatabaseIsGone() throws Exception {
        String name = "outage";
        Database lost = Database.open(createDatabase(name), user(), PASSWORD);
        try {
            Tenant tenant = lost.tenants().createTenant("outage.example", "Outage");
            destroyDatabase(name);
            List<String> logged = logOf(() -> assertThrows(StoreUnavailableException.class,
                    () -> lost.tenants().tenantByDomain(tenant.domain())));
            assertTrue(logged.contains(CONNECTIONS_RETIRED), "a lost database: its connections may be dead");
            assertFalse(lost.isReachable());
        } finally {
            lost.close();
        }
    }

    @Test
    void storeUnavailableAfterClose() {
        Database closed = Database.open(url, user(), PASSWORD);
        closed.close();
        assertThrows(StoreUnavailableException.class, () -> closed.tenants().countTenants());
        assertThrows(StoreUnavailableException.class, () -> closed.registrations().purgeExpired(T0));
        assertThrows(StoreUnavailableException.class,
                () -> closed.parkedCalls().transition("x", ParkStatus.PARKED, ParkStatus.RETRIEVING));
        assertFalse(closed.isReachable());
    }

    @Test
    void passwordIsNeverLogged() {
        List<String> logged = logOf(() -> {
            try (Database again = Database.open(url, user(), PASSWORD)) {
                again.tenants().countTenants();
            }
        });
        assertFalse(logged.isEmpty(), "nothing captured: the check would prove nothing");
        logged.forEach(line -> assertFalse(String.valueOf(line).contains(PASSWORD), line));
    }

    @Test
    void aLockHeldTooLongIsBusyAndLeavesThePoolAlone() throws Exception {
        Tenant tenant = newTenant();
        newExtension(tenant, "103");
        List<String> logged;
        try (Connection otherPark = DriverManager.getConnection(url, user(), PASSWORD);
             PreparedStatement lock = otherPark.prepareStatement(
                     "select id from extension where tenant_id = ? and number = ? for update")) {
            otherPark.setAutoCommit(false);
            lock.setLong(1, tenant.id());
            lock.setString(2, "103");
            lock.executeQuery().close(); // holds the extension's row lock, as a park in progress does

            logged = logOf(() -> assertThrows(StoreBusyException.class,
                    () -> parks.insertHolding(call(tenant, "103", T0), 5), "a lock wait that timed out is contention"));
            otherPark.rollback();
        }
        assertFalse(logged.contains(CONNECTIONS_RETIRED), "the database answered: its connections are fine");
        assertTrue(parks.insertHolding(call(tenant, "103", T0), 5), "and once the lock is free the park goes in");
    }

    @Test
    void aSipThreadFindingEveryConnectionTakenIsToldBusyWithinTheTimeoutAndThePoolStays() throws Exception {
        assertTrue(Database.CONNECTION_TIMEOUT_MS < 500, "a SIP thread must answer before the phone retransmits (T1)");
        Tenant tenant = newTenant();
        newExtension(tenant, "103");
        ExecutorService parkers = Executors.newFixedThreadPool(Database.POOL_SIZE);
        List<String> logged;
        try (Connection otherPark = DriverManager.getConnection(url, user(), PASSWORD);
             PreparedStatement lock = otherPark.prepareStatement(
                     "select id from extension where tenant_id = ? and number = ? for update")) {
            otherPark.setAutoCommit(false);
            lock.setLong(1, tenant.id());
            lock.setString(2, "103");
            lock.executeQuery().close();
            // every pooled connection is taken by a park waiting for that lock
            List<Future<Boolean>> waiting = new ArrayList<>();
            for (int i = 0; i < Database.POOL_SIZE; i++) {
                waiting.add(parkers.submit(() -> parks.insertHolding(call(tenant, "103", T0), 100)));
            }
            try (Connection observer = DriverManager.getConnection(url, user(), PASSWORD);
                 Statement count = observer.createStatement()) {
                long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(4);
                int blocked = 0;
                while (blocked < Database.POOL_SIZE && System.nanoTime() < deadline) {
                    try (ResultSet row = count.executeQuery(sessionsWaitingForALock())) {
                        row.next();
                        blocked = row.getInt(1);
                    }
                }
                assertEquals(Database.POOL_SIZE, blocked, "every connection waits for the lock");
            }

            long started = System.nanoTime();
            logged = logOf(() -> assertThrows(StoreBusyException.class, () -> parks.parkedAt(tenant.id(), "103"),
                    "no connection free: busy, not down"));
            long waitedMs = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - started);
            assertTrue(waitedMs >= Database.CONNECTION_TIMEOUT_MS - 50, "it waited the timeout: " + waitedMs + " ms");
            assertTrue(waitedMs < 2_000, "not seconds, as before: " + waitedMs + " ms");
            otherPark.rollback();
            for (Future<Boolean> park : waiting) {
                assertTrue(park.get(10, TimeUnit.SECONDS), "the waiting parks go in once the lock is free");
            }
        } finally {
            parkers.shutdownNow();
        }
        assertFalse(logged.contains(CONNECTIONS_RETIRED), "a busy pool is not a lost database");
        assertEquals(Database.POOL_SIZE, parks.parkedAt(tenant.id(), "103").size());
    }

    @Test
    void aConstraintViolationIsNoOutage() {
        List<String> logged = logOf(() -> assertThrows(StoreUnavailableException.class,
                () -> registrations.putBinding(-1, new Binding("sip:1@192.0.2.1", T0, "c", 1, null)),
                "a binding of no extension breaks a foreign key"));
        assertFalse(logged.contains(CONNECTIONS_RETIRED), "the database answered: its connections are fine");
    }

    private static final String CONNECTIONS_RETIRED = "database operation failed: retiring the pooled connections";

    /** What cloudpark logs (down to DEBUG, with stack traces) while {@code work} runs. */
    private static List<String> logOf(Runnable work) {
        List<String> logged = Collections.synchronizedList(new ArrayList<>());
        AppenderSkeleton capture = new AppenderSkeleton() {
            @Override
            protected void append(LoggingEvent event) {
                logged.add(event.getRenderedMessage());
                String[] trace = event.getThrowableStrRep();
                if (trace != null) {
                    logged.addAll(List.of(trace));
                }
            }

            @Override
            public void close() {
            }

            @Override
            public boolean requiresLayout() {
                return false;
            }
        };
        Logger root = Logger.getRootLogger();
        Level level = root.getLevel();
        root.addAppender(capture);
        root.setLevel(Level.DEBUG);
        try {
            work.run();
        } finally {
            root.setLevel(level);
            root.removeAppender(capture);
        }
        synchronized (logged) {
            return List.copyOf(logged);
        }
    }

    // ----- tenants and extensions

    @Test
    void createTenantWithTheDefaultPolicyAndRefuseADuplicate() {
        long before = tenants.countTenants();
        String domain = "Acme" + SEQUENCE.incrementAndGet() + ".Example";
        Tenant tenant = tenants.createTenant(domain, "Acme Inc");

        assertTrue(tenant.id() > 0);
        assertEquals(domain.toLowerCase(), tenant.domain());
        assertEquals("Acme Inc", tenant.name());
        assertEquals(ParkingPolicy.DEFAULT, tenant.policy());
        assertEquals(before + 1, tenants.countTenants());
        assertEquals(Optional.of(tenant), tenants.tenantByDomain(domain.toUpperCase()));
        assertThrows(TenantExistsException.class, () -> tenants.createTenant(domain.toLowerCase(), "Again"));
        assertEquals(before + 1, tenants.countTenants());
    }

    @Test
    void concurrentCreatesOfOneTenantMakeOne() throws Exception {
        String domain = "race" + SEQUENCE.incrementAndGet() + ".example";
        List<Boolean> created = race(4, i -> {
            try {
                tenants.createTenant(domain, "Race " + i);
                return true;
            } catch (TenantExistsException e) {
                return false;
            }
        });
        assertEquals(1, created.stream().filter(c -> c).count());
    }

    @Test
    void unknownDomainIsEmpty() {
        assertEquals(Optional.empty(), tenants.tenantByDomain("nobody.example"));
        assertEquals(Optional.empty(), tenants.updatePolicy("nobody.example", ParkingPolicy.DEFAULT));
    }

    @Test
    void policyUpdateRoundTrips() {
        Tenant tenant = newTenant();
        ParkingPolicy policy = new ParkingPolicy("*70", "*80", "*59", 120, 20, 3, RecallPolicy.PARKER_THEN_GROUP, 2,
                List.of("104", "102"), "199", "sip:moh@media.example");

        Tenant updated = tenants.updatePolicy(tenant.domain(), policy).orElseThrow();

        assertEquals(policy, updated.policy());
        assertEquals(policy, tenants.tenantByDomain(tenant.domain()).orElseThrow().policy());
    }

    @Test
    void putExtensionCreatesThenUpdates() {
        Tenant tenant = newTenant();
        Tenant other = newTenant();

        PutResult created = tenants.putExtension(tenant.id(), "101", "Bob", "ha1-a", ParkInfoFormat.CLOUDPARK);
        PutResult updated = tenants.putExtension(tenant.id(), "101", "Robert", "ha1-b", ParkInfoFormat.BROADWORKS);
        tenants.putExtension(tenant.id(), "100", null, "ha1-c", null);

        assertTrue(created.created());
        assertFalse(updated.created());
        assertEquals(new Extension(created.extension().id(), tenant.id(), "101", "Robert", "ha1-b", ParkInfoFormat.BROADWORKS), updated.extension());
        assertEquals(Optional.of(updated.extension()), tenants.extension(tenant.id(), "101"));
        assertEquals(List.of("100", "101"), tenants.extensions(tenant.id()).stream().map(Extension::number).toList());
        assertEquals(Optional.empty(), tenants.extension(other.id(), "101"));
        assertEquals(List.of(), tenants.extensions(other.id()));
    }

    @Test
    void concurrentPutsOfOneExtensionCreateOne() throws Exception {
        Tenant tenant = newTenant();
        List<Boolean> created = race(4, i -> tenants.putExtension(tenant.id(), "200", "Race " + i, "ha1", null).created());
        assertEquals(1, created.stream().filter(c -> c).count());
        assertEquals(1, tenants.extensions(tenant.id()).size());
    }

    @Test
    void tenantsAndExtensionsAreReadFromMemoryAndWhatAnotherNodeWritesShowsAfterTheTtl() {
        MutableClock clock = new MutableClock();
        try (Database here = Database.open(url, user(), PASSWORD, clock);
             Database otherNode = Database.open(url, user(), PASSWORD)) {
            Tenant tenant = here.tenants().createTenant("t" + SEQUENCE.incrementAndGet() + ".example", "Cached");
            here.tenants().putExtension(tenant.id(), "501", "Before", "ha1", null);
            assertEquals(ParkingPolicy.DEFAULT, here.tenants().tenantByDomain(tenant.domain()).orElseThrow().policy());
            assertEquals("Before", here.tenants().extension(tenant.id(), "501").orElseThrow().displayName());

            ParkingPolicy changed = new ParkingPolicy("*68", "*88", "*58", 90, 30, 5, RecallPolicy.PARKER_ONLY, 1,
                    List.of(), null, null);
            otherNode.tenants().updatePolicy(tenant.domain(), changed);
            otherNode.tenants().putExtension(tenant.id(), "501", "After", "ha1", null);
            assertEquals(ParkingPolicy.DEFAULT, here.tenants().tenantByDomain(tenant.domain()).orElseThrow().policy(),
                    "within the TTL this node answers from memory");

            clock.advance(CachedTenantDirectory.TTL.plusMillis(1));
            assertEquals(changed, here.tenants().tenantByDomain(tenant.domain()).orElseThrow().policy());
            assertEquals("After", here.tenants().extension(tenant.id(), "501").orElseThrow().displayName());

            here.tenants().putExtension(tenant.id(), "501", "Mine", "ha1", null);
            assertEquals("Mine", here.tenants().extension(tenant.id(), "501").orElseThrow().displayName(),
                    "a write through this node is seen at once");

            String later = "t" + SEQUENCE.incrementAndGet() + ".example";
            assertTrue(here.tenants().tenantByDomain(later).isEmpty());
            otherNode.tenants().createTenant(later, "Created elsewhere");
            clock.advance(CachedTenantDirectory.ABSENT_TTL.plusMillis(1));
            assertTrue(here.tenants().tenantByDomain(later).isPresent(), "a new tenant shows after the shorter TTL");
        }
    }

    @Test
    void devicesAreReadFromMemoryAndWhatAnotherNodeRegistersShowsAfterThePoll() {
        MutableClock clock = new MutableClock();
        try (Database here = Database.open(url, user(), PASSWORD, clock);
             Database otherNode = Database.open(url, user(), PASSWORD)) {
            Tenant tenant = here.tenants().createTenant("t" + SEQUENCE.incrementAndGet() + ".example", "Devices");
            long ext = here.tenants().putExtension(tenant.id(), "601", null, "ha1", null).extension().id();
            Instant now = clock.instant();
            Binding desk = new Binding("sip:601@192.0.2.61", now.plusSeconds(300), "c1", 1, null);
            here.registrations().putBinding(ext, desk);
            assertEquals(List.of(desk), here.registrations().activeBindings(ext, now), "a write here is seen at once");

            Binding phone = new Binding("sip:601@192.0.2.62", now.plusSeconds(300), "c2", 1, null);
            otherNode.registrations().putBinding(ext, phone);
            assertEquals(List.of(desk), here.registrations().activeBindings(ext, now),
                    "until the next poll this node answers from memory");

            clock.advance(CachedRegistrationStore.POLL_EVERY.plusMillis(1));
            assertEquals(List.of(desk, phone), here.registrations().activeBindings(ext, clock.instant()),
                    "the poll drops what another node changed");

            otherNode.registrations().removeBinding(ext, desk.contactUri());
            clock.advance(CachedRegistrationStore.POLL_EVERY.plusMillis(1));
            assertEquals(List.of(phone), here.registrations().activeBindings(ext, clock.instant()));
            assertEquals(List.of(), here.registrations().activeBindings(ext, now.plusSeconds(300)),
                    "a binding expires without any change");
        }
    }

    /** A clock the test moves by hand. */
    private static final class MutableClock extends java.time.Clock {
        private Instant now = Instant.parse("2026-11-22T10:00:00Z");

        void advance(java.time.Duration by) {
            now = now.plus(by);
        }

        @Override
        public java.time.ZoneId getZone() {
            return java.time.ZoneOffset.UTC;
        }

        @Override
        public java.time.Clock withZone(java.time.ZoneId zone) {
            return this;
        }

        @Override
        public Instant instant() {
            return now;
        }
    }

    @Test
    void tenantIsFoundByItsId() {
        Tenant tenant = newTenant();
        assertEquals(Optional.of(tenant), tenants.tenantById(tenant.id()));
        assertEquals(Optional.empty(), tenants.tenantById(-1));
    }

    // ----- park groups

    @Test
    void parkGroupsKeepTheirOrderAndAnExtensionIsInOneAtMost() {
        Tenant tenant = newTenant();
        Tenant other = newTenant();
        for (String n : List.of("301", "302", "303", "304")) {
            newExtension(tenant, n);
        }
        newExtension(other, "301");
        ParkGroup sales = tenants.createParkGroup(tenant.id(), "sales", List.of("303", "301", "302"));

        assertEquals(List.of("303", "301", "302"), sales.members());
        assertEquals(Optional.of(sales), tenants.parkGroupOf(tenant.id(), "301"));
        assertEquals(Optional.empty(), tenants.parkGroupOf(tenant.id(), "304"));
        assertEquals(Optional.empty(), tenants.parkGroupOf(other.id(), "301"), "groups are per tenant");
        assertThrows(ParkGroupConflictException.class, () -> tenants.createParkGroup(tenant.id(), "support", List.of("304", "302")));
        assertThrows(ParkGroupConflictException.class, () -> tenants.createParkGroup(tenant.id(), "sales", List.of("304")));
        assertThrows(IllegalArgumentException.class, () -> tenants.createParkGroup(tenant.id(), "ghosts", List.of("399")));
        assertEquals(List.of(sales), tenants.parkGroups(tenant.id()), "a refused group leaves nothing behind");
        ParkGroup otherGroup = tenants.createParkGroup(other.id(), "sales", List.of("301"));
        assertEquals(List.of(otherGroup), tenants.parkGroups(other.id()));
    }

    // ----- registrations

    @Test
    void aRefusalOfParkInfoLastsUntilTheDeviceRegistersAnew() {
        Tenant tenant = newTenant();
        long ext = newExtension(tenant, "401");
        Instant now = Instant.parse("2026-11-22T10:00:00Z");
        registrations.putBinding(ext, new Binding("sip:401@10.0.0.1:5060", now.plusSeconds(300), "c1", 1, "ua"));
        registrations.putBinding(ext, new Binding("sip:401@10.0.0.2:5060", now.plusSeconds(300), "c2", 1, "ua"));

        registrations.refuseParkInfo(ext, "sip:401@10.0.0.1:5060");
        assertEquals(List.of(true, false), registrations.activeBindings(ext, now).stream().map(Binding::parkInfoRefused).toList());

        registrations.putBinding(ext, new Binding("sip:401@10.0.0.1:5060", now.plusSeconds(600), "c1", 2, "ua"));
        assertEquals(List.of(true, false), registrations.activeBindings(ext, now).stream().map(Binding::parkInfoRefused).toList(),
                "a refresh (same Call-ID) keeps the refusal");

        registrations.putBinding(ext, new Binding("sip:401@10.0.0.1:5060", now.plusSeconds(600), "c1-restarted", 1, "ua"));
        assertEquals(List.of(false, false), registrations.activeBindings(ext, now).stream().map(Binding::parkInfoRefused).toList(),
                "registered anew (a new Call-ID): it may take park-info now");
    }

    @Test
    void bindingsAreUpsertedPerContactAndExpire() {
        Tenant tenant = newTenant();
        long ext = newExtension(tenant, "101");
        long otherExt = newExtension(tenant, "102");
        Binding desk = new Binding("sip:101@192.0.2.10:5060", T0.plusSeconds(60), "call-1", 1, "Yealink T54W");
        Binding mobile = new Binding("sip:101@198.51.100.7:5062;transport=tcp", T0.plusSeconds(30), "call-2", 7, null);
        registrations.putBinding(ext, desk);
        registrations.putBinding(ext, mobile);
        registrations.putBinding(otherExt, desk);

        assertEquals(List.of(desk, mobile), registrations.activeBindings(ext, T0));
        assertEquals(List.of(desk), registrations.activeBindings(ext, T0.plusSeconds(45)));
        assertEquals(List.of(), registrations.activeBindings(ext, T0.plusSeconds(60)));

        Binding refreshed = new Binding(desk.contactUri(), T0.plusSeconds(3600), "call-3", 2, "Yealink T54W 96.86");
        registrations.putBinding(ext, refreshed);
        assertEquals(List.of(refreshed, mobile), registrations.activeBindings(ext, T0));

        registrations.removeBinding(ext, mobile.contactUri());
        assertEquals(List.of(refreshed), registrations.activeBindings(ext, T0));
        registrations.removeAll(ext);
        assertEquals(List.of(), registrations.activeBindings(ext, T0));
        assertEquals(List.of(desk), registrations.activeBindings(otherExt, T0));
    }

    @Test
    void purgeDeletesOnlyExpiredBindings() {
        // long before T0, so no other test's bindings are in range
        Instant then = Instant.parse("1990-01-02T00:00:00Z");
        Tenant tenant = newTenant();
        long ext = newExtension(tenant, "101");
        Binding expired = new Binding("sip:101@192.0.2.1", then.minusSeconds(1), "c1", 1, null);
        Binding alive = new Binding("sip:101@192.0.2.2", then.plusSeconds(1), "c2", 1, null);
        registrations.putBinding(ext, expired);
        registrations.putBinding(ext, alive);

        assertEquals(1, registrations.purgeExpired(then));

        assertEquals(List.of(alive), registrations.activeBindings(ext, then.minusSeconds(10)));
    }

    @Test
    void concurrentRegistersOfOneContactKeepOneBinding() throws Exception {
        Tenant tenant = newTenant();
        long ext = newExtension(tenant, "101");
        race(4, i -> {
            registrations.putBinding(ext, new Binding("sip:101@192.0.2.9", T0.plusSeconds(60), "call", i, null));
            return null;
        });
        assertEquals(1, registrations.activeBindings(ext, T0).size());
    }

    // ----- parked calls

    @Test
    void insertHoldingStopsAtCapacity() {
        Tenant tenant = newTenant();
        newExtension(tenant, "103");
        ParkedCall first = call(tenant, "103", T0);
        ParkedCall second = call(tenant, "103", T0.plusSeconds(1)).withStatus(ParkStatus.PARKED);

        assertTrue(parks.insertHolding(first, 2));
        assertTrue(parks.insertHolding(second, 2));
        assertFalse(parks.insertHolding(call(tenant, "103", T0.plusSeconds(2)), 2));

        assertEquals(List.of(first, second.withStatus(ParkStatus.HOLDING)), parks.parkedAt(tenant.id(), "103"));
    }

    @Test
    void insertHoldingAtAMissingExtensionIsAProgrammingError() {
        Tenant tenant = newTenant();
        assertThrows(IllegalArgumentException.class, () -> parks.insertHolding(call(tenant, "999", T0), 5));
    }

    @Test
    void concurrentParksNeverOverfillAnExtension() throws Exception {
        Tenant tenant = newTenant();
        newExtension(tenant, "103");

        List<Boolean> stored = race(10, i -> parks.insertHolding(call(tenant, "103", T0.plusMillis(i)), 5));

        assertEquals(5, stored.stream().filter(s -> s).count());
        assertEquals(5, parks.parkedAt(tenant.id(), "103").size());
    }

    @Test
    void ofTwoRacingRetrieversExactlyOneWins() throws Exception {
        Tenant tenant = newTenant();
        newExtension(tenant, "103");
        for (int round = 0; round < 25; round++) {
            ParkedCall call = call(tenant, "103", T0.plusSeconds(round));
            assertTrue(parks.insertHolding(call, 100));
            assertTrue(parks.markParked(call.id()).isPresent());

            List<Boolean> won = race(2, i -> parks.transition(call.id(), ParkStatus.PARKED, ParkStatus.RETRIEVING));

            assertEquals(1, won.stream().filter(w -> w).count(), "round " + round);
            assertEquals(ParkStatus.RETRIEVING, parks.find(tenant.id(), call.id()).orElseThrow().status());
        }
    }

    @Test
    void transitionFromTheWrongStatusChangesNothing() {
        Tenant tenant = newTenant();
        newExtension(tenant, "103");
        ParkedCall call = call(tenant, "103", T0);
        parks.insertHolding(call, 5);

        assertFalse(parks.transition(call.id(), ParkStatus.PARKED, ParkStatus.RETRIEVING));
        assertFalse(parks.transition("no-such-call", ParkStatus.HOLDING, ParkStatus.PARKED));
        assertEquals(ParkStatus.HOLDING, parks.find(tenant.id(), call.id()).orElseThrow().status());
    }

    @Test
    void markParkedBumpsTheVersionOnceAndListsAllCalls() {
        Tenant tenant = newTenant();
        newExtension(tenant, "103");
        ParkedCall first = call(tenant, "103", T0);
        ParkedCall second = call(tenant, "103", T0.plusSeconds(5));
        parks.insertHolding(second, 5);
        parks.insertHolding(first, 5);
        long before = parks.snapshot(tenant.id(), "103", "refresh").version();

        ParkInfo info = parks.markParked(first.id()).orElseThrow();

        assertEquals(new ParkInfo(tenant.id(), "103", before + 1, "parked", first.id(),
                List.of(first.withStatus(ParkStatus.PARKED), second)), info);
        assertEquals(Optional.empty(), parks.markParked(first.id()));
        assertEquals(before + 1, parks.snapshot(tenant.id(), "103", "refresh").version());
    }

    @Test
    void aDeadNodesCallIsAdoptedOnceTakenOverOnceAndKeepsItsIdentityAndVersion() {
        Tenant tenant = newTenant();
        newExtension(tenant, "103");
        ParkedCall call = call(tenant, "103", T0);
        parks.insertHolding(call, 5);
        long parkedVersion = parks.markParked(call.id(), "dialog-1@test").orElseThrow().version();
        assertEquals(Optional.of("dialog-1@test"), parks.parkedDialog(call.id()));
        String dead = call.ownerNode();

        assertFalse(parks.adopt(call.id(), "another-node", "survivor"), "only from the node that holds it");
        assertTrue(parks.adopt(call.id(), dead, "survivor"));
        assertFalse(parks.adopt(call.id(), dead, "survivor-2"), "one survivor takes it");
        ParkedCall adopted = parks.find(tenant.id(), call.id()).orElseThrow();
        assertEquals(ParkStatus.REPARKING, adopted.status());
        assertEquals("survivor", adopted.ownerNode());
        assertFalse(parks.transition(call.id(), ParkStatus.PARKED, ParkStatus.RETRIEVING), "no retrieve meanwhile");

        ParkedCall moved = parks.takeOver(call.id(), "node-x", "dialog-2@test").orElseThrow();
        assertEquals(new ParkedCall(call.id(), call.tenantId(), "103", call.parked(), call.parker(),
                call.parkerExtension(), call.parkedAt(), call.recallAt(), ParkStatus.PARKED, "node-x"), moved);
        assertEquals(Optional.of("dialog-2@test"), parks.parkedDialog(call.id()));
        assertEquals(Optional.empty(), parks.takeOver(call.id(), "node-y", "dialog-3@test"), "taken over once");
        assertEquals(parkedVersion, parks.snapshot(tenant.id(), "103", "refresh").version(), "the devices see no change");
    }

    @Test
    void aMoveGivenUpCannotBeTakenOver() {
        Tenant tenant = newTenant();
        newExtension(tenant, "103");
        ParkedCall call = call(tenant, "103", T0);
        parks.insertHolding(call, 5);
        parks.markParked(call.id());
        assertEquals(Optional.empty(), parks.parkedDialog(call.id()), "parked by a node that moves no calls");
        assertTrue(parks.adopt(call.id(), call.ownerNode(), "survivor"));

        assertTrue(parks.transition(call.id(), ParkStatus.REPARKING, ParkStatus.HOLDING));
        assertEquals(Optional.empty(), parks.takeOver(call.id(), "node-x", "late@test"));
    }

    @Test
    void endMovesTheCallToHistoryAndBumpsTheVersionOnce() {
        Tenant tenant = newTenant();
        newExtension(tenant, "103");
        ParkedCall first = call(tenant, "103", T0);
        ParkedCall second = call(tenant, "103", T0.plusSeconds(5));
        parks.insertHolding(first, 5);
        parks.insertHolding(second, 5);
        parks.markParked(first.id());
        long before = parks.markParked(second.id()).orElseThrow().version();
        Instant endedAt = T0.plusSeconds(30);

        ParkInfo info = parks.end(first.id(), Resolution.RETRIEVED, endedAt, "103").orElseThrow();

        assertEquals(new ParkInfo(tenant.id(), "103", before + 1, "retrieved", first.id(),
                List.of(second.withStatus(ParkStatus.PARKED))), info);
        assertEquals(Optional.empty(), parks.end(first.id(), Resolution.ABANDONED, endedAt, "system"));
        assertEquals(before + 1, parks.snapshot(tenant.id(), "103", "refresh").version());
        assertEquals(Optional.empty(), parks.find(tenant.id(), first.id()));
        assertEquals(List.of(new EndedPark(first.withStatus(ParkStatus.PARKED), Resolution.RETRIEVED, endedAt, "103")),
                parks.history(tenant.id(), 10));
    }

    @Test
    void ofTwoConcurrentEndsExactlyOneWins() throws Exception {
        Tenant tenant = newTenant();
        newExtension(tenant, "103");
        int rounds = 10;
        for (int round = 0; round < rounds; round++) {
            ParkedCall call = call(tenant, "103", T0.plusSeconds(round));
            parks.insertHolding(call, 100);
            parks.markParked(call.id());

            List<Boolean> ended = race(2, i -> parks.end(call.id(),
                    i == 0 ? Resolution.ABANDONED : Resolution.RETRIEVED, T0.plusSeconds(60), "system").isPresent());

            assertEquals(1, ended.stream().filter(e -> e).count(), "round " + round);
        }
        assertEquals(rounds, parks.history(tenant.id(), 100).size());
        assertEquals(List.of(), parks.parkedAt(tenant.id(), "103"));
    }

    @Test
    void historyIsNewestFirstAndLimited() {
        Tenant tenant = newTenant();
        newExtension(tenant, "103");
        List<String> ids = new ArrayList<>();
        for (int i = 1; i <= 4; i++) {
            ParkedCall call = call(tenant, "103", T0);
            parks.insertHolding(call, 5);
            parks.end(call.id(), Resolution.TIMED_OUT, T0.plusSeconds(i), "system");
            ids.add(call.id());
        }

        List<String> newest = parks.history(tenant.id(), 3).stream().map(e -> e.call().id()).toList();

        assertEquals(List.of(ids.get(3), ids.get(2), ids.get(1)), newest);
        assertEquals(List.of(), parks.history(tenant.id(), 0));
    }

    @Test
    void historyIsFilteredAndContinuesAfterACursor() {
        Tenant tenant = newTenant();
        newExtension(tenant, "103");
        newExtension(tenant, "104");
        List<String> ids = new ArrayList<>();
        for (int i = 1; i <= 4; i++) {
            ParkedCall call = call(tenant, i % 2 == 0 ? "104" : "103", T0);
            parks.insertHolding(call, 5);
            // two of them end at the same instant: the cursor must still tell them apart
            parks.end(call.id(), i == 4 ? Resolution.RETRIEVED : Resolution.TIMED_OUT, T0.plusSeconds(Math.min(i, 3)), "system");
            ids.add(call.id());
        }

        assertEquals(List.of(ids.get(3), ids.get(1)), historyIds(tenant, new HistoryQuery("104", null, null, null, null, 10)));
        assertEquals(List.of(ids.get(3)), historyIds(tenant, new HistoryQuery(null, Resolution.RETRIEVED, null, null, null, 10)));
        assertEquals(List.of(ids.get(1)), historyIds(tenant,
                new HistoryQuery(null, null, T0.plusSeconds(2), T0.plusSeconds(3), null, 10)));
        List<String> all = historyIds(tenant, HistoryQuery.newest(10));
        assertEquals(List.of(ids.get(3), ids.get(2), ids.get(1), ids.get(0)), all);
        EndedPark second = parks.history(tenant.id(), 2).get(1);
        assertEquals(List.of(ids.get(1), ids.get(0)), historyIds(tenant, new HistoryQuery(null, null, null, null,
                new HistoryQuery.Position(second.endedAt(), second.call().id()), 10)));
    }

    private List<String> historyIds(Tenant tenant, HistoryQuery query) {
        return parks.history(tenant.id(), query).stream().map(e -> e.call().id()).toList();
    }

    @Test
    void tenantsArePagedInDomainOrderAndSearchedInAnyCase() {
        String tag = "page" + SEQUENCE.incrementAndGet();
        for (String name : List.of("b", "a", "c")) {
            tenants.createTenant(tag + name + ".example", "Name " + name.toUpperCase() + "_x");
        }
        assertEquals(List.of(tag + "a.example", tag + "b.example"),
                tenants.tenants(tag, null, 2).stream().map(Tenant::domain).toList());
        assertEquals(List.of(tag + "c.example"),
                tenants.tenants(tag, tag + "b.example", 2).stream().map(Tenant::domain).toList());
        assertEquals(1, tenants.tenants("a_x", null, 10).stream().filter(t -> t.domain().startsWith(tag)).count());
        assertEquals(0, tenants.tenants("e_a", null, 10).stream().filter(t -> t.domain().startsWith(tag)).count(),
                "'_' matches only itself");
        assertEquals(1, tenants.tenants(tag.toUpperCase() + "C", null, 10).size());
        assertEquals("Renamed", tenants.rename(tag + "a.example", "Renamed").orElseThrow().name());
    }

    @Test
    void aTenantOrExtensionWithCallsParkedIsNotDeleted() {
        Tenant tenant = newTenant();
        newExtension(tenant, "103");
        newExtension(tenant, "104");
        newExtension(tenant, "105");
        tenants.createParkGroup(tenant.id(), "g", List.of("105"));
        ParkedCall call = call(tenant, "103", T0);
        parks.insertHolding(call, 5);

        assertThrows(io.cloudpark.tenant.InUseException.class, () -> tenants.deleteExtension(tenant.id(), "103"));
        assertThrows(io.cloudpark.tenant.InUseException.class, () -> tenants.deleteExtension(tenant.id(), "105"));
        assertThrows(io.cloudpark.tenant.InUseException.class, () -> tenants.deleteTenant(tenant.id()));
        assertTrue(tenants.deleteExtension(tenant.id(), "104"));
        assertFalse(tenants.deleteExtension(tenant.id(), "104"));
        assertEquals(Optional.empty(), tenants.extension(tenant.id(), "104"));

        parks.end(call.id(), Resolution.ENDED_BY_OPERATOR, T0.plusSeconds(1), "operator");
        registrations.putBinding(tenants.extension(tenant.id(), "103").orElseThrow().id(),
                new Binding("sip:103@192.0.2.1", T0.plusSeconds(600), "c", 1, "ua"));
        assertTrue(tenants.deleteTenant(tenant.id()));
        assertEquals(Optional.empty(), tenants.tenantByDomain(tenant.domain()));
        assertEquals(List.of(), parks.history(tenant.id(), 10));
        assertFalse(tenants.deleteTenant(tenant.id()));
    }

    @Test
    void aParkGroupsMembersAreReplacedAndTheGroupDeleted() {
        Tenant tenant = newTenant();
        for (String number : List.of("201", "202", "203")) {
            newExtension(tenant, number);
        }
        tenants.createParkGroup(tenant.id(), "g", List.of("201", "202"));
        assertEquals(List.of("203", "201"), tenants.replaceParkGroup(tenant.id(), "g", List.of("203", "201")).orElseThrow().members());
        assertEquals(Optional.empty(), tenants.parkGroupOf(tenant.id(), "202"));
        assertEquals(Optional.empty(), tenants.replaceParkGroup(tenant.id(), "none", List.of("202")));
        assertThrows(IllegalArgumentException.class, () -> tenants.replaceParkGroup(tenant.id(), "g", List.of("299")));
        assertEquals(List.of("203", "201"), tenants.parkGroups(tenant.id()).get(0).members(), "a failed replace changes nothing");
        assertTrue(tenants.deleteParkGroup(tenant.id(), "g"));
        assertFalse(tenants.deleteParkGroup(tenant.id(), "g"));
        assertTrue(tenants.deleteExtension(tenant.id(), "201"));
    }

    // ----- accounts, tokens and the audit log

    @Test
    void accountsAreUniqueListedPerTenantAndTakeTheirTokensAlongWhenDeleted() {
        io.cloudpark.account.AccountStore accounts = db.accounts();
        Tenant tenant = newTenant();
        String tag = "acct" + SEQUENCE.incrementAndGet();
        io.cloudpark.account.Account admin = accounts.create(tag + "-b", io.cloudpark.account.Role.TENANT_ADMIN,
                tenant.id(), "$2a$hash", T0);
        accounts.create(tag + "-a", io.cloudpark.account.Role.OPERATOR, null, "$2a$other", T0);
        assertThrows(io.cloudpark.account.AccountExistsException.class,
                () -> accounts.create(tag + "-b", io.cloudpark.account.Role.OPERATOR, null, "x", T0));
        assertEquals(List.of(admin), accounts.list(tenant.id(), null, 10));
        assertEquals(Optional.of(T0), accounts.byName(tag + "-a").map(io.cloudpark.account.Account::createdAt));
        assertEquals("$2a$new", accounts.setPasswordHash(tag + "-b", "$2a$new").orElseThrow().passwordHash());

        io.cloudpark.account.ApiToken token = accounts.createToken(admin.id(), "crm", "f".repeat(64), T0);
        assertEquals(List.of(token), accounts.tokens(admin.id()));
        assertEquals(tag + "-b", accounts.byTokenHash("f".repeat(64)).orElseThrow().name());
        assertFalse(accounts.deleteToken(admin.id() + 1000, token.id()), "only the account's own token");
        assertTrue(accounts.deleteToken(admin.id(), token.id()));
        assertEquals(Optional.empty(), accounts.byTokenHash("f".repeat(64)));
        accounts.createToken(admin.id(), "again", "e".repeat(64), T0);

        assertTrue(tenants.deleteTenant(tenant.id()), "a tenant's admins go with it");
        assertEquals(Optional.empty(), accounts.byName(tag + "-b"));
        assertEquals(Optional.empty(), accounts.byTokenHash("e".repeat(64)));
        assertTrue(accounts.delete(tag + "-a"));
        assertFalse(accounts.delete(tag + "-a"));
    }

    @Test
    void theAuditLogIsReadNewestFirstPerTenantAndPaged() {
        io.cloudpark.audit.AuditStore audit = db.audit();
        String domain = "audit" + SEQUENCE.incrementAndGet() + ".example";
        for (int i = 1; i <= 3; i++) {
            audit.append(T0.plusSeconds(i), "admin", domain, "tenant.update", "{\"n\":" + (i - 1) + "}", "{\"n\":" + i + "}");
        }
        audit.append(T0, "admin", "other-" + domain, "tenant.create", null, "{}");
        List<io.cloudpark.audit.AuditEntry> newest = audit.entries(domain, null, 2);
        assertEquals(List.of("{\"n\":3}", "{\"n\":2}"), newest.stream().map(io.cloudpark.audit.AuditEntry::after).toList());
        assertEquals(T0.plusSeconds(3), newest.get(0).at());
        List<io.cloudpark.audit.AuditEntry> rest = audit.entries(domain, newest.get(1).id(), 2);
        assertEquals(1, rest.size());
        assertEquals("{\"n\":0}", rest.get(0).before());
        assertEquals("other-" + domain, audit.entries(null, null, 1).get(0).tenantDomain());
    }

    @Test
    void snapshotChangesNothing() {
        Tenant tenant = newTenant();
        newExtension(tenant, "103");
        ParkedCall call = call(tenant, "103", T0);
        parks.insertHolding(call, 5);
        ParkInfo parked = parks.markParked(call.id()).orElseThrow();

        ParkInfo snapshot = parks.snapshot(tenant.id(), "103", "refresh");

        assertEquals(new ParkInfo(tenant.id(), "103", parked.version(), "refresh", null, parked.calls()), snapshot);
        assertEquals(snapshot, parks.snapshot(tenant.id(), "103", "refresh"));
    }

    @Test
    void noTenantSeesAnotherTenantsCalls() {
        Tenant owner = newTenant();
        Tenant stranger = newTenant();
        newExtension(owner, "103");
        newExtension(stranger, "103");
        ParkedCall call = call(owner, "103", T0);
        parks.insertHolding(call, 5);
        parks.markParked(call.id());

        assertTrue(parks.find(owner.id(), call.id()).isPresent());
        assertEquals(List.of(call.withStatus(ParkStatus.PARKED)), parks.parkedInTenant(owner.id()));
        assertEquals(Optional.empty(), parks.find(stranger.id(), call.id()));
        assertEquals(List.of(), parks.parkedInTenant(stranger.id()));
        assertEquals(List.of(), parks.parkedAt(stranger.id(), "103"));
        assertEquals(List.of(), parks.snapshot(stranger.id(), "103", "refresh").calls());

        parks.end(call.id(), Resolution.ENDED_BY_OPERATOR, T0.plusSeconds(9), "operator");
        assertEquals(1, parks.history(owner.id(), 10).size());
        assertEquals(List.of(), parks.history(stranger.id(), 10));
    }

    @Test
    void ownedByListsTheCallsOfOneNodeOnly() {
        Tenant tenant = newTenant();
        newExtension(tenant, "103");
        ParkedCall mine = call(tenant, "103", T0);
        ParkedCall theirs = new ParkedCall(UUID.randomUUID().toString(), tenant.id(), "103", mine.parked(), mine.parker(),
                "102", T0.plusSeconds(1), T0.plusSeconds(46), ParkStatus.HOLDING, "node-2");
        parks.insertHolding(mine, 5);
        parks.insertHolding(theirs, 5);
        assertEquals(List.of(mine.id()), parks.ownedBy("node-1").stream().map(ParkedCall::id).filter(id -> id.equals(mine.id()) || id.equals(theirs.id())).toList());
        assertEquals(List.of(theirs.id()), parks.ownedBy("node-2").stream().map(ParkedCall::id).toList());
    }

    @Test
    void instantsRoundTripExactlyAndAreStoredAsUtc() throws Exception {
        Tenant tenant = newTenant();
        long ext = newExtension(tenant, "103");
        // UTC wall-clock times that do not exist (spring forward) or exist twice (fall back) in New York
        Instant parkedAt = Instant.parse("2024-03-10T02:30:00.123Z");
        Instant recallAt = Instant.parse("2024-11-03T01:30:00.456789Z");
        Instant endedAt = Instant.parse("2024-11-03T01:45:59.999Z");
        ParkedCall call = new ParkedCall(UUID.randomUUID().toString(), tenant.id(), "103",
                new Party("sip:alice@example.net", null), new Party("sip:102@" + tenant.domain(), "Bob"), "102",
                parkedAt, recallAt, ParkStatus.HOLDING, "node-1");
        parks.insertHolding(call, 5);
        Binding binding = new Binding("sip:103@192.0.2.3", parkedAt, "call", 1, null);
        registrations.putBinding(ext, binding);

        assertEquals(call, parks.find(tenant.id(), call.id()).orElseThrow());
        assertEquals(List.of(binding), registrations.activeBindings(ext, parkedAt.minusMillis(1)));
        assertEquals(List.of(), registrations.activeBindings(ext, parkedAt));
        try (Connection c = rawConnection();
             PreparedStatement s = c.prepareStatement("select parked_at, recall_at from parked_call where id = ?")) {
            s.setString(1, call.id());
            try (ResultSet r = s.executeQuery()) {
                assertTrue(r.next());
                assertEquals(LocalDateTime.ofInstant(parkedAt, ZoneOffset.UTC), r.getObject(1, LocalDateTime.class));
                assertEquals(LocalDateTime.ofInstant(recallAt, ZoneOffset.UTC), r.getObject(2, LocalDateTime.class));
            }
        }

        parks.end(call.id(), Resolution.ABANDONED, endedAt, "system");
        EndedPark ended = parks.history(tenant.id(), 1).get(0);
        assertEquals(endedAt, ended.endedAt());
        assertEquals(call, ended.call());
    }

    // ----- helpers

    private Connection rawConnection() throws SQLException {
        return DriverManager.getConnection(url, user(), PASSWORD);
    }

    private Tenant newTenant() {
        return tenants.createTenant("t" + SEQUENCE.incrementAndGet() + ".example", "Test");
    }

    private long newExtension(Tenant tenant, String number) {
        return tenants.putExtension(tenant.id(), number, "Ext " + number, "ha1", null).extension().id();
    }

    @Test
    void aBindingKeepsThePathItRegisteredWith() {
        Tenant tenant = newTenant();
        long ext = newExtension(tenant, "401");
        List<String> path = List.of("<sip:lb@127.0.0.1:5060;lr;received=sip:192.0.2.7:5090>", "<sip:edge.example;lr>");
        registrations.putBinding(ext, new Binding("sip:401@10.0.0.9:5060", T0.plusSeconds(300), "c9", 1, "ua", path));
        assertEquals(path, registrations.activeBindings(ext, T0).get(0).path());
        registrations.putBinding(ext, new Binding("sip:401@10.0.0.9:5060", T0.plusSeconds(300), "c9", 2, "ua"));
        assertEquals(List.of(), registrations.activeBindings(ext, T0).get(0).path(), "registered directly now");
    }

    // ----- cluster nodes

    @Test
    void aHeartbeatInsertsThenRefreshesTheNodeAndClearsItsReaping() {
        NodeStore nodes = db.nodes();
        String id = "node-" + SEQUENCE.incrementAndGet();
        nodes.heartbeat(id, "sip:127.0.0.1:5071", T0, T0);
        nodes.heartbeat(id, "sip:127.0.0.1:5071", T0, T0.plusSeconds(2));
        assertEquals(Optional.of(new Node(id, "sip:127.0.0.1:5071", T0, T0.plusSeconds(2), null)), nodes.find(id));
        assertTrue(nodes.markReaped(id, T0.plusSeconds(2), T0.plusSeconds(6)));
        assertEquals(T0.plusSeconds(6), nodes.find(id).orElseThrow().reapedAt());
        nodes.heartbeat(id, "sip:127.0.0.1:5071", T0.plusSeconds(10), T0.plusSeconds(10));
        assertEquals(new Node(id, "sip:127.0.0.1:5071", T0.plusSeconds(10), T0.plusSeconds(10), null),
                nodes.find(id).orElseThrow());
        assertTrue(nodes.all().stream().anyMatch(node -> node.id().equals(id)));
    }

    @Test
    void aDeadNodeIsReapedOnceAndNotAfterItBeatAgain() throws Exception {
        NodeStore nodes = db.nodes();
        String id = "node-" + SEQUENCE.incrementAndGet();
        nodes.heartbeat(id, "sip:127.0.0.1:5072", T0, T0);
        List<Boolean> reaped = race(4, i -> nodes.markReaped(id, T0, T0.plusSeconds(5)));
        assertEquals(1, Collections.frequency(reaped, true), "winners: " + reaped);
        String other = "node-" + SEQUENCE.incrementAndGet();
        nodes.heartbeat(other, "sip:127.0.0.1:5073", T0, T0);
        nodes.heartbeat(other, "sip:127.0.0.1:5073", T0, T0.plusSeconds(4));
        assertFalse(nodes.markReaped(other, T0, T0.plusSeconds(5)), "it beat after the reaper looked");
    }

    @Test
    void oneReaperAtATime() {
        NodeStore nodes = db.nodes();
        // the inner attempt runs on another pooled connection, so on PostgreSQL it is another session
        Optional<Optional<String>> inner = nodes.exclusively(() -> nodes.exclusively(() -> "second"));
        assertEquals(Optional.of(Optional.empty()), inner);
        assertEquals(Optional.of("after"), nodes.exclusively(() -> "after"));
    }

    private static ParkedCall call(Tenant tenant, String extension, Instant parkedAt) {
        return new ParkedCall(UUID.randomUUID().toString(), tenant.id(), extension,
                new Party("sip:+14155550100@" + tenant.domain(), "Alice Smith"),
                new Party("sip:102@" + tenant.domain(), "Bob"), "102", parkedAt, parkedAt.plusSeconds(45),
                ParkStatus.HOLDING, "node-1");
    }

    /** Runs {@code task(0..threads-1)} on as many threads, released together, and returns the results in order. */
    private static <T> List<T> race(int threads, IntFunction<T> task) throws Exception {
        ExecutorService pool = Executors.newFixedThreadPool(threads);
        CyclicBarrier start = new CyclicBarrier(threads);
        try {
            List<Future<T>> futures = new ArrayList<>();
            for (int i = 0; i < threads; i++) {
                int index = i;
                futures.add(pool.submit(() -> {
                    start.await();
                    return task.apply(index);
                }));
            }
            List<T> results = new ArrayList<>();
            for (Future<T> future : futures) {
                results.add(future.get(30, TimeUnit.SECONDS));
            }
            return results;
        } finally {
            pool.shutdownNow();
        }
    }

    // ----- park events

    @Test
    void parkEventsAreNumberedInOrderWithTheParksFieldsAsTheyWereAndReadPerTenant() {
        ParkEventStore events = db.parkEvents();
        Tenant tenant = newTenant();
        Tenant other = newTenant();
        newExtension(tenant, "103");
        newExtension(other, "103");
        ParkedCall call = call(tenant, "103", T0);
        ParkedCall elsewhere = call(other, "103", T0);
        parks.insertHolding(call, 5);
        parks.insertHolding(elsewhere, 5);
        parks.markParked(call.id());
        parks.markParked(elsewhere.id());
        long start = events.lastId();

        List<ParkEvent> parked = events.append(List.of(new ParkEvent.Occurrence(call.id(), null, T0.plusSeconds(1), null),
                new ParkEvent.Occurrence("no-such-park", null, T0, null),
                new ParkEvent.Occurrence(elsewhere.id(), null, T0.plusSeconds(2), null)));
        parks.transition(call.id(), ParkStatus.PARKED, ParkStatus.RETRIEVING);
        parks.end(call.id(), Resolution.RETRIEVED, T0.plusSeconds(9), "104");
        List<ParkEvent> ended = events.append(List.of(new ParkEvent.Occurrence(call.id(), Resolution.RETRIEVED, T0.plusSeconds(9), "104")));

        assertEquals(2, parked.size(), "the occurrence of a park the store never had is skipped");
        ParkEvent first = parked.get(0);
        assertEquals(new ParkEvent(first.id(), "parked", call.withStatus(ParkStatus.PARKED), T0.plusSeconds(1), null, null), first);
        assertTrue(first.id() > start && parked.get(1).id() > first.id() && ended.get(0).id() > parked.get(1).id());
        assertEquals(new ParkEvent(ended.get(0).id(), "retrieved", call.withStatus(ParkStatus.RETRIEVING), T0.plusSeconds(9),
                Resolution.RETRIEVED, "104"), ended.get(0));
        assertEquals(ended.get(0).id(), events.lastId());
        assertEquals(List.of(first, parked.get(1), ended.get(0)), events.after(start, 10));
        assertEquals(List.of(first), events.after(start, 1));
        assertEquals(List.of(first, ended.get(0)), events.after(tenant.id(), start, Long.MAX_VALUE, 10));
        assertEquals(List.of(first), events.after(tenant.id(), start, ended.get(0).id() - 1, 10), "no further than asked");
        assertEquals(List.of(ended.get(0)), events.after(tenant.id(), first.id(), Long.MAX_VALUE, 10));
        assertEquals(List.of(parked.get(1)), events.after(other.id(), start, Long.MAX_VALUE, 10));
    }

    @Test
    void parkEventsArePrunedByAgeAndBeyondTheNewestCount() {
        ParkEventStore events = db.parkEvents();
        Tenant tenant = newTenant();
        newExtension(tenant, "103");
        List<ParkEvent> written = new ArrayList<>();
        for (int i = 0; i < 4; i++) {
            ParkedCall call = call(tenant, "103", T0);
            parks.insertHolding(call, 10);
            written.addAll(events.append(List.of(new ParkEvent.Occurrence(call.id(), null, T0.plusSeconds(i * 60), null))));
        }
        events.prune(T0.plusSeconds(60), Integer.MAX_VALUE);
        assertEquals(written.subList(1, 4), events.after(tenant.id(), 0, Long.MAX_VALUE, 10), "older than a minute after T0");
        events.prune(T0, 2);
        assertEquals(written.subList(2, 4), events.after(tenant.id(), 0, Long.MAX_VALUE, 10), "the newest two");
    }

    /** Two nodes on one database: what one node's writer records, the other node's feed hands its listeners. */
    @Test
    void anEventRecordedOnOneNodeReachesTheFeedOfAnother() throws Exception {
        Tenant tenant = newTenant();
        newExtension(tenant, "103");
        ParkedCall call = call(tenant, "103", T0);
        parks.insertHolding(call, 5);
        parks.markParked(call.id());
        java.util.concurrent.BlockingQueue<ParkEvent> seen = new java.util.concurrent.LinkedBlockingQueue<>();
        try (Database nodeA = Database.open(url, user(), PASSWORD);
             io.cloudpark.events.EventFeed feedA = new io.cloudpark.events.EventFeed(nodeA.parkEvents(),
                     java.time.Clock.systemUTC(), java.time.Duration.ofMillis(50))) {
            feedA.listen(seen::add);
            List<ParkEvent> onNodeB = db.parkEvents().append(List.of(new ParkEvent.Occurrence(call.id(), null, T0, null)));
            ParkEvent got = seen.poll(10, TimeUnit.SECONDS);
            assertEquals(onNodeB.get(0), got);
            assertTrue(feedA.settled() >= got.id());
        }
    }

    // ----- webhooks

    @Test
    void aWebhookIsFoundOnlyInItsTenantKeepsItsSecretWhenNotGivenAndGoesWithItsTenant() {
        WebhookStore hooks = db.webhooks();
        Tenant tenant = newTenant();
        Tenant other = newTenant();
        Webhook created = hooks.create(tenant.id(), "https://crm.example/hook", "s3cret-0123456789", List.of("parked"), true, T0, 41);
        assertEquals(new Webhook(created.id(), tenant.id(), "https://crm.example/hook", "s3cret-0123456789", List.of("parked"),
                true, T0, new Webhook.Delivery(41, 0, null, null, null, 0, 0)), created);
        assertEquals(Optional.of(created), hooks.find(tenant.id(), created.id()));
        assertEquals(Optional.empty(), hooks.find(other.id(), created.id()));
        assertEquals(Optional.empty(), hooks.update(other.id(), created.id(), "https://x.example/", null, List.of("failed"), true));
        assertFalse(hooks.delete(other.id(), created.id()));
        assertEquals(List.of(created), hooks.list(tenant.id()));
        assertEquals(1, hooks.count(tenant.id()));

        Webhook changed = hooks.update(tenant.id(), created.id(), "https://crm.example/v2", null, List.of("parked", "failed"), false)
                .orElseThrow();
        assertEquals("s3cret-0123456789", changed.secret(), "no secret given: it stays");
        assertEquals(List.of("parked", "failed"), changed.eventTypes());
        assertFalse(changed.enabled());
        assertFalse(hooks.enabled().contains(changed));
        assertEquals("new-secret-0123456789", hooks.update(tenant.id(), created.id(), changed.url(), "new-secret-0123456789",
                changed.eventTypes(), true).orElseThrow().secret());
        assertTrue(hooks.enabled().stream().anyMatch(w -> w.id() == created.id()));
        assertFalse(changed.toString().contains("secret-0123456789"), "never in a log line: " + changed);

        assertTrue(tenants.deleteTenant(tenant.id()));
        assertEquals(Optional.empty(), hooks.find(tenant.id(), created.id()), "deleted with its tenant");
    }

    @Test
    void oneNodeAtATimeHoldsAWebhooksLeaseAndOnlyItMovesTheCursorFromWhereItWas() {
        WebhookStore hooks = db.webhooks();
        Tenant tenant = newTenant();
        Webhook hook = hooks.create(tenant.id(), "https://crm.example/hook", "s3cret-0123456789", List.of("parked"), true, T0, 0);
        assertTrue(hooks.lease(hook.id(), "node-1", T0, T0.plusSeconds(60), hook.delivery()));
        assertFalse(hooks.lease(hook.id(), "node-2", T0.plusSeconds(59), T0.plusSeconds(120), hook.delivery()));
        assertTrue(hooks.lease(hook.id(), "node-1", T0.plusSeconds(59), T0.plusSeconds(120), hook.delivery()), "renewed by its holder");
        Webhook.Delivery failed = new Webhook.Delivery(0, 1, T0.plusSeconds(1), T0, "HTTP 500", 0, 0);
        assertFalse(hooks.progress(hook.id(), "node-2", 0, failed), "not the holder");
        assertTrue(hooks.progress(hook.id(), "node-1", 0, failed));
        assertEquals(failed, hooks.find(tenant.id(), hook.id()).orElseThrow().delivery());
        Webhook.Delivery done = new Webhook.Delivery(7, 0, null, T0.plusSeconds(1), null, 0, 2);
        assertFalse(hooks.progress(hook.id(), "node-1", 5, done), "the cursor moved meanwhile");
        assertTrue(hooks.progress(hook.id(), "node-1", 0, done));
        assertEquals(done, hooks.find(tenant.id(), hook.id()).orElseThrow().delivery());
        assertFalse(hooks.lease(hook.id(), "node-2", T0.plusSeconds(121), T0.plusSeconds(180), failed),
                "an attempt was recorded since that state was read");
        assertTrue(hooks.lease(hook.id(), "node-2", T0.plusSeconds(121), T0.plusSeconds(180), done), "node-1's lease ran out");
        assertFalse(hooks.lease(-1, "node-2", T0, T0.plusSeconds(1), done), "no such webhook");
    }
}
