package io.cloudpark.store;

import java.time.Instant;
import java.util.Arrays;
import java.util.List;

import javax.persistence.Column;
import javax.persistence.Entity;
import javax.persistence.GeneratedValue;
import javax.persistence.GenerationType;
import javax.persistence.Id;
import javax.persistence.Table;

import io.cloudpark.events.Webhook;

@Entity
@Table(name = "webhook")
class WebhookEntity {
    @Id
    @GeneratedValue(strategy = GenerationType.IDENTITY)
    private Long id;

    @Column(name = "tenant_id", nullable = false)
    private long tenantId;

    @Column(name = "url", nullable = false, length = 2048)
    private String url;

    @Column(name = "secret", nullable = false, length = 256)
    private String secret;

    /** comma-separated */
    @Column(name = "event_types", nullable = false, length = 256)
    private String eventTypes;

    @Column(name = "enabled", nullable = false)
    private boolean enabled;

    @Column(name = "created_at", nullable = false)
    private Instant createdAt;

    @Column(name = "delivered_through", nullable = false)
    private long deliveredThrough;

    @Column(name = "attempts", nullable = false)
    private int attempts;

    @Column(name = "next_attempt_at")
    private Instant nextAttemptAt;

    @Column(name = "last_error", length = 512)
    private String lastError;

    @Column(name = "last_attempt_at")
    private Instant lastAttemptAt;

    @Column(name = "given_up", nullable = false)
    private long givenUp;

    @Column(name = "skipped", nullable = false)
    private long skipped;

    @Column(name = "lease_node", length = 128)
    private String leaseNode;

    @Column(name = "lease_until")
    private Instant leaseUntil;

    protected WebhookEntity() {
    }

    WebhookEntity(long tenantId, String url, String secret, List<String> eventTypes, boolean enabled, Instant createdAt,
                  long deliveredThrough) {
        this.tenantId = tenantId;
        this.createdAt = createdAt;
        this.deliveredThrough = deliveredThrough;
        change(url, secret, eventTypes, enabled);
    }

    void change(String url, String secret, List<String> eventTypes, boolean enabled) {
        this.url = url;
        if (secret != null) {
            this.secret = secret;
        }
        this.eventTypes = String.join(",", eventTypes);
        this.enabled = enabled;
    }

    void progress(Webhook.Delivery delivery) {
        deliveredThrough = delivery.deliveredThrough();
        attempts = delivery.attempts();
        nextAttemptAt = delivery.nextAttemptAt();
        lastAttemptAt = delivery.lastAttemptAt();
        lastError = delivery.lastError() == null || delivery.lastError().length() <= 512 ? delivery.lastError()
                : delivery.lastError().substring(0, 512);
        givenUp = delivery.givenUp();
        skipped = delivery.skipped();
    }

    long tenantId() {
        return tenantId;
    }

    long deliveredThrough() {
        return deliveredThrough;
    }

    int attempts() {
        return attempts;
    }

    /** Takes the lease for {@code node} unless another node's lease runs past {@code now}. */
    boolean lease(String node, Instant now, Instant until) {
        if (leaseNode != null && !leaseNode.equals(node) && leaseUntil != null && leaseUntil.isAfter(now)) {
            return false;
        }
        leaseNode = node;
        leaseUntil = until;
        return true;
    }

    boolean leasedTo(String node) {
        return node.equals(leaseNode);
    }

    Webhook toDomain() {
        return new Webhook(id, tenantId, url, secret, Arrays.asList(eventTypes.split(",")), enabled, createdAt,
                new Webhook.Delivery(deliveredThrough, attempts, nextAttemptAt, lastAttemptAt, lastError, givenUp, skipped));
    }
}
