package io.mudrock.realtime.it;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.nimbusds.jose.crypto.MACVerifier;
import com.nimbusds.jwt.JWTClaimsSet;
import com.nimbusds.jwt.SignedJWT;
import org.jboss.arquillian.container.test.api.Deployment;
import org.jboss.arquillian.container.test.api.RunAsClient;
import org.jboss.arquillian.junit5.ArquillianExtension;
import org.jboss.shrinkwrap.api.spec.WebArchive;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeFalse;

/**
 * The Realtime Inspector at {@code /inspector/}: its files and endpoints over HTTP, then the page
 * itself in headless Chromium (web/test/browser/inspector.test.mjs: a join with a postgres_changes
 * binding, a broadcast and presence from a second page, a database change, a private join's error
 * reason, the tenants and live charts, screenshots under {@code target/}).
 */
@ExtendWith(ArquillianExtension.class)
@RunAsClient
class InspectorPageIT {

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final HttpClient HTTP = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
    private static final Duration BROWSER_TEST_DEADLINE = Duration.ofMinutes(4);

    @Deployment(testable = false)
    static WebArchive deployment() {
        return Deployments.realtime();
    }

    private static String adminToken() {
        return Tokens.sign(Map.of(), 3600, TestServer.API_JWT_SECRET);
    }

    private static HttpResponse<String> send(String method, String path, String token, String body) throws Exception {
        HttpRequest.Builder request = HttpRequest.newBuilder(URI.create(TestServer.baseUrl() + path))
                .timeout(Duration.ofSeconds(10))
                .method(method, body == null ? HttpRequest.BodyPublishers.noBody() : HttpRequest.BodyPublishers.ofString(body));
        if (token != null) {
            request.header("Authorization", "Bearer " + token);
        }
        if (body != null) {
            request.header("Content-Type", "application/json");
        }
        return HTTP.send(request.build(), HttpResponse.BodyHandlers.ofString());
    }

    @Test
    void pageIsServedFromTheWarWithItsBundleAndNoCdn() throws Exception {
        assumeFalse(Boolean.getBoolean("skip.web"), "-Dskip.web=true: the WAR was built without the page");
        HttpResponse<String> bare = TestServer.get("/inspector");
        assertEquals(302, bare.statusCode(), "the folder's relative asset paths need the slash");
        assertTrue(bare.headers().firstValue("Location").orElse("").endsWith("/inspector/"), bare.headers().toString());

        HttpResponse<String> page = TestServer.get("/inspector/");
        assertEquals(200, page.statusCode());
        assertTrue(page.body().contains("<title>MudRock · Realtime Inspector</title>"), page.body());
        assertEquals("no-cache", page.headers().firstValue("Cache-Control").orElse(""));
        assertFalse(page.body().matches("(?s).*(src|href)=\"(https?:)?//.*"), "everything comes from this server: " + page.body());

        HttpResponse<String> bundle = TestServer.get("/inspector/assets/inspector.js");
        assertEquals(200, bundle.statusCode());
        assertTrue(bundle.body().contains("postgres_changes") && bundle.body().contains("presence_diff"),
                "supabase-js is bundled into the inspector's script");
        assertEquals(200, TestServer.get("/inspector/assets/inspector.css").statusCode());
    }

    @Test
    void configGivesTheServerUrlAndTheDefaultTenantsAnonKey() throws Exception {
        HttpResponse<String> response = TestServer.get("/api/inspector/config");
        assertEquals(200, response.statusCode(), response.body());
        JsonNode config = JSON.readTree(response.body());
        assertEquals(TestServer.baseUrl(), config.get("url").asText());
        assertEquals("realtime-dev", config.get("tenant").asText());
        SignedJWT key = SignedJWT.parse(config.get("anonKey").asText());
        assertTrue(key.verify(new MACVerifier(TestServer.TENANT_JWT_SECRET)));
        assertEquals("anon", key.getJWTClaimsSet().getStringClaim("role"));
    }

    @Test
    void tokensAreSignedForARoleAndSubOnlyWithTheAdminToken() throws Exception {
        String request = "{\"tenant\":\"realtime-dev\",\"role\":\"authenticated\",\"sub\":\"user-42\"}";
        assertEquals(401, send("POST", "/api/inspector/token", null, request).statusCode());
        assertEquals(401, send("POST", "/api/inspector/token", Tokens.anon(), request).statusCode(), "a client key is no admin token");

        HttpResponse<String> signed = send("POST", "/api/inspector/token", adminToken(), request);
        assertEquals(200, signed.statusCode(), signed.body());
        SignedJWT token = SignedJWT.parse(JSON.readTree(signed.body()).get("token").asText());
        assertTrue(token.verify(new MACVerifier(TestServer.TENANT_JWT_SECRET)), "signed with the tenant's JWT secret");
        JWTClaimsSet claims = token.getJWTClaimsSet();
        assertEquals("authenticated", claims.getStringClaim("role"));
        assertEquals("user-42", claims.getSubject());
        Instant expiry = claims.getExpirationTime().toInstant();
        assertTrue(expiry.isAfter(Instant.now().plus(Duration.ofMinutes(55))) && expiry.isBefore(Instant.now().plus(Duration.ofMinutes(61))),
                "an hour by default: " + expiry);

        HttpResponse<String> badRole = send("POST", "/api/inspector/token", adminToken(), "{\"role\":\"x'; drop\"}");
        assertEquals(422, badRole.statusCode(), badRole.body());
        assertTrue(badRole.body().contains("role must be a PostgreSQL role name"), badRole.body());
        assertEquals(422, send("POST", "/api/inspector/token", adminToken(), "{\"role\":\"anon\",\"expires_in\":999999}").statusCode());
        assertEquals(404, send("POST", "/api/inspector/token", adminToken(), "{\"tenant\":\"nobody\",\"role\":\"anon\"}").statusCode());
        assertEquals(400, send("POST", "/api/inspector/token", adminToken(), "{not json").statusCode());
    }

    @Test
    void figuresNeedTheAdminTokenAndDescribeTheTenant() throws Exception {
        assertEquals(401, send("GET", "/api/inspector/tenants/realtime-dev/figures", null, null).statusCode());
        HttpResponse<String> response = send("GET", "/api/inspector/tenants/realtime-dev/figures", adminToken(), null);
        assertEquals(200, response.statusCode(), response.body());
        JsonNode figures = JSON.readTree(response.body());
        assertEquals("realtime-dev", figures.get("tenant").asText());
        for (String field : List.of("at", "connections", "connected_users", "events_per_second", "joins_per_second",
                "presence_events_per_second", "replication_lag_bytes", "rls_checks_total", "messages_total",
                "database_changes_total", "rls_check_seconds_total", "totals_source")) {
            assertTrue(figures.has(field), field + " in " + figures);
        }
        assertTrue(figures.get("stream").has("state"), figures.toString());
        assertEquals("metrics", figures.get("totals_source").asText(), "the charts read the metrics: " + figures);
        assertEquals(404, send("GET", "/api/inspector/tenants/nobody/figures", adminToken(), null).statusCode());
    }

    @Test
    void inspectorInHeadlessChromium() throws Exception {
        assumeFalse(Boolean.getBoolean("skip.web"), "-Dskip.web=true");
        assumeFalse(Boolean.getBoolean("skip.e2e"), "-Dskip.e2e=true");
        BrowserTestRun.chromium();
        Path screenshot = BrowserTestRun.outputDir().resolve("inspector.png");
        Path phoneScreenshot = BrowserTestRun.outputDir().resolve("inspector-phone.png");
        Files.deleteIfExists(screenshot);
        Files.deleteIfExists(phoneScreenshot);
        BrowserTestRun.run("test/browser/inspector.test.mjs", "inspector-test.log", Map.of(
                "INSPECTOR_URL", TestServer.baseUrl(),
                "INSPECTOR_DB_URL", "postgres://postgres@localhost:" + TestServer.DB_PORT + "/postgres",
                "INSPECTOR_OUT_DIR", BrowserTestRun.outputDir().toAbsolutePath().toString(),
                "ADMIN_TOKEN", adminToken()), BROWSER_TEST_DEADLINE);
        assertTrue(Files.size(screenshot) > 10_000, "a real screenshot at " + screenshot);
        assertTrue(Files.size(phoneScreenshot) > 10_000, "a real screenshot at " + phoneScreenshot);
    }
}
