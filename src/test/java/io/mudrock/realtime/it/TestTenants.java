package io.mudrock.realtime.it;

import io.mudrock.realtime.auth.TokenSigner;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.time.Instant;
import java.util.Map;

/**
 * Extra tenants for tests, created (or updated) through the admin API on the test server's own
 * embedded database, with the test tenant secret so {@link Tokens} work for them too. Select one
 * with a Host header whose first label is its id, e.g. {@code limits.localhost}.
 */
public final class TestTenants {

    private static final HttpClient HTTP = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();

    private TestTenants() {
    }

    /**
     * Creates or updates a tenant.
     *
     * @param id its external id
     * @param settings extra tenant fields as JSON members, e.g. {@code "max_channels_per_client":3}, or empty
     */
    public static void ensure(String id, String settings) throws Exception {
        String body = "{\"tenant\":{\"name\":\"" + id + "\",\"jwt_secret\":\"" + TestServer.TENANT_JWT_SECRET + "\","
                + (settings.isEmpty() ? "" : settings + ",")
                + "\"extensions\":[{\"type\":\"postgres_cdc_rls\",\"settings\":{\"db_name\":\"postgres\","
                + "\"db_host\":\"localhost\",\"db_user\":\"postgres\",\"db_password\":\"postgres\",\"db_port\":\""
                + TestServer.DB_PORT + "\",\"region\":\"local\",\"ssl_enforced\":false}}]}}";
        Instant now = Instant.now();
        String token = new TokenSigner(TestServer.API_JWT_SECRET)
                .sign(Map.of("iat", now.getEpochSecond(), "exp", now.plusSeconds(300).getEpochSecond()));
        HttpResponse<String> response = HTTP.send(HttpRequest.newBuilder(URI.create(TestServer.baseUrl() + "/api/tenants/" + id))
                .timeout(Duration.ofSeconds(30))
                .header("Content-Type", "application/json")
                .header("Authorization", "Bearer " + token)
                .PUT(HttpRequest.BodyPublishers.ofString(body))
                .build(), HttpResponse.BodyHandlers.ofString());
        if (response.statusCode() / 100 != 2) {
            throw new AssertionError("Creating tenant " + id + " answered " + response.statusCode() + ": " + response.body());
        }
    }

    /**
     * Deletes a tenant (its sockets drain, its streams stop).
     *
     * @param id its external id
     */
    public static void delete(String id) throws Exception {
        Instant now = Instant.now();
        String token = new TokenSigner(TestServer.API_JWT_SECRET)
                .sign(Map.of("iat", now.getEpochSecond(), "exp", now.plusSeconds(300).getEpochSecond()));
        HttpResponse<String> response = HTTP.send(HttpRequest.newBuilder(URI.create(TestServer.baseUrl() + "/api/tenants/" + id))
                .timeout(Duration.ofSeconds(30))
                .header("Authorization", "Bearer " + token)
                .DELETE()
                .build(), HttpResponse.BodyHandlers.ofString());
        if (response.statusCode() != 204) {
            throw new AssertionError("Deleting tenant " + id + " answered " + response.statusCode() + ": " + response.body());
        }
    }
}
