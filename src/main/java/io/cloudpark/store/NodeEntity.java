package io.cloudpark.store;

import java.time.Instant;

import javax.persistence.Column;
import javax.persistence.Entity;
import javax.persistence.Id;
import javax.persistence.Table;

import io.cloudpark.cluster.Node;

@Entity
@Table(name = "node")
class NodeEntity {
    @Id
    @Column(name = "id", length = 128)
    private String id;

    @Column(name = "sip_uri", nullable = false)
    private String sipUri;

    @Column(name = "started_at", nullable = false)
    private Instant startedAt;

    @Column(name = "last_seen", nullable = false)
    private Instant lastSeen;

    @Column(name = "reaped_at")
    private Instant reapedAt;

    protected NodeEntity() {
    }

    NodeEntity(String id, String sipUri, Instant startedAt, Instant lastSeen) {
        this.id = id;
        this.sipUri = sipUri;
        this.startedAt = startedAt;
        this.lastSeen = lastSeen;
    }

    Node toDomain() {
        return new Node(id, sipUri, startedAt, lastSeen, reapedAt);
    }
}
