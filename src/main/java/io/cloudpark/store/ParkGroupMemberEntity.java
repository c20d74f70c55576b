package io.cloudpark.store;

import java.io.Serializable;
import java.util.Objects;

import javax.persistence.Column;
import javax.persistence.Entity;
import javax.persistence.Id;
import javax.persistence.IdClass;
import javax.persistence.Table;

@Entity
@Table(name = "park_group_member")
@IdClass(ParkGroupMemberEntity.Key.class)
class ParkGroupMemberEntity {
    @Id
    @Column(name = "group_id", nullable = false)
    private long groupId;

    @Id
    @Column(name = "position", nullable = false)
    private int position;

    @Column(name = "extension_id", nullable = false)
    private long extensionId;

    protected ParkGroupMemberEntity() {
    }

    ParkGroupMemberEntity(long groupId, int position, long extensionId) {
        this.groupId = groupId;
        this.position = position;
        this.extensionId = extensionId;
    }

    static final class Key implements Serializable {
        private static final long serialVersionUID = 1L;
        private long groupId;
        private int position;

        @Override
        public boolean equals(Object o) {
            return o instanceof Key k && k.groupId == groupId && k.position == position;
        }

        @Override
        public int hashCode() {
            return Objects.hash(groupId, position);
        }
    }
}
