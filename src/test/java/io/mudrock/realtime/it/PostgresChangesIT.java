package io.mudrock.realtime.it;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.mudrock.realtime.auth.TokenSigner;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.Statement;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.jboss.arquillian.container.test.api.Deployment;
import org.jboss.arquillian.container.test.api.RunAsClient;
import org.jboss.arquillian.junit5.ArquillianExtension;
import org.jboss.shrinkwrap.api.spec.WebArchive;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * {@code postgres_changes} on the wire against the packaged server: the join reply comes before
 * {@code Subscribed to PostgreSQL}, the frame shape in both protocol versions, the stream in
 * readiness, the tenant health and the doctor, and no slot left behind when a tenant goes.
 * (What supabase-js sees is covered by {@code e2e/tests/changes.test.mjs}.)
 */
@ExtendWith(ArquillianExtension.class)
@RunAsClient
class PostgresChangesIT {

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final HttpClient HTTP = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
    private static final String TABLE = "it_changes_" + UUID.randomUUID().toString().substring(0, 8);

    @Deployment(testable = false)
    static WebArchive deployment() {
        return Deployments.realtime();
    }

    @BeforeAll
    static void ready() throws Exception {
        Await.until("/health/ready UP", Duration.ofSeconds(60),
                () -> TestServer.get("/health/ready").statusCode() == 200);
        sql("create table public." + TABLE + " (id int4 primary key, name text)",
                "grant select on public." + TABLE + " to anon",
                "alter publication supabase_realtime add table public." + TABLE);
    }

    /** Other tests expect the shared database's publication as they left it. */
    @AfterAll
    static void dropTables() throws Exception {
        sql("drop table if exists public." + TABLE, "drop table if exists public." + TABLE + "_x");
    }

    private static void sql(String... statements) throws Exception {
        try (Connection connection = TestServer.database(); Statement statement = connection.createStatement()) {
            for (String s : statements) {
                statement.execute(s);
            }
        }
    }

    private static long count(String query) throws Exception {
        try (Connection connection = TestServer.database(); Statement statement = connection.createStatement();
             ResultSet rs = statement.executeQuery(query)) {
            rs.next();
            return rs.getLong(1);
        }
    }

    private static String join(String joinRef, String topic, String bindings) {
        return "[\"" + joinRef + "\",\"" + joinRef + "\",\"" + topic + "\",\"phx_join\",{\"config\":{\"broadcast\":{\"ack\":false,"
                + "\"self\":false},\"presence\":{\"key\":\"\",\"enabled\":false},\"postgres_changes\":" + bindings
                + ",\"private\":false},\"access_token\":\"" + Tokens.anon() + "\"}]";
    }

    private static HttpResponse<String> admin(String method, String path) throws Exception {
        Instant now = Instant.now();
        String token = new TokenSigner(TestServer.API_JWT_SECRET)
                .sign(Map.of("iat", now.getEpochSecond(), "exp", now.plusSeconds(300).getEpochSecond()));
        return HTTP.send(HttpRequest.newBuilder(URI.create(TestServer.baseUrl() + path)).timeout(Duration.ofSeconds(30))
                .header("Authorization", "Bearer " + token).method(method, HttpRequest.BodyPublishers.noBody()).build(),
                HttpResponse.BodyHandlers.ofString());
    }

    @Test
    void theReplyComesFirstThenTheSystemMessageThenOneFramePerChange() throws Exception {
        String bindings = "[{\"event\":\"INSERT\",\"schema\":\"public\",\"table\":\"" + TABLE + "\"},"
                + "{\"event\":\"*\",\"schema\":\"public\",\"table\":\"" + TABLE + "\",\"filter\":\"id=eq.1\"}]";
        try (PhoenixSocket v2 = PhoenixSocket.open("/realtime/v1/websocket?vsn=2.0.0&apikey=" + Tokens.anon());
             PhoenixSocket v1 = PhoenixSocket.open("/socket/websocket?vsn=1.0.0&apikey=" + Tokens.anon())) {
            v2.send(join("1", "realtime:wire", bindings));
            v1.send("{\"topic\":\"realtime:wire\",\"event\":\"phx_join\",\"payload\":{\"config\":{\"postgres_changes\":"
                    + bindings + "},\"access_token\":\"" + Tokens.anon() + "\"},\"ref\":\"1\",\"join_ref\":\"1\"}");
            String reply = v2.awaitText("phx_reply");
            JsonNode echoed = JSON.readTree(reply).get(4).get("response").get("postgres_changes");
            long insertId = echoed.get(0).get("id").asLong();
            long filteredId = echoed.get(1).get("id").asLong();
            assertEquals("[\"1\",null,\"realtime:wire\",\"system\",{\"extension\":\"postgres_changes\",\"status\":\"ok\","
                    + "\"message\":\"Subscribed to PostgreSQL\",\"channel\":\"wire\"}]", v2.awaitText("system"));
            v1.awaitText("\"event\":\"system\"", "Subscribed to PostgreSQL");

            sql("insert into public." + TABLE + " values (1, 'one'), (2, 'two')");
            String first = v2.awaitText("postgres_changes", "\"id\":1,");
            assertTrue(first.startsWith("[null,null,\"realtime:wire\",\"postgres_changes\",{\"ids\":[" + insertId + ","
                    + filteredId + "],\"data\":{\"schema\":\"public\",\"table\":\"" + TABLE + "\",\"commit_timestamp\":\""), first);
            assertTrue(first.endsWith("\"type\":\"INSERT\",\"columns\":[{\"name\":\"id\",\"type\":\"int4\"},{\"name\":\"name\","
                    + "\"type\":\"text\"}],\"record\":{\"id\":1,\"name\":\"one\"},\"errors\":null}}]"), first);
            String second = v2.awaitText("postgres_changes", "\"id\":2,");
            assertTrue(second.contains("{\"ids\":[" + insertId + "],"), "the filter matched only row 1: " + second);

            String legacy = v1.awaitText("\"event\":\"postgres_changes\"", "\"id\":1,");
            JsonNode frame = JSON.readTree(legacy);
            assertEquals("realtime:wire", frame.get("topic").asText());
            assertTrue(frame.get("ref").isNull());
            assertEquals("one", frame.get("payload").get("data").get("record").get("name").asText());
        }
    }

    @Test
    void theStreamShowsInReadinessTenantHealthAndTheDoctor() throws Exception {
        try (PhoenixSocket socket = PhoenixSocket.open("/realtime/v1/websocket?vsn=2.0.0&apikey=" + Tokens.anon())) {
            socket.send(join("1", "realtime:health", "[{\"event\":\"*\",\"schema\":\"public\",\"table\":\"" + TABLE + "\"}]"));
            socket.awaitText("Subscribed to PostgreSQL");
            HttpResponse<String> ready = TestServer.get("/health/ready");
            assertEquals(200, ready.statusCode(), ready.body());
            assertTrue(ready.body().contains("\"replication-streams\""), ready.body());

            JsonNode health = JSON.readTree(admin("GET", "/api/tenants/realtime-dev/health").body()).get("data");
            assertTrue(health.get("replication_connected").asBoolean(), health.toString());

            JsonNode doctor = JSON.readTree(admin("GET", "/api/tenants/realtime-dev/doctor").body()).get("data");
            JsonNode row = null;
            for (JsonNode finding : doctor) {
                if (finding.get("check").asText().equals("replication stream")) {
                    row = finding;
                }
            }
            assertTrue(row != null && row.get("status").asText().equals("ok")
                    && row.get("found").asText().startsWith("connected since "), doctor.toString());
        }
    }

    @Test
    void deletingATenantStopsItsStreamAndDropsItsSlot() throws Exception {
        String tenant = "slots-" + UUID.randomUUID().toString().substring(0, 8);
        TestTenants.ensure(tenant, "");
        String walsenders = "select count(*) from pg_stat_replication where application_name = 'mudrock_realtime_" + tenant + "'";
        try (PhoenixSocket socket = PhoenixSocket.open("/realtime/v1/websocket?vsn=2.0.0&apikey=" + Tokens.anon(),
                tenant + ".localhost")) {
            socket.send(join("1", "realtime:slots", "[{\"event\":\"*\",\"schema\":\"public\",\"table\":\"" + TABLE + "\"}]"));
            socket.awaitText("Subscribed to PostgreSQL");
            assertEquals(1, count(walsenders), "one replication connection for the tenant");
            // The tenant's Broadcast from Database stream has a slot of its own, left out here.
            String changeSlots = "select count(*) from pg_replication_slots where slot_name not like 'supabase_realtime_messages_%'";
            long slotsBefore = count(changeSlots);
            assertEquals(204, admin("DELETE", "/api/tenants/" + tenant).statusCode());
            Await.until("the tenant's walsender gone", Duration.ofSeconds(20), () -> count(walsenders) == 0);
            Await.until("its temporary slot dropped", Duration.ofSeconds(20), () -> count(changeSlots) == slotsBefore - 1);
            Await.until("its Broadcast from Database walsender gone", Duration.ofSeconds(20), () -> count(
                    "select count(*) from pg_stat_replication where application_name = 'mudrock_realtime_messages_"
                            + tenant + "'") == 0);
        }
    }

    @Test
    void aBindingOutsideThePublicationIsToldTheFix() throws Exception {
        String unpublished = TABLE + "_x";
        sql("create table if not exists public." + unpublished + " (id int4 primary key)");
        try (PhoenixSocket socket = PhoenixSocket.open("/realtime/v1/websocket?vsn=2.0.0&apikey=" + Tokens.anon())) {
            socket.send(join("1", "realtime:fix", "[{\"event\":\"*\",\"schema\":\"public\",\"table\":\"" + unpublished + "\"}]"));
            socket.awaitText("phx_reply", "\"status\":\"ok\"");
            String error = socket.awaitText("\"system\"", "\"status\":\"error\"");
            assertTrue(error.contains("Run ALTER PUBLICATION supabase_realtime ADD TABLE public." + unpublished + ";"), error);
            List<Object> pending = socket.pending();
            assertTrue(pending.stream().noneMatch(f -> f.toString().contains("Subscribed to PostgreSQL")), pending.toString());
        }
    }
}
