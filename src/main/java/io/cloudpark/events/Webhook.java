package io.cloudpark.events;

import java.time.Instant;
import java.util.List;

/**
 * A tenant's webhook: its park events of the chosen types are POSTed to {@code url}, signed with {@code secret},
 * one at a time in number order.
 *
 * @param secret     the HMAC key; never shown, never logged
 * @param eventTypes which event types are sent (see {@link io.cloudpark.park.ParkEvent#TYPES})
 * @param delivery   where its delivery stands
 */
public record Webhook(long id, long tenantId, String url, String secret, List<String> eventTypes, boolean enabled,
                      Instant createdAt, Delivery delivery) {
    public Webhook {
        eventTypes = List.copyOf(eventTypes);
    }

    /**
     * The persisted delivery queue of one webhook: every event of its tenant numbered above {@code deliveredThrough}.
     *
     * @param deliveredThrough the last event delivered, passed over (not of its types), given up or skipped
     * @param attempts         failed attempts at the event after it
     * @param nextAttemptAt    when to try again (null: now)
     * @param lastAttemptAt    when it last tried, successfully or not
     * @param lastError        why the last attempt failed (null after a success)
     * @param givenUp          events given up after the last attempt failed
     * @param skipped          events skipped unsent because the backlog was full
     */
    public record Delivery(long deliveredThrough, int attempts, Instant nextAttemptAt, Instant lastAttemptAt,
                           String lastError, long givenUp, long skipped) {
    }

    /** Without the secret. */
    @Override
    public String toString() {
        return "Webhook[id=" + id + ", tenantId=" + tenantId + ", url=" + url + ", eventTypes=" + eventTypes
                + ", enabled=" + enabled + ", delivery=" + delivery + "]";
    }
}
