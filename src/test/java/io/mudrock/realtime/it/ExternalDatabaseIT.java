package io.mudrock.realtime.it;

import io.zonky.test.db.postgres.embedded.EmbeddedPostgres;
import org.jboss.arquillian.container.test.api.Deployer;
import org.jboss.arquillian.container.test.api.Deployment;
import org.jboss.arquillian.container.test.api.RunAsClient;
import org.jboss.arquillian.junit5.ArquillianExtension;
import org.jboss.arquillian.test.api.ArquillianResource;
import org.jboss.shrinkwrap.api.spec.WebArchive;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

import java.net.ServerSocket;
import java.net.http.HttpResponse;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.Statement;
import java.time.Duration;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The server pointed at an external PostgreSQL (DB_HOST) that an upstream Supabase Realtime
 * already manages: the existing `_realtime` rows survive the changelogs untouched, and readiness
 * goes DOWN with a reason when that database stops.
 */
@ExtendWith(ArquillianExtension.class)
@RunAsClient
class ExternalDatabaseIT {

    private static final String EXTERNAL = "external-db";
    private static EmbeddedPostgres external;
    private static int port;

    @ArquillianResource
    private Deployer deployer;

    @Deployment(name = EXTERNAL, managed = false, testable = false)
    static WebArchive deployment() throws Exception {
        try (ServerSocket socket = new ServerSocket(0)) {
            port = socket.getLocalPort();
        }
        return Deployments.realtimeWith(Map.of(
                "DB_HOST", "localhost", "DB_PORT", String.valueOf(port), "DB_USER", "postgres", "DB_PASSWORD", "x",
                "DB_AFTER_CONNECT_QUERY", "SET search_path TO _realtime",
                "SEED_SELF_HOST", "false"));
    }

    @BeforeAll
    static void startExternalDatabaseWithUpstreamRows() throws Exception {
        external = EmbeddedPostgres.builder().setPort(port).setServerConfig("wal_level", "logical").start();
        try (Connection db = external.getPostgresDatabase().getConnection(); Statement st = db.createStatement()) {
            // The shape of an older upstream `_realtime` (no presence or payload columns yet).
            st.execute("create schema _realtime");
            st.execute("create table _realtime.tenants (id uuid primary key, name text, external_id text, jwt_secret varchar(500),"
                    + " max_concurrent_users integer not null default 200, inserted_at timestamp(0) not null, updated_at timestamp(0) not null,"
                    + " max_events_per_second integer not null default 100, postgres_cdc_default text default 'postgres_cdc_rls',"
                    + " max_bytes_per_second integer not null default 100000, max_channels_per_client integer not null default 100,"
                    + " max_joins_per_second integer not null default 500, suspend boolean default false)");
            st.execute("create unique index tenants_external_id_index on _realtime.tenants (external_id)");
            st.execute("create table _realtime.extensions (id uuid primary key, type text, settings jsonb,"
                    + " tenant_external_id text references _realtime.tenants (external_id) on delete cascade,"
                    + " inserted_at timestamp(0) not null, updated_at timestamp(0) not null)");
            st.execute("insert into _realtime.tenants (id, name, external_id, jwt_secret, inserted_at, updated_at) values"
                    + " ('9b1c0a52-8d8e-4c57-9d1b-6a3f3c1b2a10', 'realtime-dev', 'realtime-dev', 'A5mS7ggkPXm0FaKKoZtrsYNlZA3qZxFe9XA9w2YYqgU=', '2025-01-02 03:04:05', '2025-01-02 03:04:05')");
            st.execute("insert into _realtime.extensions values ('0f0e0d0c-0b0a-4908-8706-050403020100', 'postgres_cdc_rls',"
                    + " '{\"db_host\":\"WduM1JTp+Ah9s/HVBIpbqg==\",\"db_port\":\"+enMDFi1J/3IrrquHHwUmA==\",\"region\":\"us-east-1\"}',"
                    + " 'realtime-dev', '2025-01-02 03:04:05', '2025-01-02 03:04:05')");
        }
    }

    @AfterAll
    static void stopExternalDatabase() throws Exception {
        if (external != null) {
            external.close();
        }
    }

    @Test
    void upstreamRowsSurviveAndReadinessFollowsTheDatabase() throws Exception {
        List<String> before = rows();
        deployer.deploy(EXTERNAL);
        try {
            Await.until("/health/ready UP on the external database", Duration.ofSeconds(60),
                    () -> TestServer.get("/health/ready").statusCode() == 200);
            assertEquals(before, rows(), "the migrations must not touch existing _realtime rows");
            try (Connection db = connect(); Statement st = db.createStatement()) {
                assertTrue(st.executeQuery("select 1 from public.databasechangelog where id = 'management-2-tenants'").next(),
                        "the changelogs ran against the external database");
            }

            external.close();
            external = null;
            Await.until("/health/ready DOWN after the database stopped", Duration.ofSeconds(30), () -> {
                HttpResponse<String> ready = TestServer.get("/health/ready");
                return ready.statusCode() == 503 && ready.body().contains("management database")
                        && ready.body().contains("unreachable");
            });
            HttpResponse<String> live = TestServer.get("/health/live");
            assertEquals(200, live.statusCode(), "a database outage must not make the server look dead");
        } finally {
            deployer.undeploy(EXTERNAL);
        }
    }

    private static Connection connect() throws Exception {
        return DriverManager.getConnection("jdbc:postgresql://localhost:" + port + "/postgres", "postgres", "");
    }

    private static List<String> rows() throws Exception {
        try (Connection db = connect()) {
            List<String> all = FoundationIT.strings(db, "select row_to_json(t)::text from _realtime.tenants t order by id");
            all.addAll(FoundationIT.strings(db, "select row_to_json(e)::text from _realtime.extensions e order by id"));
            return all;
        }
    }
}
