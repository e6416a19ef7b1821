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
 * per (table, role) the {@link TableAccess}, including whether its policies can filter rows at
 * all. An entry is read again when pgoutput re-describes the table, which it does before the
 * first change committed after any change to the table's definition, privileges or policies
 * ({@code CREATE/ALTER/DROP POLICY} and {@code ENABLE/DISABLE ROW LEVEL SECURITY} invalidate its
 * relation cache entry), and after {@link #MAX_AGE_NANOS} for what does not touch the table
 * (role membership, {@code ALTER ROLE ... BYPASSRLS}).
 */
final class AccessCatalog {

    private static final long MAX_AGE_NANOS = 60_000_000_000L;

    private static final String ROLE_SQL = "select rolsuper or rolbypassrls from pg_catalog.pg_roles where rolname = ?";

    /**
     * RLS flag, selectable columns, and whether the policies cannot filter for the role: it owns
     * the table (without FORCE), or a permissive SELECT/ALL policy with {@code USING (true)}
     * applies to it and no restrictive one with any other expression does. A policy applies to
     * PUBLIC or to a role whose privileges the role has ({@code USAGE}, as PostgreSQL decides).
     * Anything else, {@code USING (1 = 1)} included, counts as filtering: the check then runs.
     */
    private static final String TABLE_SQL = """
            with a as (select ?::text as role)
            select c.relrowsecurity,
                   array(select t.attname::text from pg_catalog.pg_attribute t
                         where t.attrelid = c.oid and t.attnum > 0 and not t.attisdropped
                           and has_column_privilege(a.role, c.oid, t.attnum, 'SELECT')),
                   (pg_catalog.pg_has_role(a.role, c.relowner, 'USAGE') and not c.relforcerowsecurity)
                   or (exists (select 1 from pg_catalog.pg_policy p
                               where p.polrelid = c.oid and p.polcmd in ('r', '*') and p.polpermissive
                                 and pg_catalog.pg_get_expr(p.polqual, p.polrelid) = 'true'
                                 and (0 = any (p.polroles) or exists (select 1 from unnest(p.polroles) r
                                          where r <> 0 and pg_catalog.pg_has_role(a.role, r, 'USAGE'))))
                       and not exists (select 1 from pg_catalog.pg_policy p
                               where p.polrelid = c.oid and p.polcmd in ('r', '*') and not p.polpermissive
                                 and pg_catalog.pg_get_expr(p.polqual, p.polrelid) is distinct from 'true'
                                 and (0 = any (p.polroles) or exists (select 1 from unnest(p.polroles) r
                                          where r <> 0 and pg_catalog.pg_has_role(a.role, r, 'USAGE')))))
            from pg_catalog.pg_class c, a where c.oid = ?::oid""";

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
                    access = new TableAccess(false, false, false, Set.of()); // dropped since: nothing to show
                } else {
                    boolean rls = rs.getBoolean(1);
                    Set<String> columns = new HashSet<>();
                    for (Object name : (Object[]) rs.getArray(2).getArray()) {
                        columns.add((String) name);
                    }
                    boolean rowSecurity = rls && !bypasses;
                    access = new TableAccess(rowSecurity, rls, rowSecurity && rs.getBoolean(3), columns);
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
