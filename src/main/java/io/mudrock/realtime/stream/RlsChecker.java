package io.mudrock.realtime.stream;

import io.mudrock.realtime.changes.ColumnInfo;
import io.mudrock.realtime.changes.values.PgType;
import io.mudrock.realtime.changes.RowChange;
import io.mudrock.realtime.changes.TableInfo;
import java.sql.Array;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.BitSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.LongAdder;
import java.util.concurrent.locks.LockSupport;

/**
 * Row level security for INSERT and UPDATE changes (§7.3): which rows can a group's role, with
 * its JWT claims set, SELECT by primary key. Policies run in the database, so {@code auth.uid()}
 * and {@code auth.jwt()} work as on Supabase.
 *
 * <p>One round trip per batch for up to {@value #GROUPS_PER_ROUND_TRIP} groups: a single
 * multi-statement execution that, for each group in turn, sets the role and claims as
 * transaction-local settings, reads {@code current_user} back (a check that the role really
 * applies, failing closed), and asks each table once for the batch's keys with
 * {@code unnest(...) with ordinality}. The statements share one implicit transaction (one Sync),
 * so the settings never outlive it, and they run on the stream's pool with a statement timeout.
 * An error aborts the whole execution, so the caller then re-checks each group alone: a group
 * whose policy raises loses only its own rows.
 */
final class RlsChecker {

    private final StreamDatabase database;
    private final Duration timeout;
    private final LongAdder roundTrips = new LongAdder();
    private final int groupsPerRoundTrip;

    /** Groups per round trip by default: 50 tenants' claims groups fit one, a statement stays small. */
    static final int GROUPS_PER_ROUND_TRIP = 64;

    RlsChecker(StreamDatabase database, Duration timeout) {
        this(database, timeout, GROUPS_PER_ROUND_TRIP);
    }

    RlsChecker(StreamDatabase database, Duration timeout, int groupsPerRoundTrip) {
        this.database = database;
        this.timeout = timeout;
        this.groupsPerRoundTrip = groupsPerRoundTrip;
    }

    /** The rows one group asks about: changes per table, each with its position in the batch. */
    static final class Request {
        private final Map<TableInfo, List<Integer>> positions = new LinkedHashMap<>();
        private final Map<TableInfo, List<RowChange>> changes = new LinkedHashMap<>();
        private int lastPosition = -1;
        private int size;

        /** Asks about a change; positions come in ascending order, each at most once. */
        void add(int position, RowChange change) {
            if (position == lastPosition) {
                return; // several bindings of the group matched the same change
            }
            lastPosition = position;
            size++;
            positions.computeIfAbsent(change.table(), t -> new ArrayList<>()).add(position);
            changes.computeIfAbsent(change.table(), t -> new ArrayList<>()).add(change);
        }

        /** How many changes are asked about. */
        int size() {
            return size;
        }

        Iterable<TableInfo> tables() {
            return changes.keySet();
        }
    }

    /** A check the database refused (a policy raised an error, the statement timed out). */
    static final class Refused extends Exception {
        private final TableInfo table;

        Refused(TableInfo table, SQLException cause) {
            super(cause.getMessage(), cause);
            this.table = table;
        }

        /** The table whose query failed, or null if the settings themselves failed. */
        TableInfo table() {
            return table;
        }
    }

    /** @return how many checks (round trips) ran, for the status report and tests */
    long roundTrips() {
        return roundTrips.sum();
    }

    /** @return how many groups at most share one round trip */
    int groupsPerRoundTrip() {
        return groupsPerRoundTrip;
    }

    /**
     * Runs one group's check.
     *
     * @return the batch positions the group may see
     * @throws Refused      when the database refused the check (the rows are withheld)
     * @throws SQLException when the database cannot be reached (the stream treats it as lost)
     */
    BitSet check(ClaimsGroup group, Request request, long[] xids) throws SQLException, Refused {
        return checkAll(List.of(Map.entry(group, request)), xids).get(group);
    }

    /**
     * Runs several groups' checks in one round trip (at most {@link #groupsPerRoundTrip()} of
     * them, which bounds the statement's size and the work one failure throws away).
     *
     * @return per group, the batch positions it may see
     * @throws Refused      when the database refused any part of it (the caller re-checks alone)
     * @throws SQLException when the database cannot be reached (the stream treats it as lost)
     */
    Map<ClaimsGroup, BitSet> checkAll(List<Map.Entry<ClaimsGroup, Request>> groups, long[] xids)
            throws SQLException, Refused {
        if (groups.size() > groupsPerRoundTrip) {
            throw new IllegalArgumentException(groups.size() + " groups in one round trip, at most " + groupsPerRoundTrip);
        }
        long deadline = System.nanoTime() + timeout.toNanos();
        while (true) {
            Map<ClaimsGroup, BitSet> visible = attempt(groups, xids);
            if (visible != null) {
                return visible;
            }
            if (System.nanoTime() > deadline) {
                throw new Refused(null, new SQLException("the changes' transactions never became visible"));
            }
            LockSupport.parkNanos(100_000);
        }
    }

    /**
     * One round trip: the visibility probe, then per group its settings, {@code current_user}
     * and its tables. Every group sets all five settings, so nothing of the previous group's
     * role or claims survives into the next (a group without a subject sets it empty, so
     * {@code auth.uid()} is null).
     *
     * @return the visible positions per group, or null if a transaction of the batch is not visible yet
     */
    private Map<ClaimsGroup, BitSet> attempt(List<Map.Entry<ClaimsGroup, Request>> groups, long[] xids)
            throws SQLException, Refused {
        StringBuilder sql = new StringBuilder(VISIBLE_SQL);
        List<List<TableInfo>> tablesPerGroup = new ArrayList<>();
        for (Map.Entry<ClaimsGroup, Request> group : groups) {
            sql.append("; ").append(SETTINGS_SQL).append("; select current_user::text");
            List<TableInfo> tables = new ArrayList<>();
            for (TableInfo table : group.getValue().tables()) {
                tables.add(table);
                sql.append("; ").append(query(table));
            }
            tablesPerGroup.add(tables);
        }
        Map<ClaimsGroup, BitSet> visible = new LinkedHashMap<>();
        roundTrips.increment();
        try (Connection connection = database.connection(); PreparedStatement statement = connection.prepareStatement(sql.toString())) {
            if (!connection.getAutoCommit()) {
                connection.setAutoCommit(true);
            }
            List<Array> arrays = new ArrayList<>();
            int p = 1;
            Array xidArray = connection.createArrayOf("int8", Arrays.stream(xids).boxed().toArray());
            arrays.add(xidArray);
            statement.setArray(p++, xidArray);
            for (int g = 0; g < groups.size(); g++) {
                ClaimsGroup group = groups.get(g).getKey();
                Request request = groups.get(g).getValue();
                statement.setString(p++, group.role());
                statement.setString(p++, group.claimsJson());
                statement.setString(p++, group.subject() == null ? "" : group.subject());
                statement.setString(p++, group.role());
                statement.setString(p++, Long.toString(timeout.toMillis()));
                for (TableInfo table : tablesPerGroup.get(g)) {
                    for (int column : keyColumns(table)) {
                        List<RowChange> rows = request.changes.get(table);
                        Object[] keys = new Object[rows.size()];
                        for (int r = 0; r < keys.length; r++) {
                            keys[r] = rows.get(r).recordValue(column);
                        }
                        Array array = connection.createArrayOf("text", keys);
                        arrays.add(array);
                        statement.setArray(p++, array);
                    }
                }
            }
            statement.setQueryTimeout((int) timeout.toSeconds() + 5);
            TableInfo current = null;
            try {
                statement.execute();
                try (ResultSet rs = statement.getResultSet()) {
                    rs.next();
                    if (!rs.getBoolean(1)) {
                        return null;
                    }
                }
                for (int g = 0; g < groups.size(); g++) {
                    ClaimsGroup group = groups.get(g).getKey();
                    Request request = groups.get(g).getValue();
                    statement.getMoreResults(); // the set_config row
                    statement.getMoreResults();
                    try (ResultSet rs = statement.getResultSet()) {
                        rs.next();
                        if (!group.role().equals(rs.getString(1))) {
                            // Never evaluate policies as anyone else: fail closed, loudly.
                            throw new IllegalStateException("RLS check ran as " + rs.getString(1) + " instead of " + group.role());
                        }
                    }
                    BitSet seen = new BitSet();
                    for (TableInfo table : tablesPerGroup.get(g)) {
                        current = table;
                        statement.getMoreResults();
                        List<Integer> positions = request.positions.get(table);
                        try (ResultSet rs = statement.getResultSet()) {
                            while (rs.next()) {
                                seen.set(positions.get(rs.getInt(1) - 1));
                            }
                        }
                    }
                    visible.put(group, seen);
                }
            } catch (SQLException e) {
                if (isConnectionProblem(e)) {
                    throw e;
                }
                throw new Refused(groups.size() == 1 ? current : null, e);
            } finally {
                for (Array array : arrays) {
                    array.free();
                }
            }
        }
        return visible;
    }

    /** One group's role and claims, transaction-local; the role is checked right after. */
    private static final String SETTINGS_SQL = "select set_config('role', ?, true), set_config('request.jwt.claims', ?, true), "
            + "set_config('request.jwt.claim.sub', ?, true), set_config('request.jwt.claim.role', ?, true), "
            + "set_config('statement_timeout', ?, true)";

    /**
     * Whether every transaction of the batch (32-bit ids, widened with the epoch of the snapshot's
     * xmax) is visible to the statements that follow. pgoutput sends a commit once its WAL is
     * flushed, which can be just before the committing backend makes it visible: checked earlier,
     * a visible row would look hidden and be lost. Later statements take later snapshots.
     */
    private static final String VISIBLE_SQL = """
            select coalesce(bool_and(pg_catalog.pg_visible_in_snapshot(
                       (case when (m & ~4294967295) | x > m then ((m & ~4294967295) | x) - 4294967296
                             else (m & ~4294967295) | x end)::text::xid8, s)), true)
            from (select pg_catalog.pg_current_snapshot() as s) snap,
                 lateral (select pg_catalog.pg_snapshot_xmax(snap.s)::text::int8 as m) xmax,
                 unnest(?::int8[]) as x""";

    /** Connection-level failures lose the stream; anything else is this check's problem only. */
    static boolean isConnectionProblem(SQLException e) {
        String state = e.getSQLState();
        return state == null || state.startsWith("08") || state.startsWith("57P");
    }

    /** {@code select i from unnest($k1::text[], ...) with ordinality u(k1, ..., i) cross join lateral (row by key, limit 1)}. */
    private static String query(TableInfo table) {
        List<Integer> keys = keyColumns(table);
        StringBuilder args = new StringBuilder();
        StringBuilder names = new StringBuilder();
        StringBuilder match = new StringBuilder();
        for (int k = 0; k < keys.size(); k++) {
            ColumnInfo column = table.column(keys.get(k));
            args.append(k == 0 ? "" : ", ").append("?::text[]");
            names.append("k").append(k).append(", ");
            match.append(k == 0 ? "" : " and ").append("r.").append(Sql.quoted(column.name())).append(" = u.k").append(k)
                    .append("::").append(typeName(column.type()));
        }
        // LATERAL ... LIMIT 1 keeps one index probe per key: as a semi-join the planner may hash the
        // whole table for a large batch, evaluating the policy on every row of it.
        return "select u.i from unnest(" + args + ") with ordinality as u(" + names + "i) cross join lateral (select 1 from "
                + Sql.quoted(table.schema()) + "." + Sql.quoted(table.name()) + " r where " + match + " limit 1) as v";
    }

    private static String typeName(PgType type) {
        return type.namespace().isEmpty() ? Sql.quoted(type.name())
                : Sql.quoted(type.namespace()) + "." + Sql.quoted(type.name());
    }

    private static List<Integer> keyColumns(TableInfo table) {
        List<Integer> keys = new ArrayList<>();
        for (int i = 0; i < table.size(); i++) {
            if (table.column(i).primaryKey()) {
                keys.add(i);
            }
        }
        return keys;
    }
}
