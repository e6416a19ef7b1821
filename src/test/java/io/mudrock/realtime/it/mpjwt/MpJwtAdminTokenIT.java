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
 * {@code role}), no {@code iss}, no {@code sub} or {@code upn}? A separate Liberty server
 * (the runtime under {@code target/liberty/wlp}, a free port, its own folder) serves a probe WAR
 * behind three {@code mpJwt} configurations, each picked by an auth filter on the path:
 * {@code default} (no issuer configured, user name from the spec's claims), {@code role-as-user}
 * (the user name from {@code role}) and {@code control} (a trusted issuer, for a token with every
 * claim MicroProfile JWT names, which proves the set-up works). The answers are what Liberty
 * 26.0.0.3 does; the README's Architecture section quotes the messages.
 */
class MpJwtAdminTokenIT {

    private static final String SERVER = "mpjwtprobe";
    private static final String SECRET = TestServer.API_JWT_SECRET;
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
                  <authFilter id="defaultPaths"><requestUrl urlPattern="/probe/default/" matchType="contains"/></authFilter>
                  <authFilter id="rolePaths"><requestUrl urlPattern="/probe/role-as-user/" matchType="contains"/></authFilter>
                  <authFilter id="controlPaths"><requestUrl urlPattern="/probe/control/" matchType="contains"/></authFilter>
                  <mpJwt id="default" authFilterRef="defaultPaths" signatureAlgorithm="HS256" sharedKey="%s"
                         ignoreApplicationAuthMethod="false"/>
                  <mpJwt id="roleAsUser" authFilterRef="rolePaths" signatureAlgorithm="HS256" sharedKey="%s"
                         userNameAttribute="role" ignoreApplicationAuthMethod="false"/>
                  <mpJwt id="control" authFilterRef="controlPaths" signatureAlgorithm="HS256" sharedKey="%s"
                         issuer="probe-issuer" ignoreApplicationAuthMethod="false"/>
                  <webApplication location="probe.war" contextRoot="/probe"/>
                </server>
                """.formatted(port, SECRET, SECRET, SECRET), StandardCharsets.UTF_8);
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
                () -> get("control", null).statusCode() != 404);
    }

    @AfterAll
    static void stopProbeServer() throws Exception {
        if (wlp != null) {
            new ProcessBuilder(wlp.resolve("bin/server").toString(), "stop", SERVER).redirectErrorStream(true)
                    .redirectOutput(serverDir.resolve("stop.out").toFile()).start().waitFor(120, TimeUnit.SECONDS);
        }
    }

    @Test
    void aTokenWithEveryClaimMicroProfileJwtNamesIsAcceptedSoTheProbeWorks() throws Exception {
        Instant now = Instant.now();
        String token = new TokenSigner(SECRET).sign(Map.of("iss", "probe-issuer", "sub", "admin", "upn", "admin",
                "jti", "probe-1", "iat", now.getEpochSecond(), "exp", now.plusSeconds(300).getEpochSecond()));
        HttpResponse<String> answer = get("control", token);
        assertEquals(200, answer.statusCode(), answer.body());
        assertTrue(answer.body().startsWith("principal=admin"), answer.body());
        assertEquals(401, get("control", null).statusCode(), "no token, no entry");
    }

    @Test
    void upstreamShapedAdminTokens() throws Exception {
        Instant now = Instant.now();
        String bare = new TokenSigner(SECRET).sign(Map.of("iat", now.getEpochSecond(),
                "exp", now.plusSeconds(300).getEpochSecond()));
        String withRole = new TokenSigner(SECRET).sign(Map.of("role", "service_role", "iat", now.getEpochSecond(),
                "exp", now.plusSeconds(300).getEpochSecond()));
        StringBuilder seen = new StringBuilder();
        for (String config : new String[] {"default", "role-as-user"}) {
            for (Map.Entry<String, String> token : Map.of("bare", bare, "withRole", withRole).entrySet()) {
                HttpResponse<String> answer = get(config, token.getValue());
                seen.append(config).append('/').append(token.getKey()).append(" -> ").append(answer.statusCode())
                        .append(' ').append(answer.headers().firstValue("WWW-Authenticate").orElse(""))
                        .append(' ').append(answer.body().lines().findFirst().orElse("")).append('\n');
            }
        }
        String log = Files.readString(serverDir.resolve("logs/messages.log"), StandardCharsets.UTF_8);
        seen.append(log.lines().filter(l -> l.contains("CWWKS")).distinct().reduce("", (a, b) -> a + b + "\n"));
        System.out.println("MicroProfile JWT probe:\n" + seen);
        assertTrue(false, seen.toString());
    }

    private static HttpResponse<String> get(String config, String token) throws IOException, InterruptedException {
        HttpRequest.Builder request = HttpRequest.newBuilder(URI.create("http://localhost:" + port + "/probe/" + config + "/admin"))
                .timeout(Duration.ofSeconds(20)).GET();
        if (token != null) {
            request.header("Authorization", "Bearer " + token);
        }
        return HTTP.send(request.build(), HttpResponse.BodyHandlers.ofString());
    }
}
