package io.mudrock.realtime.it.mpjwt;

import io.mudrock.realtime.auth.TokenSigner;
import io.mudrock.realtime.it.Await;
import io.mudrock.realtime.it.TestServer;
import org.jboss.shrinkwrap.api.ShrinkWrap;
import org.jboss.shrinkwrap.api.asset.StringAsset;
import org.jboss.shrinkwrap.api.exporter.ZipExporter;
import org.jboss.shrinkwrap.api.spec.WebArchive;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.Map;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Can Liberty's MicroProfile JWT ({@code mpJwt-2.1}) authenticate the admin tokens upstream
 * accepts: HS256 with {@code API_JWT_SECRET}, only {@code iat} and {@code exp} (sometimes
 * {@code role}), no {@code iss}, no {@code sub} or {@code upn}? A separate Liberty server (the
 * runtime under {@code target/liberty/wlp}, a free port, its own folder) serves a probe WAR whose
 * only resource needs an authenticated MP-JWT caller, and is reconfigured in turn with the
 * {@code mpJwt} settings that could let such tokens in: none beyond the HS256 key, the user name
 * taken from {@code role}, and a trusted issuer (where a token with every claim MicroProfile JWT
 * names must pass, which proves the probe itself works). The answers are what Liberty 26.0.0.3
 * does; the README's Architecture section quotes its messages.
 */
class MpJwtAdminTokenIT {

    private static final String SERVER = "mpjwtprobe";
    private static final String SECRET = TestServer.API_JWT_SECRET;
    /** Liberty's line after a configuration change was applied (or found to change nothing). */
    private static final java.util.regex.Pattern CONFIG_APPLIED = java.util.regex.Pattern.compile("CWWKG001[78]I");
    private static final HttpClient HTTP = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();

    private static Path wlp;
    private static Path serverDir;
    private static int port;

    @BeforeAll
    static void startProbeServer() throws Exception {
        wlp = TestServer.baseDir().resolve("target/liberty/wlp");
        serverDir = wlp.resolve("usr/servers/" + SERVER);
        try (ServerSocket free = new ServerSocket(0)) {
            port = free.getLocalPort();
        }
        Files.createDirectories(serverDir.resolve("apps"));
        Files.deleteIfExists(serverDir.resolve("logs/messages.log"));
        configure("");
        WebArchive war = ShrinkWrap.create(WebArchive.class, "probe.war")
                .addClasses(ProbeApplication.class, ProbeResource.class)
                .addAsWebInfResource(new StringAsset("<beans xmlns=\"https://jakarta.ee/xml/ns/jakartaee\" version=\"4.0\" bean-discovery-mode=\"all\"/>"), "beans.xml")
                .setWebXML(new StringAsset("""
                        <web-app xmlns="https://jakarta.ee/xml/ns/jakartaee" version="6.0">
                          <security-constraint>
                            <web-resource-collection><web-resource-name>all</web-resource-name><url-pattern>/*</url-pattern></web-resource-collection>
                            <auth-constraint><role-name>**</role-name></auth-constraint>
                          </security-constraint>
                          <login-config><auth-method>MP-JWT</auth-method></login-config>
                        </web-app>
                        """));
        war.as(ZipExporter.class).exportTo(serverDir.resolve("apps/probe.war").toFile(), true);
        Process start = new ProcessBuilder(wlp.resolve("bin/server").toString(), "start", SERVER)
                .redirectErrorStream(true).redirectOutput(serverDir.resolve("start.out").toFile()).start();
        assertTrue(start.waitFor(180, TimeUnit.SECONDS) && start.exitValue() == 0,
                "the probe server started: " + Files.readString(serverDir.resolve("start.out")));
        Await.until("the probe application is up", Duration.ofSeconds(120),
                () -> log().contains("CWWKZ0001I") && log().contains("CWWKF0011I"));
    }

    @AfterAll
    static void stopProbeServer() throws Exception {
        if (wlp != null) {
            new ProcessBuilder(wlp.resolve("bin/server").toString(), "stop", SERVER).redirectErrorStream(true)
                    .redirectOutput(serverDir.resolve("stop.out").toFile()).start().waitFor(120, TimeUnit.SECONDS);
        }
    }

    /**
     * Writes the probe server's configuration with one {@code mpJwt} element; a running server
     * applies it before this returns (its log says the configuration was updated).
     */
    private static void configure(String mpJwtAttributes) throws Exception {
        long updates = Files.exists(serverDir.resolve("logs/messages.log")) ? count(CONFIG_APPLIED) : -1;
        Files.writeString(serverDir.resolve("server.xml"), """
                <?xml version="1.0" encoding="UTF-8"?>
                <server description="MicroProfile JWT probe">
                  <featureManager>
                    <feature>restfulWS-3.1</feature>
                    <feature>cdi-4.0</feature>
                    <feature>mpJwt-2.1</feature>
                    <feature>appSecurity-5.0</feature>
                  </featureManager>
                  <httpEndpoint id="defaultHttpEndpoint" host="localhost" httpPort="%d" httpsPort="-1"/>
                  <!-- mpJwt's configuration service needs the SSL service, which needs a keystore: without one no mpJwt
                       configuration is registered and every request falls back to BASIC. -->
                  <keyStore id="defaultKeyStore" password="probe-keystore"/>
                  <mpJwt id="adminTokens" signatureAlgorithm="HS256" sharedKey="%s" %s/>
                  <webApplication location="probe.war" contextRoot="/probe"/>
                </server>
                """.formatted(port, SECRET, mpJwtAttributes), StandardCharsets.UTF_8);
        if (updates >= 0) {
            Await.until("the probe server applied mpJwt " + mpJwtAttributes, Duration.ofSeconds(60),
                    () -> count(CONFIG_APPLIED) > updates);
        }
    }

    private static String log() throws IOException {
        Path log = serverDir.resolve("logs/messages.log");
        return Files.exists(log) ? Files.readString(log, StandardCharsets.UTF_8) : "";
    }

    private static long count(java.util.regex.Pattern line) throws IOException {
        return log().lines().filter(l -> line.matcher(l).find()).count();
    }

    private static String token(Map<String, Object> claims) {
        Instant now = Instant.now();
        Map<String, Object> all = new java.util.HashMap<>(claims);
        all.put("iat", now.getEpochSecond());
        all.put("exp", now.plusSeconds(300).getEpochSecond());
        return new TokenSigner(SECRET).sign(all);
    }

    /** Sends the token; a refusal's messages are in the log once the answer is. */
    private static Probe probe(String token) throws Exception {
        long before = log().lines().count();
        HttpResponse<String> answer = get(token);
        if (answer.statusCode() == 401) {
            // Liberty logs a refusal's reason as it answers; give its log writer a moment to catch up.
            try {
                Await.until("Liberty's reason for the refusal in messages.log", Duration.ofSeconds(10),
                        () -> !refusals(before).isEmpty());
            } catch (AssertionError silent) {
                // a refusal without a reason: the caller's assertion reports it with the whole table
            }
        }
        return new Probe(answer.statusCode(), answer.body().lines().findFirst().orElse(""), refusals(before));
    }

    /** The security messages (not the start-up ones) logged after line {@code before}. */
    private static String refusals(long before) throws IOException {
        return log().lines().skip(before).filter(l -> l.contains("CWWKS") && !l.contains("CWWKS4"))
                .map(l -> l.substring(l.indexOf("CWWKS"))).reduce("", (a, b) -> a + " | " + b);
    }

    @Test
    void upstreamShapedAdminTokensAgainstEachConfiguration() throws Exception {
        String bare = token(Map.of());
        String withRole = token(Map.of("role", "service_role"));
        String complete = token(Map.of("iss", "probe-issuer", "sub", "admin", "upn", "admin", "jti", "probe-1"));
        StringBuilder seen = new StringBuilder();
        String[][] variants = {
            {"trusted issuer", "issuer=\"probe-issuer\""},
            {"no issuer configured", ""},
            {"user name from role", "userNameAttribute=\"role\""},
        };
        for (String[] variant : variants) {
            configure(variant[1]);
            seen.append("== ").append(variant[0]).append('\n');
            for (Map.Entry<String, String> token : new java.util.TreeMap<>(Map.of("1 {iat,exp}", bare,
                    "2 {role,iat,exp}", withRole, "3 {iss,sub,upn,jti,iat,exp}", complete)).entrySet()) {
                Probe answer = probe(token.getValue());
                seen.append(token.getKey()).append(": ").append(answer).append('\n');
                if (variant[1].startsWith("issuer") && token.getValue().equals(complete)) {
                    // The control: a token with every claim MicroProfile JWT names passes, so the probe works.
                    assertEquals(200, answer.status(), seen.toString());
                    assertTrue(answer.body().startsWith("principal=admin"), seen.toString());
                } else if (token.getValue().equals(complete)) {
                    // Accepted, or refused with Liberty's reason in its log: never a silent refusal.
                    assertTrue(answer.status() == 200 || (answer.status() == 401 && !answer.messages().isEmpty()),
                            seen.toString());
                } else {
                    // An upstream-shaped admin token: refused under every configuration, for its missing iss
                    // (CWWKS6022E with a trusted issuer configured, CWWKS6052E without one).
                    assertEquals(401, answer.status(), seen.toString());
                    assertTrue(answer.messages().contains(variant[1].startsWith("issuer") ? "CWWKS6022E" : "CWWKS6052E"),
                            seen.toString());
                }
            }
        }
        System.out.println("MicroProfile JWT probe:\n" + seen);
    }

    /** One answer of the probe resource, with the Liberty messages it caused. */
    private record Probe(int status, String body, String messages) {
        @Override
        public String toString() {
            return status + (status == 200 ? " " + body : "") + messages;
        }
    }

    private static HttpResponse<String> get(String token) throws IOException, InterruptedException {
        HttpRequest.Builder request = HttpRequest.newBuilder(URI.create("http://localhost:" + port + "/probe/admin"))
                .timeout(Duration.ofSeconds(20)).GET();
        if (token != null) {
            request.header("Authorization", "Bearer " + token);
        }
        return HTTP.send(request.build(), HttpResponse.BodyHandlers.ofString());
    }
}
