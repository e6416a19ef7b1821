package io.mudrock.realtime.it;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.time.Duration;

/** Where the Arquillian-managed Liberty server and its embedded database listen during {@code mvn verify}. */
public final class TestServer {

    /** HTTP port of the test server. */
    public static final int HTTP_PORT = Integer.getInteger("it.http.port", 9082);
    /** Port of the embedded PostgreSQL the deployed application starts. */
    public static final int DB_PORT = Integer.getInteger("it.db.port", 54339);
    /** The tenant JWT secret the test server is configured with (src/test/liberty/config/server.env). */
    public static final String TENANT_JWT_SECRET = "it-tenant-jwt-secret-at-least-32-bytes-long";
    /** The admin API secret the test server is configured with. */
    public static final String API_JWT_SECRET = "it-api-jwt-secret-at-least-32-bytes-long!!";
    /** The rotation secret ({@code API_JWT_SECRET_NEXT}) the test server is configured with. */
    public static final String API_JWT_SECRET_NEXT = "it-api-jwt-secret-next-at-least-32-bytes-long";
    /** The secret of {@code /metrics} scrape tokens ({@code METRICS_JWT_SECRET}) the test server is configured with. */
    public static final String METRICS_JWT_SECRET = "it-metrics-jwt-secret-at-least-32-bytes-long";
    /**
     * An admin token listed in the test server's {@code API_TOKEN_BLOCKLIST}: HS256 with
     * {@link #API_JWT_SECRET} over {@code {"iat":1700000000,"purpose":"API_TOKEN_BLOCKLIST test"}}, no {@code exp},
     * so it would be valid forever if it were not listed.
     */
    public static final String BLOCKED_ADMIN_TOKEN = "eyJhbGciOiJIUzI1NiIsInR5cCI6IkpXVCJ9"
            + ".eyJpYXQiOjE3MDAwMDAwMDAsInB1cnBvc2UiOiJBUElfVE9LRU5fQkxPQ0tMSVNUIHRlc3QifQ"
            + ".8BhAReNGtOWsDsqlid7RLNRwIW9T-gtspDpm3few6eg";

    /** The server's default WebSocket transport ({@code WEBSOCKET_TRANSPORT} unset). */
    public static final String DEFAULT_WEBSOCKET_TRANSPORT = "jakarta";
    /** The transport this run's deployments use: {@code -Dit.websocket.transport}, else the default. */
    public static final String WEBSOCKET_TRANSPORT = System.getProperty("it.websocket.transport", "").isBlank()
            ? DEFAULT_WEBSOCKET_TRANSPORT : System.getProperty("it.websocket.transport");

    private static final HttpClient HTTP = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();

    private TestServer() {
    }

    /** The base URL, for example {@code http://localhost:9082}. */
    public static String baseUrl() {
        return "http://localhost:" + HTTP_PORT;
    }

    /** The packaged WAR that the tests deploy. */
    public static Path war() {
        return Path.of(System.getProperty("it.war", "target/realtime.war"));
    }

    /** The folder of the test server (its logs are under {@code logs/}). */
    public static Path serverDir() {
        return Path.of(System.getProperty("it.server.dir", "target/liberty/wlp/usr/servers/arquillian9082"));
    }

    /** The project folder. */
    public static Path baseDir() {
        return Path.of(System.getProperty("it.basedir", "."));
    }

    /** A superuser connection to the deployed application's embedded database. */
    public static Connection database() throws SQLException {
        return DriverManager.getConnection("jdbc:postgresql://localhost:" + DB_PORT + "/postgres", "postgres", "");
    }

    /** GET a path of the test server. */
    public static HttpResponse<String> get(String path) throws IOException, InterruptedException {
        return HTTP.send(HttpRequest.newBuilder(URI.create(baseUrl() + path)).timeout(Duration.ofSeconds(10)).GET().build(),
                HttpResponse.BodyHandlers.ofString());
    }
}
