package io.mudrock.realtime.stream;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.HashSet;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Caches who may read what in one tenant database: per role whether it exists and bypasses RLS,
 * per (table, role) the {@link TableAccess}. An entry is read again after {@link #MAX_AGE_NANOS}
 * (grants and policies change without telling us) and when pgoutput re-describes the table,
 * which it does after any change to its definition or privileges.
 */
final class AccessCatalog {

    private static final long MAX_AGE_NANOS = 60_000_000_000L;

    private static final String ROLE_SQL = "select rolsuper or rolbypassrls from pg_catalog.pg_roles where rolname = ?";

    private static final String TABLE_SQL = """
            select c.relrowsecurity,
                   array(select a.attname::text from pg_catalog.pg_attribute a
                         where a.attrelid = c.oid and a.attnum > 0 and not a.attisdropped
                           and has_column_privilege(?, c.oid, a.attnum, 'SELECT'))
            from pg_catalog.pg_class c where c.oid = ?::oid""";

    /** A role that does not exist in the tenant database. */
    static final class UnknownRole extends Exception {
        UnknownRole(String role) {
            super("role \"" + role + "\" does not exist");
        }
    }

    private record Key(int oid, String role) {
    }

    private record Entry<T>(T value, long loadedAt) {
        boolean fresh() {
            return System.nanoTime() - loadedAt < MAX_AGE_NANOS;
        }
    }

    private final StreamDatabase database;
    private final ConcurrentHashMap<String, Entry<Boolean>> bypass = new ConcurrentHashMap<>();
    private final ConcurrentHashMap<Key, Entry<TableAccess>> tables = new ConcurrentHashMap<>();

    AccessCatalog(StreamDatabase database) {
        this.database = database;
    }

    /**
     * Whether the role skips row level security (superuser or BYPASSRLS).
     *
     * @throws UnknownRole if there is no such role
     */
    boolean bypassesRls(String role) throws SQLException, UnknownRole {
        Entry<Boolean> cached = bypass.get(role);
        if (cached != null && cached.fresh()) {
            return cached.value();
        }
        try (Connection connection = database.connection(); PreparedStatement statement = connection.prepareStatement(ROLE_SQL)) {
            statement.setString(1, role);
            try (ResultSet rs = statement.executeQuery()) {
                if (!rs.next()) {
                    bypass.remove(role);
                    throw new UnknownRole(role);
                }
                boolean value = rs.getBoolean(1);
                bypass.put(role, new Entry<>(value, System.nanoTime()));
                return value;
            }
        }
    }

    /**
     * What {@code role} may read of table {@code oid}.
     *
     * @throws UnknownRole if there is no such role
     */
    TableAccess access(int oid, String role) throws SQLException, UnknownRole {
        Key key = new Key(oid, role);
        Entry<TableAccess> cached = tables.get(key);
        if (cached != null && cached.fresh()) {
            return cached.value();
        }
        boolean bypasses = bypassesRls(role);
        try (Connection connection = database.connection(); PreparedStatement statement = connection.prepareStatement(TABLE_SQL)) {
            statement.setString(1, role);
            statement.setLong(2, Integer.toUnsignedLong(oid));
            TableAccess access;
            try (ResultSet rs = statement.executeQuery()) {
                if (!rs.next()) {
                    access = new TableAccess(false, false, Set.of()); // dropped since: nothing to show
                } else {
                    boolean rls = rs.getBoolean(1);
                    Set<String> columns = new HashSet<>();
                    for (Object name : (Object[]) rs.getArray(2).getArray()) {
                        columns.add((String) name);
                    }
                    access = new TableAccess(rls && !bypasses, rls, columns);
                }
            }
            tables.put(key, new Entry<>(access, System.nanoTime()));
            return access;
        }
    }

    /** Forgets what is known of one table (pgoutput re-described it). */
    void invalidate(int oid) {
        tables.keySet().removeIf(key -> key.oid() == oid);
    }
}
