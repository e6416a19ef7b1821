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
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.sql.Connection;
import java.sql.Statement;
import java.time.Duration;
import java.time.Instant;
import java.util.HashMap;
import java.util.HexFormat;
import java.util.Map;
import java.util.UUID;
import java.util.stream.StreamSupport;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The tenant admin API over real HTTP: authentication, CRUD, bad bodies, secrets, opaque API keys, and the setup doctor. */
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

    /** A token with the given claims, issued now, valid for five minutes. */
    private static String sign(Map<String, Object> claims, String secret) {
        Instant now = Instant.now();
        Map<String, Object> all = new HashMap<>(claims);
        all.put("iat", now.getEpochSecond());
        all.put("exp", now.plusSeconds(300).getEpochSecond());
        return new TokenSigner(secret).sign(all);
    }

    private static String tenantWithSecret(String id, String jwtSecret, EmbeddedPostgres db) {
        return tenantBody(id, db).replace("\"jwt_secret\":\"" + JWT_SECRET + "\"", "\"jwt_secret\":\"" + jwtSecret + "\"");
    }

    private static HttpResponse<String> broadcast(String host, String token, String body) throws Exception {
        return HTTP.send(HttpRequest.newBuilder(URI.create(TestServer.baseUrl() + "/api/broadcast"))
                .timeout(Duration.ofSeconds(30)).header("Host", host).header("Content-Type", "application/json")
                .header("Authorization", "Bearer " + token).POST(HttpRequest.BodyPublishers.ofString(body)).build(),
                HttpResponse.BodyHandlers.ofString());
    }

    private static String plainJoin(String ref, String topic, String token) {
        return "[\"" + ref + "\",\"" + ref + "\",\"" + topic + "\",\"phx_join\",{\"config\":{\"broadcast\":{\"self\":false},"
                + "\"presence\":{\"key\":\"\"},\"postgres_changes\":[],\"private\":false},\"access_token\":\"" + token + "\"}]";
    }

    @Test
    void clientKeysAreNoAdminTokensWhileAnAdminSecretIsATenantSecret() throws Exception {
        String anonOfShared = sign(Map.of("role", "anon"), TestServer.API_JWT_SECRET);
        String userOfShared = sign(Map.of("role", "authenticated", "sub", UUID.randomUUID().toString(),
                "email", "mallory@example.com"), TestServer.API_JWT_SECRET);
        assertEquals(401, call("GET", "/api/tenants", null, Tokens.anon()).statusCode(),
                "the default tenant's anon key (JWT_SECRET) is no admin token");
        assertEquals(200, call("GET", "/api/tenants", null, anonOfShared).statusCode(),
                "with separate secrets a role proves nothing: whoever signed it holds API_JWT_SECRET");

        String shared = "shared-" + UUID.randomUUID().toString().substring(0, 8);
        try {
            assertEquals(201, admin("PUT", "/api/tenants/" + shared, tenantWithSecret(shared, TestServer.API_JWT_SECRET, logical))
                    .statusCode());
            // The trap: that tenant's anon key is now a working client key signed with API_JWT_SECRET.
            try (PhoenixSocket socket = PhoenixSocket.open("/realtime/v1/websocket?vsn=2.0.0&apikey=" + anonOfShared,
                    shared + ".localhost")) {
                socket.send(plainJoin("1", "realtime:trap", anonOfShared));
                socket.awaitText("phx_reply", "\"status\":\"ok\"");
            }
            String[][] attempts = {
                    {"GET", "/api/tenants", null},
                    {"GET", "/realtime/v1/api/tenants/realtime-dev", null},
                    {"PUT", "/api/tenants/" + shared, "{\"tenant\":{\"jwt_secret\":\"mallory-now-owns-this-tenant-0123456789\"}}"},
                    {"POST", "/api/tenants/realtime-dev/reload", null},
                    {"DELETE", "/api/tenants/realtime-dev", null}};
            for (String token : new String[] {anonOfShared, userOfShared}) {
                for (String[] attempt : attempts) {
                    HttpResponse<String> refused = call(attempt[0], attempt[1], attempt[2], token);
                    assertEquals(403, refused.statusCode(), attempt[0] + " " + attempt[1] + ": " + refused.body());
                    JsonNode body = JSON.readTree(refused.body());
                    assertEquals("Forbidden", body.get("message").asText());
                    assertTrue(body.get("reason").asText().contains("which is also a tenant's JWT secret")
                            && body.get("reason").asText().contains("Fix: set API_JWT_SECRET to its own random secret"), refused.body());
                }
            }
            assertEquals(200, admin("GET", "/api/tenants/realtime-dev", null).statusCode(), "nothing was deleted");
            try (PhoenixSocket socket = PhoenixSocket.open("/realtime/v1/websocket?vsn=2.0.0&apikey=" + anonOfShared,
                    shared + ".localhost")) {
                socket.send(plainJoin("1", "realtime:trap", anonOfShared));
                socket.awaitText("phx_reply", "\"status\":\"ok\"");
                assertFalse(socket.closed().isDone(), "nothing reloaded the tenant or changed its secret");
            }
            for (String role : new String[] {"service_role", "supabase_admin"}) {
                assertEquals(200, call("GET", "/api/tenants", null, sign(Map.of("role", role), TestServer.API_JWT_SECRET))
                        .statusCode(), role + " keys are server-side secrets: still admin tokens");
            }
            assertEquals(200, admin("GET", "/api/tenants", null).statusCode(), "upstream-shaped admin tokens carry no role");
            java.nio.file.Path log = TestServer.serverDir().resolve("logs/messages.log");
            Await.until("the shared-secret warning in messages.log", Duration.ofSeconds(10), () ->
                    java.nio.file.Files.readString(log).lines().anyMatch(line -> line.contains("is also the JWT secret of tenant(s) ")
                            && line.contains(shared) && line.contains("give API_JWT_SECRET its own random value")));
        } finally {
            assertEquals(204, admin("DELETE", "/api/tenants/" + shared, null).statusCode());
        }
        assertEquals(200, call("GET", "/api/tenants", null, anonOfShared).statusCode(),
                "re-evaluated when the tenant went: no secret is shared any more");
    }

    @Test
    void theNextSecretIsAcceptedDuringRotationAndBlockedTokensNever() throws Exception {
        assertEquals(200, call("GET", "/api/tenants", null, sign(Map.of(), TestServer.API_JWT_SECRET_NEXT)).statusCode(),
                "API_JWT_SECRET_NEXT");
        assertEquals(200, call("GET", "/api/tenants", null, sign(Map.of(), TestServer.API_JWT_SECRET)).statusCode(),
                "API_JWT_SECRET still, until the rotation ends");
        HttpResponse<String> other = call("GET", "/api/tenants", null, sign(Map.of(), "a-third-secret-nobody-configured-0123"));
        assertEquals(401, other.statusCode());
        assertTrue(other.body().contains("with API_JWT_SECRET or API_JWT_SECRET_NEXT"), other.body());

        assertTrue(new io.mudrock.realtime.auth.ApiTokenVerifier(java.util.List.of(TestServer.API_JWT_SECRET), java.util.Set.of(),
                java.time.Clock.systemUTC()).verifyAuthorizationHeader("Bearer " + TestServer.BLOCKED_ADMIN_TOKEN).accepted(),
                "the blocked token is valid in itself");
        HttpResponse<String> blocked = call("GET", "/api/tenants", null, TestServer.BLOCKED_ADMIN_TOKEN);
        assertEquals(401, blocked.statusCode(), blocked.body());
        assertEquals("the token is listed in API_TOKEN_BLOCKLIST", JSON.readTree(blocked.body()).get("reason").asText());
        assertEquals(401, call("GET", "/realtime/v1/api/tenants", null, TestServer.BLOCKED_ADMIN_TOKEN).statusCode());
    }

    @Test
    void suspendDrainsTheTenantAndRefusesConnectionsAndBroadcastsUntilUnsuspended() throws Exception {
        String id = "suspend-" + UUID.randomUUID().toString().substring(0, 8);
        String host = id + ".localhost";
        String anon = sign(Map.of("role", "anon"), JWT_SECRET);
        String message = "{\"messages\":[{\"topic\":\"room\",\"event\":\"ping\",\"payload\":{\"n\":1}}]}";
        assertEquals(201, admin("PUT", "/api/tenants/" + id, tenantBody(id, logical)).statusCode());
        try (PhoenixSocket member = PhoenixSocket.open("/realtime/v1/websocket?vsn=2.0.0&apikey=" + anon, host);
             PhoenixSocket bystander = PhoenixSocket.open("/realtime/v1/websocket?vsn=2.0.0&apikey=" + Tokens.anon())) {
            member.send(plainJoin("1", "realtime:room", anon));
            member.awaitText("phx_reply", "\"status\":\"ok\"");
            bystander.send(plainJoin("1", "realtime:room", Tokens.anon()));
            bystander.awaitText("phx_reply", "\"status\":\"ok\"");
            assertEquals(202, broadcast(host, anon, message).statusCode());
            member.awaitText("\"broadcast\"", "\"ping\"");

            HttpResponse<String> suspended = admin("PATCH", "/api/tenants/" + id, "{\"tenant\":{\"suspend\":true}}");
            assertEquals(200, suspended.statusCode(), suspended.body());
            assertTrue(JSON.readTree(suspended.body()).at("/data/suspend").asBoolean());
            member.awaitText("\"system\"", "Server requested disconnect");
            assertEquals(1012, member.closed().get(10, java.util.concurrent.TimeUnit.SECONDS), "closed as by a reload");

            HttpResponse<String> refusedBroadcast = broadcast(host, anon, message);
            assertEquals(403, refusedBroadcast.statusCode(), refusedBroadcast.body());
            assertEquals("Tenant is suspended", JSON.readTree(refusedBroadcast.body()).get("message").asText());
            HttpResponse<String> handshake = HTTP.send(HttpRequest.newBuilder(URI.create(TestServer.baseUrl()
                            + "/realtime/v1/websocket?vsn=2.0.0&apikey=" + anon)).header("Host", host).GET().build(),
                    HttpResponse.BodyHandlers.ofString());
            assertEquals(403, handshake.statusCode());
            assertEquals("{\"error\":\"Realtime was disabled for this tenant\"}", handshake.body());

            assertFalse(bystander.closed().isDone(), "another tenant's socket is untouched");
            assertEquals(202, broadcast("localhost", Tokens.anon(), message).statusCode());
            bystander.awaitText("\"broadcast\"", "\"ping\"");

            assertEquals(200, admin("PATCH", "/api/tenants/" + id, "{\"tenant\":{\"suspend\":false}}").statusCode());
            try (PhoenixSocket back = PhoenixSocket.open("/realtime/v1/websocket?vsn=2.0.0&apikey=" + anon, host)) {
                back.send(plainJoin("1", "realtime:room", anon));
                back.awaitText("phx_reply", "\"status\":\"ok\"");
                assertEquals(202, broadcast(host, anon, message).statusCode());
                back.awaitText("\"broadcast\"", "\"ping\"");
            }
        } finally {
            admin("DELETE", "/api/tenants/" + id, null);
        }
    }

    @Test
    void readinessStaysUpWhileOneTenantsStreamCannotStartAndTheTenantEndpointsSayWhy() throws Exception {
        String id = "walreplica-" + UUID.randomUUID().toString().substring(0, 8);
        String anon = sign(Map.of("role", "anon"), JWT_SECRET);
        assertEquals(201, admin("PUT", "/api/tenants/" + id, tenantBody(id, replicaOnly)).statusCode());
        try (PhoenixSocket socket = PhoenixSocket.open("/realtime/v1/websocket?vsn=2.0.0&apikey=" + anon, id + ".localhost")) {
            socket.send("[\"1\",\"1\",\"realtime:changes\",\"phx_join\",{\"config\":{\"broadcast\":{\"self\":false},"
                    + "\"presence\":{\"key\":\"\"},\"postgres_changes\":[{\"event\":\"*\",\"schema\":\"public\",\"table\":\"*\"}],"
                    + "\"private\":false},\"access_token\":\"" + anon + "\"}]");
            socket.awaitText("phx_reply");
            Await.until("readiness data naming the tenant's broken stream", Duration.ofSeconds(40), () -> {
                HttpResponse<String> ready = TestServer.get("/health/ready");
                assertEquals(200, ready.statusCode(), "one tenant's database never makes the server unready: " + ready.body());
                return ready.body().contains("\"degraded\"") && ready.body().contains("tenant " + id);
            });
            JsonNode health = JSON.readTree(admin("GET", "/api/tenants/" + id + "/health", null).body()).get("data");
            assertFalse(health.get("replication_connected").asBoolean(), health.toString());
            JsonNode doctor = JSON.readTree(admin("GET", "/api/tenants/" + id + "/doctor", null).body()).get("data");
            assertTrue(StreamSupport.stream(doctor.spliterator(), false).anyMatch(row -> row.get("check").asText().equals("wal_level")
                    && row.get("status").asText().equals("fail")), doctor.toString());
            assertEquals(200, TestServer.get("/health/ready").statusCode());
        } finally {
            admin("DELETE", "/api/tenants/" + id, null);
        }
    }

    @Test
    void opaqueApiKeysAreRegisteredListedAndRevokedAndOnlyTheirHashIsStored() throws Exception {
        assertEquals(201, admin("PUT", "/api/tenants/keys", tenantBody("keys", logical)).statusCode());
        try {
            assertEquals(401, call("GET", "/api/tenants/keys/api_keys", null, null).statusCode());
            assertEquals(404, admin("GET", "/api/tenants/nobody/api_keys", null).statusCode());
            assertEquals(404, admin("POST", "/api/tenants/nobody/api_keys", "{\"type\":\"secret\"}").statusCode());
            HttpResponse<String> noType = admin("POST", "/api/tenants/keys/api_keys", "{}");
            assertEquals(422, noType.statusCode(), noType.body());
            assertEquals("can't be blank", JSON.readTree(noType.body()).at("/errors/type/0").asText());
            HttpResponse<String> badKey = admin("POST", "/api/tenants/keys/api_keys",
                    "{\"type\":\"secret\",\"api_key\":\"sb_publishable_0123456789abcdefghijklmnopqrstuv\"}");
            assertEquals(422, badKey.statusCode(), badKey.body());
            assertEquals("must start with sb_secret_", JSON.readTree(badKey.body()).at("/errors/api_key/0").asText());
            assertEquals(400, admin("POST", "/api/tenants/keys/api_keys", "{not json").statusCode());

            HttpResponse<String> created = admin("POST", "/api/tenants/keys/api_keys", "{\"type\":\"publishable\",\"name\":\"web\"}");
            assertEquals(201, created.statusCode(), created.body());
            JsonNode key = JSON.readTree(created.body()).get("data");
            String plaintext = key.get("api_key").asText();
            assertTrue(plaintext.startsWith("sb_publishable_"), plaintext);
            assertEquals("anon", key.get("role").asText());
            assertTrue(created.headers().firstValue("Location").orElseThrow().endsWith("/tenants/keys/api_keys/" + key.get("id").asText()));
            HttpResponse<String> sameName = admin("POST", "/api/tenants/keys/api_keys", "{\"type\":\"secret\",\"name\":\"web\"}");
            assertEquals(422, sameName.statusCode(), sameName.body());
            assertEquals("has already been taken", JSON.readTree(sameName.body()).at("/errors/name/0").asText());

            HttpResponse<String> listed = admin("GET", "/api/tenants/keys/api_keys", null);
            assertEquals(200, listed.statusCode());
            assertFalse(listed.body().contains(plaintext.substring(20)), "the list never shows a key: " + listed.body());
            assertEquals(1, JSON.readTree(listed.body()).get("data").size());
            try (Connection db = TestServer.database(); Statement st = db.createStatement()) {
                var rs = st.executeQuery("select encode(key_hash, 'hex'), key_hint from _realtime.api_keys where tenant_external_id = 'keys'");
                assertTrue(rs.next());
                assertEquals(HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256")
                        .digest(plaintext.getBytes(StandardCharsets.UTF_8))), rs.getString(1));
                assertEquals(plaintext.substring(0, "sb_publishable_".length() + 4) + "...", rs.getString(2), "only a hint");
            }

            // The handshake checks the key before it asks for the upgrade: 400 means the key passed.
            assertEquals(400, websocketGet("keys.localhost", plaintext).statusCode());
            HttpResponse<String> unknown = websocketGet("keys.localhost", "sb_publishable_" + UUID.randomUUID().toString().replace("-", ""));
            assertEquals(401, unknown.statusCode());
            assertEquals("Unknown API key: no such key is registered for this tenant", JSON.readTree(unknown.body()).get("error").asText());

            String id = key.get("id").asText();
            assertEquals(404, admin("DELETE", "/api/tenants/crud/api_keys/" + id, null).statusCode(), "another tenant's key");
            assertEquals(404, admin("DELETE", "/api/tenants/keys/api_keys/not-a-uuid", null).statusCode());
            assertEquals(204, admin("DELETE", "/api/tenants/keys/api_keys/" + id, null).statusCode());
            assertEquals(401, websocketGet("keys.localhost", plaintext).statusCode(), "revoked at once");
            assertEquals(404, admin("DELETE", "/api/tenants/keys/api_keys/" + id, null).statusCode());
            assertEquals(0, JSON.readTree(admin("GET", "/api/tenants/keys/api_keys", null).body()).get("data").size());
        } finally {
            admin("DELETE", "/api/tenants/keys", null);
        }
    }

    private static HttpResponse<String> websocketGet(String host, String apiKey) throws Exception {
        return HTTP.send(HttpRequest.newBuilder(URI.create(TestServer.baseUrl() + "/realtime/v1/websocket?vsn=2.0.0&apikey=" + apiKey))
                .timeout(Duration.ofSeconds(30)).header("Host", host).GET().build(), HttpResponse.BodyHandlers.ofString());
    }

    private static void assertNoSecrets(String body) {
        assertFalse(body.contains(JWT_SECRET), "the JWT secret must never be returned: " + body);
        assertFalse(body.contains(DB_PASSWORD), "the database password must never be returned: " + body);
        assertFalse(body.contains("jwt_secret"), body);
        assertFalse(body.contains("db_password"), body);
    }
}
