package io.cloudpark.events;

import java.time.Instant;
import java.util.List;
import java.util.Optional;

/**
 * Where webhooks and their delivery state are kept. Every method is one transaction and may throw
 * {@link io.cloudpark.park.StoreUnavailableException}.
 */
public interface WebhookStore {

    /** A new webhook, whose delivery starts after event {@code startAfter}. */
    Webhook create(long tenantId, String url, String secret, List<String> eventTypes, boolean enabled, Instant now,
                   long startAfter);

    List<Webhook> list(long tenantId);

    Optional<Webhook> find(long tenantId, long id);

    long count(long tenantId);

    /** Changes what is given; {@code secret} null keeps it. Empty if there is no such webhook in the tenant. */
    Optional<Webhook> update(long tenantId, long id, String url, String secret, List<String> eventTypes, boolean enabled);

    boolean delete(long tenantId, long id);

    /** Every enabled webhook, of every tenant. */
    List<Webhook> enabled();

    /**
     * Makes {@code node} the one node delivering the webhook until {@code until}, if no other node holds it now and
     * its delivery is still where {@code seen} found it (same cursor, same failed attempts: no attempt was recorded
     * since it was read); false otherwise.
     */
    boolean lease(long id, String node, Instant now, Instant until, Webhook.Delivery seen);

    /**
     * Stores the delivery state, if {@code node} still holds the lease and the cursor is still {@code expectedThrough}
     * (nothing else moved it meanwhile); false otherwise.
     */
    boolean progress(long id, String node, long expectedThrough, Webhook.Delivery delivery);
}
