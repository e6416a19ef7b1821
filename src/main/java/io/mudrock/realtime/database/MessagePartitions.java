package io.mudrock.realtime.database;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.time.LocalDate;
import java.time.LocalDateTime;
import java.time.format.DateTimeFormatter;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.TreeSet;

/**
 * The day partitions of {@code realtime.messages}, named {@code messages_YYYY_MM_DD} as upstream:
 * {@link #maintain} creates yesterday's to {@link #DAYS_AHEAD} days ahead and drops those older than
 * {@link #RETENTION} (upstream's rule: a partition goes once its day is before the day 72 hours
 * ago). Rows that landed in a default partition (upstream creates one) are moved into the day's
 * partition when it is created, since PostgreSQL refuses a partition whose rows sit in the default.
 *
 * <p>The time is a parameter, so tests need no clock. Not thread-safe per connection; the methods
 * use the connection's transaction and leave it in auto-commit.
 */
public final class MessagePartitions {

    /** How long stored broadcasts are kept (upstream's janitor: 72 hours). */
    public static final Duration RETENTION = Duration.ofHours(72);
    /** Days ahead of today that always have a partition. */
    public static final int DAYS_AHEAD = 3;

    private static final String PREFIX = "messages_";
    private static final DateTimeFormatter SUFFIX = DateTimeFormatter.ofPattern("yyyy_MM_dd");

    private MessagePartitions() {
    }

    /**
     * What {@link #maintain} did.
     *
     * @param partitioned false when {@code realtime.messages} is missing or not partitioned (nothing done)
     * @param created the partitions created
     * @param dropped the partitions dropped
     * @param moved rows moved out of the default partition
     * @param purged rows older than the retention deleted from the default partition
     */
    public record Maintenance(boolean partitioned, List<String> created, List<String> dropped, int moved, int purged) {
        /**
         * Copies the lists.
         *
         * @param partitioned partitioned
         * @param created created
         * @param dropped dropped
         * @param moved moved
         * @param purged purged
         */
        public Maintenance {
            created = List.copyOf(created);
            dropped = List.copyOf(dropped);
        }
    }

    /**
     * The state of the partitions, for the doctor.
     *
     * @param partitioned whether {@code realtime.messages} is a partitioned table
     * @param days the days that have a partition, oldest first
     * @param defaultPartition the default partition's name, if there is one
     */
    public record State(boolean partitioned, List<LocalDate> days, Optional<String> defaultPartition) {
        /**
         * Copies the list.
         *
         * @param partitioned partitioned
         * @param days days
         * @param defaultPartition default partition
         */
        public State {
            days = List.copyOf(days);
        }

        /**
         * @param nowUtc the current UTC time
         * @return the days from yesterday to {@link #DAYS_AHEAD} ahead that have no partition
         */
        public List<LocalDate> missing(LocalDateTime nowUtc) {
            List<LocalDate> missing = new ArrayList<>();
            for (LocalDate day : wanted(nowUtc)) {
                if (!days.contains(day)) {
                    missing.add(day);
                }
            }
            return missing;
        }

        /**
         * @param nowUtc the current UTC time
         * @return the partitions' days that are past the retention
         */
        public List<LocalDate> expired(LocalDateTime nowUtc) {
            LocalDate keepFrom = keepFrom(nowUtc);
            return days.stream().filter(day -> day.isBefore(keepFrom)).toList();
        }
    }

    /**
     * Reads the partitions of {@code realtime.messages}.
     *
     * @param connection a connection to the tenant database
     * @return their state
     * @throws SQLException if the catalog cannot be read
     */
    public static State state(Connection connection) throws SQLException {
        Long parent = partitionedParent(connection);
        if (parent == null) {
            return new State(false, List.of(), Optional.empty());
        }
        TreeSet<LocalDate> days = new TreeSet<>();
        String defaultName = null;
        try (PreparedStatement children = connection.prepareStatement(
                "SELECT c.relname, c.oid = p.partdefid FROM pg_catalog.pg_inherits i"
                        + " JOIN pg_catalog.pg_class c ON c.oid = i.inhrelid"
                        + " JOIN pg_catalog.pg_partitioned_table p ON p.partrelid = i.inhparent"
                        + " WHERE i.inhparent = ?")) {
            children.setLong(1, parent);
            try (ResultSet rows = children.executeQuery()) {
                while (rows.next()) {
                    String name = rows.getString(1);
                    if (rows.getBoolean(2)) {
                        defaultName = name;
                    } else {
                        dayOf(name).ifPresent(days::add);
                    }
                }
            }
        }
        return new State(true, new ArrayList<>(days), Optional.ofNullable(defaultName));
    }

    /**
     * Creates the missing partitions from yesterday to {@link #DAYS_AHEAD} days ahead and drops
     * the expired ones, each in its own transaction.
     *
     * @param connection a connection to the tenant database, in auto-commit
     * @param nowUtc the current UTC time
     * @return what was done
     * @throws SQLException if a statement fails (what was done before stays done)
     */
    public static Maintenance maintain(Connection connection, LocalDateTime nowUtc) throws SQLException {
        State state = state(connection);
        if (!state.partitioned()) {
            return new Maintenance(false, List.of(), List.of(), 0, 0);
        }
        List<String> created = new ArrayList<>();
        int moved = 0;
        for (LocalDate day : state.missing(nowUtc)) {
            moved += create(connection, day, state.defaultPartition());
            created.add(name(day));
        }
        List<String> dropped = new ArrayList<>();
        for (LocalDate day : state.expired(nowUtc)) {
            try (Statement drop = connection.createStatement()) {
                drop.execute("DROP TABLE IF EXISTS realtime." + name(day));
            }
            dropped.add(name(day));
        }
        int purged = 0;
        if (state.defaultPartition().isPresent()) {
            try (PreparedStatement purge = connection.prepareStatement("DELETE FROM realtime."
                    + quote(state.defaultPartition().get()) + " WHERE inserted_at < ?")) {
                purge.setObject(1, keepFrom(nowUtc).atStartOfDay());
                purged = purge.executeUpdate();
            }
        }
        return new Maintenance(true, created, dropped, moved, purged);
    }

    /** The partition name of a day, {@code messages_YYYY_MM_DD}. */
    static String name(LocalDate day) {
        return PREFIX + SUFFIX.format(day);
    }

    private static Optional<LocalDate> dayOf(String partition) {
        if (!partition.startsWith(PREFIX)) {
            return Optional.empty();
        }
        try {
            return Optional.of(LocalDate.parse(partition.substring(PREFIX.length()), SUFFIX));
        } catch (DateTimeParseException e) {
            return Optional.empty(); // someone else's table name: not ours to manage
        }
    }

    private static List<LocalDate> wanted(LocalDateTime nowUtc) {
        LocalDate today = nowUtc.toLocalDate();
        List<LocalDate> days = new ArrayList<>();
        for (LocalDate day = today.minusDays(1); !day.isAfter(today.plusDays(DAYS_AHEAD)); day = day.plusDays(1)) {
            days.add(day);
        }
        return days;
    }

    private static LocalDate keepFrom(LocalDateTime nowUtc) {
        return nowUtc.minus(RETENTION).toLocalDate();
    }

    /**
     * Creates one day's partition; with a default partition, as a table of its own that takes
     * over the default's rows of that day and is then attached, in one transaction.
     *
     * @return rows moved from the default partition
     */
    private static int create(Connection connection, LocalDate day, Optional<String> defaultPartition)
            throws SQLException {
        String table = "realtime." + name(day);
        String bounds = " FOR VALUES FROM ('" + day + "') TO ('" + day.plusDays(1) + "')";
        if (defaultPartition.isEmpty()) {
            try (Statement create = connection.createStatement()) {
                create.execute("CREATE TABLE IF NOT EXISTS " + table + " PARTITION OF realtime.messages" + bounds);
            }
            return 0;
        }
        String columns = columns(connection);
        connection.setAutoCommit(false);
        try (Statement statement = connection.createStatement()) {
            statement.execute("CREATE TABLE " + table + " (LIKE realtime.messages INCLUDING DEFAULTS)");
            int moved = statement.executeUpdate("WITH moved AS (DELETE FROM realtime." + quote(defaultPartition.get())
                    + " WHERE inserted_at >= '" + day + "' AND inserted_at < '" + day.plusDays(1) + "' RETURNING "
                    + columns + ") INSERT INTO " + table + " (" + columns + ") SELECT " + columns + " FROM moved");
            statement.execute("ALTER TABLE realtime.messages ATTACH PARTITION " + table + bounds);
            connection.commit();
            return moved;
        } catch (SQLException e) {
            connection.rollback();
            throw e;
        } finally {
            connection.setAutoCommit(true);
        }
    }

    private static String columns(Connection connection) throws SQLException {
        try (Statement statement = connection.createStatement();
             ResultSet rs = statement.executeQuery("SELECT string_agg(quote_ident(attname), ', ' ORDER BY attnum)"
                     + " FROM pg_catalog.pg_attribute WHERE attrelid = 'realtime.messages'::regclass"
                     + " AND attnum > 0 AND NOT attisdropped")) {
            rs.next();
            return rs.getString(1);
        }
    }

    private static Long partitionedParent(Connection connection) throws SQLException {
        try (Statement statement = connection.createStatement();
             ResultSet rs = statement.executeQuery("SELECT c.oid, c.relkind = 'p' FROM pg_catalog.pg_class c"
                     + " JOIN pg_catalog.pg_namespace n ON n.oid = c.relnamespace"
                     + " WHERE n.nspname = 'realtime' AND c.relname = 'messages'")) {
            return rs.next() && rs.getBoolean(2) ? rs.getLong(1) : null;
        }
    }

    private static String quote(String identifier) {
        return "\"" + identifier.replace("\"", "\"\"") + "\"";
    }
}
