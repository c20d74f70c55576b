package io.cloudpark.store;

import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.ReentrantLock;

import org.apache.log4j.Logger;

import com.github.benmanes.caffeine.cache.Cache;
import com.github.benmanes.caffeine.cache.Caffeine;
import com.github.benmanes.caffeine.cache.Ticker;

import io.cloudpark.park.StoreUnavailableException;
import io.cloudpark.tenant.Binding;
import io.cloudpark.tenant.RegistrationStore;

/**
 * The registered devices of each extension, kept in memory: every park and retrieve tells them, and they change only
 * when a device registers. A change through this node drops the extension's entry at once, after its commit. A change
 * on another node is seen within {@link #POLL_EVERY} (plus one poll's time): each change also leaves a row in
 * {@code registration_change}, which the first lookup after {@link #POLL_EVERY} reads, dropping what changed since
 * the last poll. Should that fail (no database), an entry is still never older than {@link #TTL}.
 * <p>
 * Expiry needs no invalidation: an entry holds every binding row of the extension, and each lookup drops those
 * expired by its {@code now}.
 */
final class CachedRegistrationStore implements RegistrationStore {
    private static final Logger LOG = Logger.getLogger(CachedRegistrationStore.class);
    static final Duration POLL_EVERY = Duration.ofSeconds(1);
    /**
     * The upper bound when polls fail. Long: the invalidations keep entries right, and each reload is a query on the
     * park path.
     */
    static final Duration TTL = Duration.ofMinutes(5);
    /**
     * A change is stamped when its transaction starts and seen when it commits: a poll looks this far back before the
     * previous one, longer than any registration transaction takes (the lock timeout is 5 s).
     */
    static final Duration POLL_OVERLAP = Duration.ofSeconds(10);
    /** Change rows are kept this long, then purged with the expired bindings. */
    static final Duration CHANGES_KEPT = Duration.ofMinutes(5);
    static final int MAX_EXTENSIONS = 200_000;

    private final RegistrationStore store;
    private final Jdbc jdbc;
    private final Clock clock;
    private final Cache<Long, List<Binding>> devices;
    private final ReentrantLock polling = new ReentrantLock();
    private volatile long nextPollMillis;
    /** The database's time of the last poll; null until the first one. Guarded by {@link #polling}. */
    private OffsetDateTime lastPoll;

    CachedRegistrationStore(RegistrationStore store, Jdbc jdbc, Clock clock) {
        this.store = store;
        this.jdbc = jdbc;
        this.clock = clock;
        Ticker ticker = () -> TimeUnit.MILLISECONDS.toNanos(clock.millis());
        // evictions run on the caller's thread: no background pool in the container
        this.devices = Caffeine.newBuilder().ticker(ticker).executor(Runnable::run)
                .expireAfterWrite(TTL).maximumSize(MAX_EXTENSIONS).build();
    }

    @Override
    public List<Binding> activeBindings(long extensionId, Instant now) {
        pollIfDue();
        // every row of the extension, expired ones too (the purge removes them within a minute): the entry is then
        // right for any "now", and each lookup drops what has expired by its own
        List<Binding> loaded = devices.get(extensionId, id -> store.activeBindings(id, Instant.EPOCH));
        List<Binding> active = new ArrayList<>(loaded.size());
        for (Binding binding : loaded) {
            if (binding.expiresAt().isAfter(now)) {
                active.add(binding);
            }
        }
        return active;
    }

    @Override
    public void putBinding(long extensionId, Binding binding) {
        try {
            store.putBinding(extensionId, binding);
        } finally {
            changed(extensionId);
        }
    }

    @Override
    public void refuseParkInfo(long extensionId, String contactUri) {
        try {
            store.refuseParkInfo(extensionId, contactUri);
        } finally {
            changed(extensionId);
        }
    }

    @Override
    public void removeBinding(long extensionId, String contactUri) {
        try {
            store.removeBinding(extensionId, contactUri);
        } finally {
            changed(extensionId);
        }
    }

    @Override
    public void removeAll(long extensionId) {
        try {
            store.removeAll(extensionId);
        } finally {
            changed(extensionId);
        }
    }

    @Override
    public int purgeExpired(Instant now) {
        int purged = store.purgeExpired(now);
        jdbc.call(c -> {
            try (PreparedStatement delete = c.prepareStatement("delete from registration_change where changed_at < ?")) {
                delete.setObject(1, OffsetDateTime.ofInstant(now.minus(CHANGES_KEPT), ZoneOffset.UTC));
                return delete.executeUpdate();
            }
        });
        return purged;
    }

    /** After the change committed (or failed, which may have committed): here at once, elsewhere by the next poll. */
    private void changed(long extensionId) {
        devices.invalidate(extensionId);
        try {
            jdbc.call(c -> {
                try (PreparedStatement insert = c.prepareStatement("insert into registration_change (extension_id) values (?)")) {
                    insert.setLong(1, extensionId);
                    return insert.executeUpdate();
                }
            });
        } catch (StoreUnavailableException e) {
            LOG.warn("registration change of extension " + extensionId + " not recorded for the other nodes ("
                    + e.getMessage() + "); they see it within " + TTL.toSeconds() + " s");
        }
    }

    /** One caller at a time polls, at most every {@link #POLL_EVERY}; the others go on with what is cached. */
    private void pollIfDue() {
        if (clock.millis() < nextPollMillis || !polling.tryLock()) {
            return;
        }
        try {
            if (clock.millis() < nextPollMillis) {
                return;
            }
            nextPollMillis = clock.millis() + POLL_EVERY.toMillis();
            OffsetDateTime since = lastPoll == null ? null : lastPoll.minus(POLL_OVERLAP);
            List<Long> changed = new ArrayList<>();
            lastPoll = jdbc.call(c -> {
                OffsetDateTime dbNow;
                try (PreparedStatement now = c.prepareStatement("select current_timestamp");
                     ResultSet row = now.executeQuery()) {
                    row.next();
                    dbNow = row.getObject(1, OffsetDateTime.class);
                }
                if (since != null) {
                    try (PreparedStatement select = c.prepareStatement(
                            "select distinct extension_id from registration_change where changed_at >= ?")) {
                        select.setObject(1, since);
                        try (ResultSet rows = select.executeQuery()) {
                            while (rows.next()) {
                                changed.add(rows.getLong(1));
                            }
                        }
                    }
                }
                return dbNow;
            });
            // the first poll only sets the time: what changed before it is within the next one's overlap
            devices.invalidateAll(changed);
        } catch (StoreUnavailableException e) {
            LOG.debug("registration changes not polled: " + e.getMessage());
        } finally {
            polling.unlock();
        }
    }
}
