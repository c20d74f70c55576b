package io.cloudpark.store;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;

import io.cloudpark.park.ParkEvent;
import io.cloudpark.park.ParkEventStore;
import io.cloudpark.park.ParkStatus;
import io.cloudpark.park.ParkedCall;
import io.cloudpark.park.Party;
import io.cloudpark.park.Resolution;

/**
 * Plain JDBC, as the park path: the event writer appends every park and end, so its statements run as often as the
 * park path's. Each event is one {@code INSERT … SELECT} copying the park's fields from where the park is now (still
 * parked, or in the history once ended) and handing the stored row back.
 */
final class JdbcParkEventStore implements ParkEventStore {
    private static final String CALL_COLUMNS = "tenant_id, extension, parked_uri, parked_display, parker_uri,"
            + " parker_display, parker_extension, parked_at, recall_at";
    private static final String COLUMNS = "id, type, park_id, " + CALL_COLUMNS
            + ", status, owner_node, resolution, ended_by, occurred_at";
    private static final String INTO = "insert into park_event (type, park_id, " + CALL_COLUMNS
            + ", status, owner_node, resolution, ended_by, occurred_at) select ?, ?, " + CALL_COLUMNS;

    private final Jdbc jdbc;
    private final String fromParked;
    private final String fromHistory;

    JdbcParkEventStore(Jdbc jdbc, Returning returning) {
        this.jdbc = jdbc;
        // a park announced as parked was PARKED then, whatever it is by the time this is written
        String status = "coalesce(?, status), owner_node, ?, ?, ?";
        this.fromParked = returning.sql(INTO + ", " + status + " from parked_call where id = ?", COLUMNS, false);
        this.fromHistory = returning.sql(INTO + ", " + status + " from park_history where id ="
                + " (select min(id) from park_history where park_id = ?)", COLUMNS, false);
    }

    @Override
    public List<ParkEvent> append(List<ParkEvent.Occurrence> occurrences) {
        return jdbc.call(c -> {
            List<ParkEvent> recorded = new ArrayList<>(occurrences.size());
            try (PreparedStatement parked = c.prepareStatement(fromParked);
                 PreparedStatement ended = c.prepareStatement(fromHistory)) {
                for (ParkEvent.Occurrence occurrence : occurrences) {
                    if (!insert(parked, occurrence, recorded)) {
                        insert(ended, occurrence, recorded); // a park that has left parked_call: nothing if unknown
                    }
                }
            }
            return recorded;
        });
    }

    private static boolean insert(PreparedStatement insert, ParkEvent.Occurrence occurrence, List<ParkEvent> recorded)
            throws SQLException {
        insert.setString(1, occurrence.type());
        insert.setString(2, occurrence.parkId());
        insert.setString(3, occurrence.resolution() == null ? ParkStatus.PARKED.name() : null);
        insert.setString(4, occurrence.resolution() == null ? null : occurrence.resolution().name());
        insert.setString(5, occurrence.endedBy());
        Jdbc.setInstant(insert, 6, occurrence.at());
        insert.setString(7, occurrence.parkId());
        try (ResultSet row = insert.executeQuery()) {
            if (!row.next()) {
                return false;
            }
            recorded.add(event(row));
            return true;
        }
    }

    @Override
    public List<ParkEvent> after(long afterId, int limit) {
        return jdbc.call(c -> events(c, "select " + COLUMNS + " from park_event where id > ? order by id"
                + " fetch first ? rows only", afterId, limit));
    }

    @Override
    public List<ParkEvent> after(long tenantId, long afterId, long throughId, int limit) {
        return jdbc.call(c -> events(c, "select " + COLUMNS + " from park_event where tenant_id = ? and id > ?"
                + " and id <= ? order by id fetch first ? rows only", tenantId, afterId, throughId, limit));
    }

    @Override
    public long countAfter(long tenantId, long afterId, long throughId) {
        return jdbc.call(c -> number(c, "select count(*) from park_event where tenant_id = ? and id > ? and id <= ?",
                tenantId, afterId, throughId));
    }

    @Override
    public long lastId() {
        return jdbc.call(c -> number(c, "select coalesce(max(id), 0) from park_event"));
    }

    @Override
    public int prune(Instant before, int keep) {
        return jdbc.call(c -> {
            int deleted;
            try (PreparedStatement old = c.prepareStatement("delete from park_event where occurred_at < ?")) {
                Jdbc.setInstant(old, 1, before);
                deleted = old.executeUpdate();
            }
            // of what is left, only the newest `keep`
            try (PreparedStatement beyond = c.prepareStatement("delete from park_event where id <"
                    + " (select id from park_event order by id desc offset ? rows fetch first 1 row only)")) {
                beyond.setLong(1, keep - 1L);
                deleted += beyond.executeUpdate();
            }
            return deleted;
        });
    }

    private static List<ParkEvent> events(Connection c, String sql, long... parameters) throws SQLException {
        try (PreparedStatement query = bind(c.prepareStatement(sql), parameters); ResultSet rows = query.executeQuery()) {
            List<ParkEvent> events = new ArrayList<>();
            while (rows.next()) {
                events.add(event(rows));
            }
            return events;
        }
    }

    private static long number(Connection c, String sql, long... parameters) throws SQLException {
        try (PreparedStatement query = bind(c.prepareStatement(sql), parameters); ResultSet row = query.executeQuery()) {
            row.next();
            return row.getLong(1);
        }
    }

    private static PreparedStatement bind(PreparedStatement statement, long... parameters) throws SQLException {
        for (int i = 0; i < parameters.length; i++) {
            statement.setLong(i + 1, parameters[i]);
        }
        return statement;
    }

    private static ParkEvent event(ResultSet row) throws SQLException {
        String parkId = row.getString("park_id");
        ParkedCall call = new ParkedCall(parkId, row.getLong("tenant_id"), row.getString("extension"),
                new Party(row.getString("parked_uri"), row.getString("parked_display")),
                new Party(row.getString("parker_uri"), row.getString("parker_display")),
                row.getString("parker_extension"), Jdbc.getInstant(row, "parked_at"), Jdbc.getInstant(row, "recall_at"),
                ParkStatus.valueOf(row.getString("status")), row.getString("owner_node"));
        String resolution = row.getString("resolution");
        return new ParkEvent(row.getLong("id"), row.getString("type"), call, Jdbc.getInstant(row, "occurred_at"),
                resolution == null ? null : Resolution.valueOf(resolution), row.getString("ended_by"));
    }
}
