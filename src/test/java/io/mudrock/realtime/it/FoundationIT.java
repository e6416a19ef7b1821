package io.mudrock.realtime.it;

import io.mudrock.realtime.database.MigrationRunner;
import org.jboss.arquillian.container.test.api.Deployment;
import org.jboss.arquillian.container.test.api.RunAsClient;
import org.jboss.arquillian.junit5.ArquillianExtension;
import org.jboss.shrinkwrap.api.spec.WebArchive;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.postgresql.ds.PGSimpleDataSource;

import java.net.http.HttpResponse;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The packaged application on a real Liberty server with its embedded PostgreSQL: it deploys,
 * the changelogs build everything the old setup guide did by hand, and the probes answer.
 */
@ExtendWith(ArquillianExtension.class)
@RunAsClient
class FoundationIT {

    @Deployment(testable = false)
    static WebArchive deployment() {
        return Deployments.realtime();
    }

    @Test
    void probesAnswerUp() throws Exception {
        Await.until("/health/ready UP", Duration.ofSeconds(60),
                () -> TestServer.get("/health/ready").statusCode() == 200);
        for (String probe : List.of("/health/live", "/health/ready", "/health/started")) {
            HttpResponse<String> response = TestServer.get(probe);
            assertEquals(200, response.statusCode(), probe + ": " + response.body());
            assertTrue(response.body().contains("\"status\":\"UP\""), probe + ": " + response.body());
        }
    }

    @Test
    void managementSchemaHasTheUpstreamTables() throws Exception {
        try (Connection db = TestServer.database()) {
            assertTrue(columns(db, "_realtime", "tenants").containsAll(List.of("id", "name", "external_id", "jwt_secret",
                    "jwt_jwks", "max_concurrent_users", "max_events_per_second", "max_channels_per_client",
                    "max_joins_per_second", "max_presence_events_per_second", "max_payload_size_in_kb", "suspend",
                    "private_only", "presence_enabled", "inserted_at", "updated_at")));
            assertEquals(List.of("id", "type", "settings", "tenant_external_id", "inserted_at", "updated_at"),
                    columns(db, "_realtime", "extensions"));
        }
    }

    @Test
    void tenantDatabaseHasRolesAuthHelpersPublicationAndWells() throws Exception {
        try (Connection db = TestServer.database()) {
            assertEquals(List.of("anon", "authenticated", "service_role"), strings(db,
                    "select rolname from pg_roles where rolname in ('anon','authenticated','service_role') and not rolcanlogin order by 1"));
            assertEquals(List.of("t"), strings(db, "select rolbypassrls::text from pg_roles where rolname = 'service_role'")
                    .stream().map(s -> s.substring(0, 1)).toList());
            assertEquals(List.of("jwt", "role", "uid"), strings(db,
                    "select p.proname from pg_proc p join pg_namespace n on n.oid = p.pronamespace where n.nspname = 'auth' order by 1"));
            assertEquals(List.of("wells"), strings(db,
                    "select tablename from pg_publication_tables where pubname = 'supabase_realtime' and schemaname = 'public'"));
            assertEquals(List.of("true"), strings(db, "select relrowsecurity::text from pg_class where oid = 'public.wells'::regclass"));
            assertEquals(List.of(
                    "Allow anon access to wells for Realtime|SELECT|{anon}",
                    "Allow anon insert to wells|INSERT|{anon}",
                    "Allow authenticated access to wells|SELECT|{authenticated}",
                    "Allow authenticated insert to wells|INSERT|{authenticated}"), strings(db,
                    "select policyname || '|' || cmd || '|' || roles::text from pg_policies where tablename = 'wells' order by 1"));
            assertTrue(columns(db, "public", "wells").containsAll(List.of("id", "name", "uwi", "latitude", "longitude",
                    "total_depth_m", "status", "created_at", "updated_at")));
            assertEquals(List.of("true"), strings(db, "select relrowsecurity::text from pg_class where oid = 'realtime.messages'::regclass"));
            assertEquals(List.of("realtime.topic"), strings(db, "select 'realtime.topic' where to_regprocedure('realtime.topic()') is not null"));
        }
    }

    @Test
    void authHelpersReadTheRequestClaims() throws Exception {
        try (Connection db = TestServer.database(); Statement st = db.createStatement()) {
            db.setAutoCommit(false);
            st.execute("select set_config('request.jwt.claims', '{\"sub\":\"6f1c1c1e-0000-4000-8000-000000000001\",\"role\":\"authenticated\"}', true)");
            try (ResultSet rs = st.executeQuery("select auth.uid()::text, auth.role(), auth.jwt() ->> 'role'")) {
                rs.next();
                assertEquals("6f1c1c1e-0000-4000-8000-000000000001", rs.getString(1));
                assertEquals("authenticated", rs.getString(2));
                assertEquals("authenticated", rs.getString(3));
            }
            db.rollback();
        }
    }

    @Test
    void runningTheChangelogsAgainChangesNothing() throws Exception {
        PGSimpleDataSource dataSource = new PGSimpleDataSource();
        dataSource.setUrl("jdbc:postgresql://localhost:" + TestServer.DB_PORT + "/postgres");
        dataSource.setUser("postgres");
        try (Connection db = TestServer.database()) {
            List<String> before = catalogFingerprint(db);
            MigrationRunner.migrateManagement(dataSource);
            MigrationRunner.migrateTenant(dataSource, "supabase_realtime", true);
            assertEquals(before, catalogFingerprint(db));
        }
    }

    private static List<String> catalogFingerprint(Connection db) throws SQLException {
        List<String> all = new ArrayList<>();
        all.addAll(strings(db, "select n.nspname || '.' || c.relname || ':' || c.relkind::text from pg_class c join pg_namespace n on n.oid = c.relnamespace "
                + "where n.nspname in ('_realtime','auth','realtime','public') order by 1"));
        all.addAll(strings(db, "select policyname from pg_policies order by 1"));
        all.addAll(strings(db, "select pubname || ':' || tablename from pg_publication_tables order by 1"));
        all.addAll(strings(db, "select rolname from pg_roles order by 1"));
        all.addAll(strings(db, "select count(*)::text from _realtime.tenants"));
        // A changeset that runs on every start is EXECUTED the first time and RERAN after: both mean applied.
        all.addAll(strings(db, "select id || ':' || case exectype when 'RERAN' then 'EXECUTED' else exectype end"
                + " from public.databasechangelog order by 1"));
        return all;
    }

    private static List<String> columns(Connection db, String schema, String table) throws SQLException {
        return strings(db, "select column_name from information_schema.columns where table_schema = '" + schema
                + "' and table_name = '" + table + "' order by ordinal_position");
    }

    static List<String> strings(Connection db, String sql) throws SQLException {
        List<String> values = new ArrayList<>();
        try (Statement st = db.createStatement(); ResultSet rs = st.executeQuery(sql)) {
            while (rs.next()) {
                values.add(rs.getString(1));
            }
        }
        return values;
    }
}
