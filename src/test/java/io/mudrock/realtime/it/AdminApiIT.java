package io.mudrock.realtime.it;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.mudrock.realtime.auth.TokenSigner;
import io.zonky.test.db.postgres.embedded.EmbeddedPostgres;
import org.jboss.arquillian.container.test.api.Deployment;
import org.jboss.arquillian.container.test.api.RunAsClient;
import org.jboss.arquillian.junit5.ArquillianExtension;
import org.jboss.shrinkwrap.api.spec.WebArchive;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.sql.Connection;
import java.sql.Statement;
import java.time.Duration;
import java.time.Instant;
import java.util.Map;
import java.util.stream.StreamSupport;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The tenant admin API over real HTTP: authentication, CRUD, bad bodies, secrets, and the setup doctor. */
@ExtendWith(ArquillianExtension.class)
@RunAsClient
class AdminApiIT {

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final HttpClient HTTP = HttpClient.newHttpClient();
    private static final String JWT_SECRET = "tenant-secret-never-returned-0123456789";
    private static final String DB_PASSWORD = "db-password-never-returned";

    private static EmbeddedPostgres replicaOnly;
    private static EmbeddedPostgres logical;

    @Deployment(testable = false)
    static WebArchive deployment() {
        return Deployments.realtime();
    }

    @BeforeAll
    static void startTenantDatabases() throws Exception {
        replicaOnly = EmbeddedPostgres.builder().setServerConfig("wal_level", "replica").start();
        logical = EmbeddedPostgres.builder().setServerConfig("wal_level", "logical").start();
    }

    @AfterAll
    static void stopTenantDatabases() throws Exception {
        replicaOnly.close();
        logical.close();
    }

    private static String adminToken() {
        Instant now = Instant.now();
        return new TokenSigner(TestServer.API_JWT_SECRET).sign(Map.of("iat", now.getEpochSecond(), "exp", now.plusSeconds(300).getEpochSecond()));
    }

    private static HttpResponse<String> call(String method, String path, String body, String token) throws Exception {
        HttpRequest.Builder request = HttpRequest.newBuilder(URI.create(TestServer.baseUrl() + path))
                .timeout(Duration.ofSeconds(30))
                .method(method, body == null ? HttpRequest.BodyPublishers.noBody() : HttpRequest.BodyPublishers.ofString(body))
                .header("Content-Type", "application/json");
        if (token != null) {
            request.header("Authorization", "Bearer " + token);
        }
        return HTTP.send(request.build(), HttpResponse.BodyHandlers.ofString());
    }

    private static HttpResponse<String> admin(String method, String path, String body) throws Exception {
        return call(method, path, body, adminToken());
    }

    private static String tenantBody(String id, EmbeddedPostgres db) {
        return "{\"tenant\":{\"name\":\"" + id + "\",\"external_id\":\"" + id + "\",\"jwt_secret\":\"" + JWT_SECRET + "\","
                + "\"max_concurrent_users\":7,\"extensions\":[{\"type\":\"postgres_cdc_rls\",\"settings\":{\"db_name\":\"postgres\","
                + "\"db_host\":\"localhost\",\"db_user\":\"postgres\",\"db_password\":\"" + DB_PASSWORD + "\",\"db_port\":\""
                + db.getPort() + "\",\"region\":\"us-west-1\",\"ssl_enforced\":false}}]}}";
    }

    @Test
    void everyAuthenticationFailureIsAJson401() throws Exception {
        Instant now = Instant.now();
        String expired = new TokenSigner(TestServer.API_JWT_SECRET).sign(Map.of("exp", now.minusSeconds(60).getEpochSecond()));
        String forged = new TokenSigner("some-other-secret-of-sufficient-length").sign(Map.of("exp", now.plusSeconds(60).getEpochSecond()));
        for (String token : new String[] {null, "not-a-jwt", expired, forged}) {
            HttpResponse<String> response = call("GET", "/api/tenants", null, token);
            assertEquals(401, response.statusCode(), "token " + token + ": " + response.body());
            assertEquals("Unauthorized", JSON.readTree(response.body()).get("message").asText());
        }
        assertEquals(200, admin("GET", "/api/tenants", null).statusCode());
        assertEquals(200, admin("GET", "/realtime/v1/api/tenants", null).statusCode(), "the gateway path serves the API too");
    }

    @Test
    void theApiIsDescribedByOpenApi() throws Exception {
        HttpResponse<String> document = TestServer.get("/openapi");
        assertEquals(200, document.statusCode());
        assertTrue(document.body().contains("/api/tenants/{id}/doctor"), document.body());
        assertTrue(document.body().contains("MudRock Realtime API"), document.body());
    }

    @Test
    void badBodiesGetUpstreamErrors() throws Exception {
        HttpResponse<String> notJson = admin("POST", "/api/tenants", "{not json");
        assertEquals(400, notJson.statusCode(), notJson.body());
        HttpResponse<String> noTenant = admin("POST", "/api/tenants", "{}");
        assertEquals(422, noTenant.statusCode());
        assertEquals("can't be blank", JSON.readTree(noTenant.body()).at("/errors/tenant/0").asText());
        HttpResponse<String> noId = admin("POST", "/api/tenants", "{\"tenant\":{\"name\":\"x\"}}");
        assertEquals(422, noId.statusCode());
        assertEquals("can't be blank", JSON.readTree(noId.body()).at("/errors/external_id/0").asText());
        HttpResponse<String> wrongType = admin("PUT", "/api/tenants/typo", "{\"tenant\":{\"max_concurrent_users\":\"many\",\"jwt_secret\":\"s\"}}");
        assertEquals(422, wrongType.statusCode());
        assertEquals("is invalid", JSON.readTree(wrongType.body()).at("/errors/max_concurrent_users/0").asText());
        HttpResponse<String> missingDbHost = admin("PUT", "/api/tenants/nodb",
                "{\"tenant\":{\"jwt_secret\":\"s\",\"extensions\":[{\"type\":\"postgres_cdc_rls\",\"settings\":{\"db_name\":\"x\"}}]}}");
        assertEquals(422, missingDbHost.statusCode(), missingDbHost.body());
        assertTrue(missingDbHost.body().contains("can't be blank"), missingDbHost.body());
        assertEquals(404, admin("GET", "/api/tenants/nobody", null).statusCode());
        assertEquals("not found", JSON.readTree(admin("GET", "/api/tenants/nobody", null).body()).get("message").asText());
        assertEquals(404, admin("POST", "/api/tenants/nobody/reload", null).statusCode());
    }

    @Test
    void createReadUpdateDeleteWithoutEverShowingSecrets() throws Exception {
        HttpResponse<String> created = admin("POST", "/api/tenants", tenantBody("crud", logical));
        assertEquals(201, created.statusCode(), created.body());
        assertTrue(created.headers().firstValue("Location").orElseThrow().endsWith("/tenants/crud"));
        assertNoSecrets(created.body());
        assertEquals(7, JSON.readTree(created.body()).at("/data/max_concurrent_users").asInt());

        try (Connection db = TestServer.database(); Statement st = db.createStatement()) {
            var rs = st.executeQuery("select jwt_secret, settings->>'db_password' from _realtime.tenants t join _realtime.extensions e"
                    + " on e.tenant_external_id = t.external_id where external_id = 'crud'");
            assertTrue(rs.next());
            assertNotEquals(JWT_SECRET, rs.getString(1), "the secret is stored encrypted");
            assertNotEquals(DB_PASSWORD, rs.getString(2), "the password is stored encrypted");
        }

        HttpResponse<String> again = admin("POST", "/api/tenants", tenantBody("crud", logical).replace("\"max_concurrent_users\":7", "\"max_concurrent_users\":9"));
        assertEquals(200, again.statusCode(), again.body());
        assertEquals(9, JSON.readTree(again.body()).at("/data/max_concurrent_users").asInt());

        HttpResponse<String> patched = admin("PATCH", "/api/tenants/crud", "{\"tenant\":{\"private_only\":true}}");
        assertEquals(200, patched.statusCode(), patched.body());
        assertTrue(JSON.readTree(patched.body()).at("/data/private_only").asBoolean());

        HttpResponse<String> listed = admin("GET", "/api/tenants", null);
        assertNoSecrets(listed.body());
        assertTrue(StreamSupport.stream(JSON.readTree(listed.body()).get("data").spliterator(), false)
                .anyMatch(t -> t.get("external_id").asText().equals("crud")));
        assertNoSecrets(admin("GET", "/api/tenants/crud", null).body());

        HttpResponse<String> health = admin("GET", "/api/tenants/crud/health", null);
        assertEquals(200, health.statusCode());
        assertTrue(JSON.readTree(health.body()).at("/data/db_connected").asBoolean(), health.body());

        assertEquals(204, admin("POST", "/api/tenants/crud/reload", null).statusCode());
        assertEquals(204, admin("DELETE", "/api/tenants/crud", null).statusCode());
        assertEquals(404, admin("GET", "/api/tenants/crud", null).statusCode());
        assertEquals(204, admin("DELETE", "/api/tenants/crud", null).statusCode(), "deleting twice is not an error");
    }

    @Test
    void doctorPassesAHealthyDatabaseAndNamesWhatIsBroken() throws Exception {
        assertEquals(201, admin("POST", "/api/tenants", tenantBody("doc-ok", logical)).statusCode());
        try (Connection db = logical.getPostgresDatabase().getConnection(); Statement st = db.createStatement()) {
            st.execute("create table public.items (id int primary key, owner uuid)");
            st.execute("alter table public.items enable row level security");
            st.execute("create policy \"read\" on public.items for select to authenticated using (true)");
            st.execute("grant select on public.items to authenticated");
            st.execute("alter publication supabase_realtime add table public.items");
        }
        JsonNode healthy = doctor("doc-ok");
        for (JsonNode row : healthy) {
            assertNotEquals("fail", row.get("status").asText(), "healthy database: " + row);
        }
        assertEquals("ok", status(healthy, "wal_level"));

        try (Connection db = logical.getPostgresDatabase().getConnection(); Statement st = db.createStatement()) {
            st.execute("create table public.nokey (v text)");
            st.execute("create table public.locked (id int primary key)");
            st.execute("alter table public.locked enable row level security");
            st.execute("alter publication supabase_realtime add table public.nokey, public.locked");
        }
        JsonNode broken = doctor("doc-ok");
        assertEquals("fail", status(broken, "table public.nokey primary key"));
        assertEquals("fail", status(broken, "table public.locked row level security"));
        assertTrue(row(broken, "table public.locked row level security").get("fix").asText().startsWith("CREATE POLICY"));

        try (Connection db = logical.getPostgresDatabase().getConnection(); Statement st = db.createStatement()) {
            st.execute("drop publication supabase_realtime");
        }
        JsonNode noPublication = doctor("doc-ok");
        assertEquals("fail", status(noPublication, "publication"));
        assertEquals("CREATE PUBLICATION \"supabase_realtime\";", row(noPublication, "publication").get("fix").asText());

        assertEquals(201, admin("POST", "/api/tenants", tenantBody("doc-replica", replicaOnly)).statusCode());
        JsonNode replica = doctor("doc-replica");
        assertEquals("fail", status(replica, "wal_level"));
        assertTrue(row(replica, "wal_level").get("fix").asText().contains("wal_level = logical"));

        assertEquals(404, admin("GET", "/api/tenants/nobody/doctor", null).statusCode());
        admin("DELETE", "/api/tenants/doc-ok", null);
        admin("DELETE", "/api/tenants/doc-replica", null);
    }

    private static JsonNode doctor(String id) throws Exception {
        HttpResponse<String> response = admin("GET", "/api/tenants/" + id + "/doctor", null);
        assertEquals(200, response.statusCode(), response.body());
        return JSON.readTree(response.body()).get("data");
    }

    private static JsonNode row(JsonNode rows, String check) {
        for (JsonNode row : rows) {
            if (row.get("check").asText().equals(check)) {
                return row;
            }
        }
        throw new AssertionError("no doctor row '" + check + "' in " + rows);
    }

    private static String status(JsonNode rows, String check) {
        return row(rows, check).get("status").asText();
    }

    private static void assertNoSecrets(String body) {
        assertFalse(body.contains(JWT_SECRET), "the JWT secret must never be returned: " + body);
        assertFalse(body.contains(DB_PASSWORD), "the database password must never be returned: " + body);
        assertFalse(body.contains("jwt_secret"), body);
        assertFalse(body.contains("db_password"), body);
    }
}
