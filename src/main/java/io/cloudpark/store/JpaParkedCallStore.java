package io.cloudpark.store;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Optional;

import javax.persistence.TypedQuery;

import io.cloudpark.park.EndedPark;
import io.cloudpark.park.HistoryQuery;
import io.cloudpark.park.ParkInfo;
import io.cloudpark.park.ParkStatus;
import io.cloudpark.park.ParkedCall;
import io.cloudpark.park.ParkedCallStore;
import io.cloudpark.park.Party;
import io.cloudpark.park.Resolution;

/**
 * The concurrency rules live in the SQL: parks at one extension are serialised by a row lock on that extension,
 * every claim of a call is a conditional UPDATE/DELETE whose row count says who won.
 * <p>
 * The statements of the park path (park, parked, claim, end, and the reads that go with them) are plain JDBC, one
 * statement per change, each returning what it changed ({@code UPDATE … RETURNING} on PostgreSQL, H2's
 * {@code SELECT … FROM FINAL TABLE (UPDATE …)}): no entity is loaded to be changed, nothing is read back that the
 * change already told. The listings and the history stay JPA.
 */
final class JpaParkedCallStore implements ParkedCallStore {
    private static final String PARKED_REASON = "parked";
    private static final String COLUMNS = "id, tenant_id, extension, parked_uri, parked_display, parker_uri,"
            + " parker_display, parker_extension, parked_at, recall_at, status, owner_node";

    private final Transactions tx;
    private final Jdbc jdbc;
    private final Returning returning;

    JpaParkedCallStore(Transactions tx, Jdbc jdbc, Returning returning) {
        this.tx = tx;
        this.jdbc = jdbc;
        this.returning = returning;
    }

    @Override
    public boolean insertHolding(ParkedCall call, int maxPerExtension) {
        return jdbc.call(c -> {
            // concurrent parks at this extension wait on its row lock, so each one counts the calls the others stored;
            // the count is a statement of its own: PostgreSQL reads it as of the statement's start, before the wait
            try (PreparedStatement lock = c.prepareStatement(
                    "select id from extension where tenant_id = ? and number = ? for update")) {
                lock.setLong(1, call.tenantId());
                lock.setString(2, call.extension());
                try (ResultSet row = lock.executeQuery()) {
                    if (!row.next()) {
                        throw new IllegalArgumentException("no extension " + call.extension() + " in tenant "
                                + call.tenantId() + ": the caller must check it exists before parking");
                    }
                }
            }
            long parked;
            try (PreparedStatement count = c.prepareStatement(
                    "select count(*) from parked_call where tenant_id = ? and extension = ?")) {
                count.setLong(1, call.tenantId());
                count.setString(2, call.extension());
                try (ResultSet row = count.executeQuery()) {
                    row.next();
                    parked = row.getLong(1);
                }
            }
            if (parked >= maxPerExtension) {
                return false;
            }
            try (PreparedStatement insert = c.prepareStatement("insert into parked_call (" + COLUMNS + ")"
                    + " values (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)")) {
                bindCall(insert, call.withStatus(ParkStatus.HOLDING));
                insert.executeUpdate();
            }
            return true;
        });
    }

    @Override
    public boolean transition(String id, ParkStatus from, ParkStatus to) {
        return jdbc.call(c -> {
            try (PreparedStatement update = c.prepareStatement("update parked_call set status = ? where id = ? and status = ?")) {
                update.setString(1, to.name());
                update.setString(2, id);
                update.setString(3, from.name());
                return update.executeUpdate() == 1;
            }
        });
    }

    @Override
    public Optional<ParkedCall> claimOldest(long tenantId, List<String> extensions, Optional<String> parkId,
                                            String ownerNode) {
        if (extensions.isEmpty()) {
            return Optional.empty();
        }
        String in = String.join(", ", Collections.nCopies(extensions.size(), "?"));
        // of the PARKED calls there the oldest, and only if this node holds it: the status test in the outer WHERE is
        // re-checked under the row lock, so of concurrent claimants exactly one gets the row back
        String sql = returning.sql("update parked_call set status = ? where status = ? and owner_node = ? and id ="
                + " (select id from parked_call where tenant_id = ? and extension in (" + in + ") and status = ?"
                + (parkId.isPresent() ? " and id = ?" : "")
                + " order by parked_at, id fetch first 1 row only)", COLUMNS, false);
        return jdbc.call(c -> {
            try (PreparedStatement claim = c.prepareStatement(sql)) {
                int i = 1;
                claim.setString(i++, ParkStatus.RETRIEVING.name());
                claim.setString(i++, ParkStatus.PARKED.name());
                claim.setString(i++, ownerNode);
                claim.setLong(i++, tenantId);
                for (String extension : extensions) {
                    claim.setString(i++, extension);
                }
                claim.setString(i++, ParkStatus.PARKED.name());
                if (parkId.isPresent()) {
                    claim.setString(i, parkId.get());
                }
                try (ResultSet row = claim.executeQuery()) {
                    return row.next() ? Optional.of(call(row)) : Optional.<ParkedCall>empty();
                }
            }
        });
    }

    @Override
    public Optional<ParkInfo> markParked(String id, String parkedDialog) {
        String sql = returning.sql("update parked_call set status = ?, parked_dialog = ? where id = ? and status = ?",
                "tenant_id, extension", false);
        return jdbc.call(c -> {
            long tenantId;
            String extension;
            try (PreparedStatement update = c.prepareStatement(sql)) {
                update.setString(1, ParkStatus.PARKED.name());
                update.setString(2, parkedDialog);
                update.setString(3, id);
                update.setString(4, ParkStatus.HOLDING.name());
                try (ResultSet row = update.executeQuery()) {
                    if (!row.next()) {
                        return Optional.<ParkInfo>empty();
                    }
                    tenantId = row.getLong("tenant_id");
                    extension = row.getString("extension");
                }
            }
            return Optional.of(bumpVersion(c, tenantId, extension, PARKED_REASON, id));
        });
    }

    @Override
    public Optional<String> parkedDialog(String id) {
        return tx.call(em -> Optional.ofNullable(em.find(ParkedCallEntity.class, id)).map(ParkedCallEntity::parkedDialog));
    }

    @Override
    public boolean adopt(String id, String deadNode, String survivor) {
        return tx.call(em -> em.createQuery("update ParkedCallEntity c set c.call.status = :to, c.call.ownerNode = :survivor"
                        + " where c.id = :id and c.call.status = :from and c.call.ownerNode = :dead")
                .setParameter("to", ParkStatus.REPARKING)
                .setParameter("survivor", survivor)
                .setParameter("id", id)
                .setParameter("from", ParkStatus.PARKED)
                .setParameter("dead", deadNode)
                .executeUpdate() == 1);
    }

    @Override
    public Optional<ParkedCall> takeOver(String id, String owner, String parkedDialog) {
        return tx.call(em -> {
            int changed = em.createQuery("update ParkedCallEntity c set c.call.status = :to, c.call.ownerNode = :owner,"
                            + " c.parkedDialog = :dialog where c.id = :id and c.call.status = :from")
                    .setParameter("to", ParkStatus.PARKED)
                    .setParameter("owner", owner)
                    .setParameter("dialog", parkedDialog)
                    .setParameter("id", id)
                    .setParameter("from", ParkStatus.REPARKING)
                    .executeUpdate();
            if (changed != 1) {
                return Optional.empty();
            }
            em.clear(); // the bulk update bypassed the persistence context: read the row as stored
            return Optional.ofNullable(em.find(ParkedCallEntity.class, id)).map(ParkedCallEntity::toDomain);
        });
    }

    @Override
    public Optional<ParkInfo> end(String id, Resolution resolution, Instant endedAt, String endedBy) {
        String sql = returning.sql("delete from parked_call where id = ?", COLUMNS, true);
        return jdbc.call(c -> {
            // a concurrent end waits on this row's lock and then deletes nothing: exactly one end wins
            ParkedCall call;
            try (PreparedStatement delete = c.prepareStatement(sql)) {
                delete.setString(1, id);
                try (ResultSet row = delete.executeQuery()) {
                    if (!row.next()) {
                        return Optional.<ParkInfo>empty();
                    }
                    call = call(row);
                }
            }
            try (PreparedStatement history = c.prepareStatement("insert into park_history (park_id, tenant_id, extension,"
                    + " parked_uri, parked_display, parker_uri, parker_display, parker_extension, parked_at, recall_at,"
                    + " status, owner_node, resolution, ended_at, ended_by) values (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)")) {
                bindCall(history, call);
                history.setString(13, resolution.name());
                Jdbc.setInstant(history, 14, endedAt);
                history.setString(15, endedBy);
                history.executeUpdate();
            }
            return Optional.of(bumpVersion(c, call.tenantId(), call.extension(), resolution.noticeReason(), id));
        });
    }

    @Override
    public ParkInfo snapshot(long tenantId, String extension, String reason) {
        return jdbc.call(c -> {
            long version = 0; // an extension that does not exist: nothing was ever parked there
            try (PreparedStatement select = c.prepareStatement(
                    "select park_info_version from extension where tenant_id = ? and number = ?")) {
                select.setLong(1, tenantId);
                select.setString(2, extension);
                try (ResultSet row = select.executeQuery()) {
                    if (row.next()) {
                        version = row.getLong(1);
                    }
                }
            }
            return new ParkInfo(tenantId, extension, version, reason, null, callsAt(c, tenantId, extension));
        });
    }

    @Override
    public List<ParkedCall> parkedAt(long tenantId, String extension) {
        return jdbc.call(c -> callsAt(c, tenantId, extension));
    }

    @Override
    public List<ParkedCall> parkedInTenant(long tenantId) {
        return tx.call(em -> em.createQuery("select c from ParkedCallEntity c where c.call.tenantId = :tenant"
                        + " order by c.call.parkedAt, c.id", ParkedCallEntity.class)
                .setParameter("tenant", tenantId)
                .getResultStream().map(ParkedCallEntity::toDomain).toList());
    }

    @Override
    public Optional<ParkedCall> find(long tenantId, String id) {
        return tx.call(em -> em.createQuery("select c from ParkedCallEntity c where c.id = :id and c.call.tenantId = :tenant",
                        ParkedCallEntity.class)
                .setParameter("id", id)
                .setParameter("tenant", tenantId)
                .getResultStream().findFirst().map(ParkedCallEntity::toDomain));
    }

    @Override
    public List<ParkedCall> ownedBy(String nodeId) {
        return tx.call(em -> em.createQuery("select c from ParkedCallEntity c where c.call.ownerNode = :node"
                        + " order by c.call.parkedAt, c.id", ParkedCallEntity.class)
                .setParameter("node", nodeId)
                .getResultStream().map(ParkedCallEntity::toDomain).toList());
    }

    @Override
    public List<EndedPark> history(long tenantId, HistoryQuery query) {
        if (query.limit() <= 0) {
            return List.of();
        }
        StringBuilder where = new StringBuilder(" where h.call.tenantId = :tenant");
        if (query.extension() != null) {
            where.append(" and h.call.extension = :extension");
        }
        if (query.resolution() != null) {
            where.append(" and h.resolution = :resolution");
        }
        if (query.since() != null) {
            where.append(" and h.endedAt >= :since");
        }
        if (query.until() != null) {
            where.append(" and h.endedAt < :until");
        }
        if (query.after() != null) {
            // the same order as below: older, or as old and stored earlier
            where.append(" and (h.endedAt < :afterEnded or (h.endedAt = :afterEnded and h.id <"
                    + " (select max(p.id) from ParkHistoryEntity p where p.parkId = :afterPark)))");
        }
        return tx.call(em -> {
            TypedQuery<ParkHistoryEntity> select = em.createQuery("select h from ParkHistoryEntity h" + where
                            + " order by h.endedAt desc, h.id desc", ParkHistoryEntity.class)
                    .setParameter("tenant", tenantId)
                    .setMaxResults(query.limit());
            if (query.extension() != null) {
                select.setParameter("extension", query.extension());
            }
            if (query.resolution() != null) {
                select.setParameter("resolution", query.resolution());
            }
            if (query.since() != null) {
                select.setParameter("since", query.since());
            }
            if (query.until() != null) {
                select.setParameter("until", query.until());
            }
            if (query.after() != null) {
                select.setParameter("afterEnded", query.after().endedAt()).setParameter("afterPark", query.after().parkId());
            }
            return select.getResultStream().map(ParkHistoryEntity::toDomain).toList();
        });
    }

    /** Counts a change at the extension; its row lock keeps the version and the calls read after it consistent. */
    private ParkInfo bumpVersion(Connection c, long tenantId, String extension, String reason, String parkId)
            throws SQLException {
        long version;
        try (PreparedStatement bump = c.prepareStatement(returning.sql("update extension"
                + " set park_info_version = park_info_version + 1 where tenant_id = ? and number = ?",
                "park_info_version", false))) {
            bump.setLong(1, tenantId);
            bump.setString(2, extension);
            try (ResultSet row = bump.executeQuery()) {
                version = row.next() ? row.getLong(1) : 0;
            }
        }
        return new ParkInfo(tenantId, extension, version, reason, parkId, callsAt(c, tenantId, extension));
    }

    private static List<ParkedCall> callsAt(Connection c, long tenantId, String extension) throws SQLException {
        try (PreparedStatement select = c.prepareStatement("select " + COLUMNS + " from parked_call"
                + " where tenant_id = ? and extension = ? order by parked_at, id")) {
            select.setLong(1, tenantId);
            select.setString(2, extension);
            List<ParkedCall> calls = new ArrayList<>();
            try (ResultSet row = select.executeQuery()) {
                while (row.next()) {
                    calls.add(call(row));
                }
            }
            return calls;
        }
    }

    /** Binds the 12 columns of {@link #COLUMNS} (or, for park_history, park_id and the same 11 after it). */
    private static void bindCall(PreparedStatement statement, ParkedCall call) throws SQLException {
        statement.setString(1, call.id());
        statement.setLong(2, call.tenantId());
        statement.setString(3, call.extension());
        statement.setString(4, call.parked().uri());
        statement.setString(5, call.parked().displayName());
        statement.setString(6, call.parker().uri());
        statement.setString(7, call.parker().displayName());
        statement.setString(8, call.parkerExtension());
        Jdbc.setInstant(statement, 9, call.parkedAt());
        Jdbc.setInstant(statement, 10, call.recallAt());
        statement.setString(11, call.status().name());
        statement.setString(12, call.ownerNode());
    }

    private static ParkedCall call(ResultSet row) throws SQLException {
        return new ParkedCall(row.getString("id"), row.getLong("tenant_id"), row.getString("extension"),
                new Party(row.getString("parked_uri"), row.getString("parked_display")),
                new Party(row.getString("parker_uri"), row.getString("parker_display")),
                row.getString("parker_extension"), Jdbc.getInstant(row, "parked_at"), Jdbc.getInstant(row, "recall_at"),
                ParkStatus.valueOf(row.getString("status")), row.getString("owner_node"));
    }
}
