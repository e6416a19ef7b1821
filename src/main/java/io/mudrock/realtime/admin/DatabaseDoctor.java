package io.mudrock.realtime.admin;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.LocalDateTime;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;

/**
 * The database half of the setup doctor: every item of the old setup guide's verification
 * checklist, run against a tenant database, each answered with what was found and the SQL that
 * fixes it. Reads the catalog only; it changes nothing.
 */
public final class DatabaseDoctor {

    private static final List<String> API_ROLES = List.of("anon", "authenticated", "service_role");

    private DatabaseDoctor() {
    }

    /**
     * Runs the database checks.
     *
     * @param db          a connection to the tenant database
     * @param publication the publication the tenant streams
     */
    public static List<DoctorFinding> examine(Connection db, String publication) throws SQLException {
        List<DoctorFinding> findings = new ArrayList<>();
        findings.add(walLevel(db));
        findings.add(capacity(db, "replication slots", "max_replication_slots",
                "select count(*) from pg_replication_slots"));
        findings.add(capacity(db, "WAL senders", "max_wal_senders",
                "select count(*) from pg_stat_replication"));
        findings.add(roles(db));
        findings.addAll(MessagesDoctor.examine(db, LocalDateTime.now(ZoneOffset.UTC)));
        List<String> tables = publishedTables(db, publication);
        if (tables == null) {
            findings.add(DoctorFinding.fail("publication", "publication \"" + publication + "\" does not exist",
                    "CREATE PUBLICATION \"" + publication + "\";"));
            return findings;
        }
        findings.add(tables.isEmpty()
                ? DoctorFinding.warn("publication", "publication \"" + publication + "\" has no tables: no change will stream",
                        "ALTER PUBLICATION \"" + publication + "\" ADD TABLE public.<table>;")
                : DoctorFinding.ok("publication", "publication \"" + publication + "\" lists " + String.join(", ", tables)));
        for (String table : tables) {
            findings.addAll(examineTable(db, table));
        }
        return findings;
    }

    private static DoctorFinding walLevel(Connection db) throws SQLException {
        String level = single(db, "show wal_level");
        return "logical".equals(level)
                ? DoctorFinding.ok("wal_level", "wal_level = logical")
                : DoctorFinding.fail("wal_level", "wal_level = " + level + ": logical replication is off",
                        "ALTER SYSTEM SET wal_level = logical; -- then restart PostgreSQL");
    }

    private static DoctorFinding capacity(Connection db, String what, String setting, String usedSql) throws SQLException {
        int max = Integer.parseInt(single(db, "select setting from pg_settings where name = '" + setting + "'"));
        int used = Integer.parseInt(single(db, usedSql));
        String found = used + " of " + max + " " + what + " in use";
        String fix = "ALTER SYSTEM SET " + setting + " = " + Math.max(10, max * 2) + "; -- then restart PostgreSQL";
        if (used >= max) {
            return DoctorFinding.fail(setting, found + ": none free for the realtime stream", fix);
        }
        return max - used < 2 ? DoctorFinding.warn(setting, found + ": only " + (max - used) + " free", fix)
                : DoctorFinding.ok(setting, found);
    }

    private static DoctorFinding roles(Connection db) throws SQLException {
        List<String> missing = new ArrayList<>();
        for (String role : API_ROLES) {
            try (PreparedStatement st = db.prepareStatement("select 1 from pg_roles where rolname = ?")) {
                st.setString(1, role);
                try (ResultSet rs = st.executeQuery()) {
                    if (!rs.next()) {
                        missing.add(role);
                    }
                }
            }
        }
        if (missing.isEmpty()) {
            return DoctorFinding.ok("roles", "roles anon, authenticated and service_role exist");
        }
        StringBuilder fix = new StringBuilder();
        for (String role : missing) {
            fix.append("CREATE ROLE ").append(role).append(" NOLOGIN; ");
        }
        return DoctorFinding.fail("roles", "missing role(s): " + String.join(", ", missing)
                + " (tokens carry these roles and RLS runs as them)", fix.toString().trim());
    }

    /** The publication's tables as schema.table, or null when the publication does not exist. */
    private static List<String> publishedTables(Connection db, String publication) throws SQLException {
        try (PreparedStatement exists = db.prepareStatement("select 1 from pg_publication where pubname = ?")) {
            exists.setString(1, publication);
            try (ResultSet rs = exists.executeQuery()) {
                if (!rs.next()) {
                    return null;
                }
            }
        }
        List<String> tables = new ArrayList<>();
        try (PreparedStatement st = db.prepareStatement(
                "select schemaname || '.' || tablename from pg_publication_tables where pubname = ? order by 1")) {
            st.setString(1, publication);
            try (ResultSet rs = st.executeQuery()) {
                while (rs.next()) {
                    tables.add(rs.getString(1));
                }
            }
        }
        return tables;
    }

    private static List<DoctorFinding> examineTable(Connection db, String table) throws SQLException {
        List<DoctorFinding> findings = new ArrayList<>();
        String check = "table " + table;
        String sql = "select c.relreplident::text, c.relrowsecurity,"
                + " exists (select 1 from pg_index i where i.indrelid = c.oid and i.indisprimary),"
                + " (select string_agg(distinct r, ',' order by r) from pg_policies p, unnest(p.roles) r"
                + "   where p.schemaname = n.nspname and p.tablename = c.relname and p.cmd in ('SELECT', 'ALL'))"
                + " from pg_class c join pg_namespace n on n.oid = c.relnamespace"
                + " where n.nspname || '.' || c.relname = ?";
        try (PreparedStatement st = db.prepareStatement(sql)) {
            st.setString(1, table);
            try (ResultSet rs = st.executeQuery()) {
                if (!rs.next()) {
                    return findings;
                }
                String identity = switch (rs.getString(1)) {
                    case "f" -> "FULL";
                    case "n" -> "NOTHING";
                    case "i" -> "USING INDEX";
                    default -> "DEFAULT";
                };
                boolean rls = rs.getBoolean(2);
                boolean primaryKey = rs.getBoolean(3);
                String selectRoles = rs.getString(4) == null ? "" : rs.getString(4);

                findings.add(primaryKey
                        ? DoctorFinding.ok(check + " primary key", "has a primary key")
                        : DoctorFinding.fail(check + " primary key",
                                "no primary key: INSERT and UPDATE arrive only as \"Error 400: Bad Request, no primary key\"",
                                "ALTER TABLE " + table + " ADD PRIMARY KEY (<column>);"));
                findings.add("NOTHING".equals(identity)
                        ? DoctorFinding.warn(check + " replica identity", "REPLICA IDENTITY NOTHING: UPDATE and DELETE carry no old values",
                                "ALTER TABLE " + table + " REPLICA IDENTITY DEFAULT;")
                        : DoctorFinding.ok(check + " replica identity", "REPLICA IDENTITY " + identity
                                + ("FULL".equals(identity) ? " (old rows complete)" : " (old rows carry the key only)")));
                if (!rls) {
                    findings.add(DoctorFinding.warn(check + " row level security",
                            "RLS is off: every subscriber with a valid token receives every row",
                            "ALTER TABLE " + table + " ENABLE ROW LEVEL SECURITY;"));
                } else if (!selectRoles.contains("anon") && !selectRoles.contains("authenticated")
                        && !selectRoles.contains("public")) {
                    findings.add(DoctorFinding.fail(check + " row level security",
                            "RLS is on but no SELECT policy admits anon or authenticated: subscribers receive nothing",
                            "CREATE POLICY \"realtime read\" ON " + table + " FOR SELECT TO anon, authenticated USING (true);"));
                } else {
                    findings.add(DoctorFinding.ok(check + " row level security", "RLS on; SELECT policies for " + selectRoles));
                }
            }
        }
        return findings;
    }

    private static String single(Connection db, String sql) throws SQLException {
        try (Statement st = db.createStatement(); ResultSet rs = st.executeQuery(sql)) {
            rs.next();
            return rs.getString(1);
        }
    }
}
