package io.mudrock.realtime.it;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.nimbusds.jose.crypto.MACVerifier;
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
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.Statement;
import java.time.Duration;
import java.time.Instant;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeFalse;

/**
 * The live wells page at {@code /}: its files and endpoints over HTTP, then the page itself in
 * headless Chromium (web/test/browser/wells-page.test.mjs: SUBSCRIBED, live INSERT/UPDATE/DELETE,
 * presence across two pages, the same changes with the toggle on Broadcast from Database and back,
 * screenshots under {@code target/}).
 */
@ExtendWith(ArquillianExtension.class)
@RunAsClient
class WellsPageIT {

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final HttpClient HTTP = HttpClient.newHttpClient();
    private static final Duration BROWSER_TEST_DEADLINE = Duration.ofMinutes(4);

    @Deployment(testable = false)
    static WebArchive deployment() {
        return Deployments.realtime();
    }

    private static boolean webSkipped() {
        return Boolean.getBoolean("skip.web");
    }

    @Test
    void pageIsServedFromTheWarWithItsBundleAndNoCdn() throws Exception {
        assumeFalse(webSkipped(), "-Dskip.web=true: the WAR was built without the page");
        HttpResponse<String> page = TestServer.get("/");
        assertEquals(200, page.statusCode());
        assertTrue(page.body().contains("<title>MudRock · Live wells</title>"), page.body());
        assertEquals("no-cache", page.headers().firstValue("Cache-Control").orElse(""), "an unversioned page is revalidated");
        assertFalse(page.body().matches("(?s).*(src|href)=\"(https?:)?//.*"), "everything comes from this server: " + page.body());

        HttpResponse<String> bundle = TestServer.get("/assets/wells-page.js");
        assertEquals(200, bundle.statusCode());
        assertTrue(bundle.body().contains("postgres_changes") && bundle.body().contains("presence_state"),
                "supabase-js is bundled into the page's script");
        assertEquals(200, TestServer.get("/assets/wells-page.css").statusCode());
    }

    @Test
    void configGivesTheServerUrlAndAnAnonKeyOfTheDefaultTenant() throws Exception {
        HttpResponse<String> response = TestServer.get("/api/demo/config");
        assertEquals(200, response.statusCode(), response.body());
        JsonNode config = JSON.readTree(response.body());
        assertEquals(TestServer.baseUrl(), config.get("url").asText());
        assertEquals("realtime-dev", config.get("tenant").asText());
        assertTrue(config.get("sampleWells").asBoolean(), "the embedded default offers sample wells");
        SignedJWT key = SignedJWT.parse(config.get("anonKey").asText());
        assertTrue(key.verify(new MACVerifier(TestServer.TENANT_JWT_SECRET)), "signed with the tenant's JWT secret");
        assertEquals("anon", key.getJWTClaimsSet().getStringClaim("role"));
        assertEquals("anon", config.get("role").asText());
        assertTrue(key.getJWTClaimsSet().getExpirationTime().toInstant().isAfter(Instant.now().plus(Duration.ofDays(365))),
                "a page left open must not meet an expired key");
    }

    @Test
    void sampleWellIsInsertedAsAnonAndListed() throws Exception {
        HttpResponse<String> created = HTTP.send(HttpRequest.newBuilder(URI.create(TestServer.baseUrl() + "/api/demo/wells"))
                .POST(HttpRequest.BodyPublishers.noBody()).timeout(Duration.ofSeconds(10)).build(), HttpResponse.BodyHandlers.ofString());
        assertEquals(201, created.statusCode(), created.body());
        JsonNode well = JSON.readTree(created.body());
        long id = well.get("id").asLong();
        try (Connection db = TestServer.database();
             PreparedStatement st = db.prepareStatement("select name, uwi, status from public.wells where id = ?")) {
            st.setLong(1, id);
            try (ResultSet rs = st.executeQuery()) {
                assertTrue(rs.next(), "the row is in the table");
                assertEquals(well.get("name").asText(), rs.getString(1));
                assertEquals(well.get("uwi").asText(), rs.getString(2));
            }
            JsonNode listed = JSON.readTree(TestServer.get("/api/demo/wells").body());
            assertEquals(id, listed.get(0).get("id").asLong(), "the newest row comes first");
            assertTrue(listed.get(0).get("total_depth_m").isNumber(), "numeric arrives as a JSON number, as in realtime payloads");
            try (Statement delete = db.createStatement()) {
                delete.execute("delete from public.wells where id = " + id);
            }
        }
    }

    @Test
    void liveWellsPageInHeadlessChromium() throws Exception {
        assumeFalse(webSkipped(), "-Dskip.web=true");
        assumeFalse(Boolean.getBoolean("skip.e2e"), "-Dskip.e2e=true");
        BrowserTestRun.chromium();
        Path screenshot = BrowserTestRun.outputDir().resolve("wells-page.png");
        Files.deleteIfExists(screenshot);
        BrowserTestRun.run("test/browser/wells-page.test.mjs", "wells-page-test.log", Map.of(
                "WELLS_PAGE_URL", TestServer.baseUrl(),
                "WELLS_DB_URL", "postgres://postgres@localhost:" + TestServer.DB_PORT + "/postgres",
                "WELLS_OUT_DIR", BrowserTestRun.outputDir().toAbsolutePath().toString()), BROWSER_TEST_DEADLINE);
        assertTrue(Files.size(screenshot) > 10_000, "a real screenshot at " + screenshot);
    }
}
