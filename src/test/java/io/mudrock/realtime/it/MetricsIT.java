package io.mudrock.realtime.it;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.mudrock.realtime.auth.TokenSigner;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.sql.Connection;
import java.sql.Statement;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.UUID;
import java.util.concurrent.CompletionException;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.jboss.arquillian.container.test.api.Deployment;
import org.jboss.arquillian.container.test.api.RunAsClient;
import org.jboss.arquillian.junit5.ArquillianExtension;
import org.jboss.shrinkwrap.api.spec.WebArchive;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.jupiter.api.extension.ExtendWith;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * {@code /metrics} against the packaged server: refused without or with a wrong token, and the
 * per-tenant series moving with real sockets, broadcasts and database changes on a tenant of this
 * test's own (so every count starts at zero). The last test checks that every series the Grafana
 * dashboard queries is in a real scrape, after the earlier ones made each kind of event happen.
 */
@ExtendWith(ArquillianExtension.class)
@RunAsClient
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class MetricsIT {

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final HttpClient HTTP = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
    private static final String TENANT = "metrics-" + UUID.randomUUID().toString().substring(0, 8);
    private static final String HOST = TENANT + ".localhost";
    private static final String TABLE = "it_metrics_" + UUID.randomUUID().toString().substring(0, 8);
    private static final Pattern SAMPLE = Pattern.compile("^([a-zA-Z_:][a-zA-Z0-9_:]*)(\\{([^}]*)})? (\\S+)$");
    private static final Pattern LABEL = Pattern.compile("([a-zA-Z_][a-zA-Z0-9_]*)=\"((?:[^\"\\\\]|\\\\.)*)\"");
    private static final Pattern SERIES = Pattern.compile("\\b((?:realtime|jvm|process|system|liberty)_[a-z0-9_]+)\\b");

    @Deployment(testable = false)
    static WebArchive deployment() {
        return Deployments.realtime();
    }

    @BeforeAll
    static void ready() throws Exception {
        Await.until("/health/ready UP", Duration.ofSeconds(60),
                () -> TestServer.get("/health/ready").statusCode() == 200);
        TestTenants.ensure(TENANT, "");
        sql("create table public." + TABLE + " (id int4 primary key, name text)",
                "grant select on public." + TABLE + " to anon",
                "alter publication supabase_realtime add table public." + TABLE);
    }

    /** Other tests expect the shared database's publication as they left it. */
    @AfterAll
    static void dropTable() throws Exception {
        sql("drop table if exists public." + TABLE);
    }

    private static void sql(String... statements) throws Exception {
        try (Connection connection = TestServer.database(); Statement statement = connection.createStatement()) {
            for (String s : statements) {
                statement.execute(s);
            }
        }
    }

    private static HttpResponse<String> scrape(String authorization) throws Exception {
        HttpRequest.Builder request = HttpRequest.newBuilder(URI.create(TestServer.baseUrl() + "/metrics"))
                .timeout(Duration.ofSeconds(30));
        if (authorization != null) {
            request.header("Authorization", authorization);
        }
        return HTTP.send(request.GET().build(), HttpResponse.BodyHandlers.ofString());
    }

    private static String scrape() throws Exception {
        HttpResponse<String> response = scrape("Bearer " + new TokenSigner(TestServer.METRICS_JWT_SECRET).sign(Map.of()));
        assertEquals(200, response.statusCode(), response.body());
        return response.body();
    }

    /** The sum of every sample of {@code name} whose labels include {@code labels} (NaN when none). */
    private static double value(String text, String name, Map<String, String> labels) {
        double sum = 0;
        boolean found = false;
        for (String line : text.split("\n")) {
            Matcher sample = SAMPLE.matcher(line);
            if (!sample.matches() || !sample.group(1).equals(name)) {
                continue;
            }
            Map<String, String> present = new LinkedHashMap<>();
            if (sample.group(3) != null) {
                Matcher label = LABEL.matcher(sample.group(3));
                while (label.find()) {
                    present.put(label.group(1), label.group(2));
                }
            }
            if (present.entrySet().containsAll(labels.entrySet())) {
                sum += Double.parseDouble(sample.group(4));
                found = true;
            }
        }
        return found ? sum : Double.NaN;
    }

    private static double tenantValue(String name, String... labels) throws Exception {
        Map<String, String> wanted = new LinkedHashMap<>();
        wanted.put("tenant", TENANT);
        for (int i = 0; i < labels.length; i += 2) {
            wanted.put(labels[i], labels[i + 1]);
        }
        return value(scrape(), name, wanted);
    }

    private static void awaitValue(String name, double expected, String... labels) throws Exception {
        Await.until(name + " " + String.join(",", labels) + " of " + TENANT + " = " + expected, Duration.ofSeconds(20),
                () -> tenantValue(name, labels) == expected);
    }

    private static PhoenixSocket socket() {
        return PhoenixSocket.open("/realtime/v1/websocket?vsn=2.0.0&apikey=" + Tokens.anon(), HOST);
    }

    private static String join(String joinRef, String topic, String bindings) {
        return "[\"" + joinRef + "\",\"" + joinRef + "\",\"" + topic + "\",\"phx_join\",{\"config\":{\"broadcast\":{\"ack\":false,"
                + "\"self\":false},\"presence\":{\"key\":\"\",\"enabled\":false},\"postgres_changes\":" + bindings
                + ",\"private\":false},\"access_token\":\"" + Tokens.anon() + "\"}]";
    }

    @Test
    @Order(1)
    void aScrapeWithoutOrWithAWrongTokenIsRefused() throws Exception {
        HttpResponse<String> none = scrape(null);
        assertEquals(401, none.statusCode(), none.body());
        assertEquals("Bearer", none.headers().firstValue("WWW-Authenticate").orElse(""));
        HttpResponse<String> wrong = scrape("Bearer " + new TokenSigner(TestServer.API_JWT_SECRET).sign(Map.of()));
        assertEquals(403, wrong.statusCode(), wrong.body());
        assertTrue(wrong.body().contains("METRICS_JWT_SECRET"), wrong.body());
        HttpResponse<String> garbage = scrape("Bearer not.a.token");
        assertEquals(403, garbage.statusCode(), garbage.body());

        String text = scrape();
        assertTrue(text.contains("# TYPE jvm_memory_used_bytes gauge"), "JVM series come along");
        assertTrue(value(text, "process_uptime_seconds", Map.of()) > 0, "process uptime");

        // Liberty's own figures, from monitor-1.0's MXBeans
        Map<String, String> executor = Map.of("pool", "Default Executor");
        assertTrue(value(text, "liberty_threadpool_size", executor) >= 1, "Liberty's pool size in " + text);
        assertTrue(value(text, "liberty_threadpool_active_threads", executor) >= 0, "its active threads");
        Await.until("the scrapes counted by the metrics servlet's ServletStats", Duration.ofSeconds(20), () -> {
            String next = scrape();
            return next.lines().anyMatch(line -> line.startsWith("liberty_servlet_requests_total{servlet=\"")
                    && line.contains("MetricsServlet") && !line.endsWith(" 0.0") && !line.endsWith(" NaN"));
        });
    }

    @Test
    @Order(2)
    void socketAndChannelSeriesRiseWhenAClientJoinsAndFallWhenItLeaves() throws Exception {
        double closesBefore = tenantValue("realtime_socket_closes_total", "cause", "client");
        try (PhoenixSocket client = socket()) {
            awaitValue("realtime_connected_sockets", 1);
            client.send(join("1", "realtime:room", "[]"));
            client.awaitText("phx_reply", "\"ok\"");
            client.send(join("2", "realtime:rows", "[{\"event\":\"*\",\"schema\":\"public\",\"table\":\"" + TABLE + "\"}]"));
            client.awaitText("Subscribed to PostgreSQL");
            awaitValue("realtime_joined_channels", 1, "kind", "public");
            awaitValue("realtime_joined_channels", 1, "kind", "postgres_changes");
            assertEquals(2, tenantValue("realtime_joins_total"));

            client.send("[\"1\",\"3\",\"realtime:room\",\"phx_leave\",{}]");
            client.awaitText("phx_close");
            awaitValue("realtime_joined_channels", 0, "kind", "public");
            assertEquals(1, tenantValue("realtime_joined_channels", "kind", "postgres_changes"));
        }
        awaitValue("realtime_connected_sockets", 0);
        awaitValue("realtime_joined_channels", 0, "kind", "postgres_changes");
        double closes = Double.isNaN(closesBefore) ? 0 : closesBefore;
        awaitValue("realtime_socket_closes_total", closes + 1, "cause", "client");
    }

    @Test
    @Order(3)
    void broadcastsMoveTheirCountersByTheRightAmounts() throws Exception {
        try (PhoenixSocket sender = socket(); PhoenixSocket receiver = socket()) {
            sender.send(join("1", "realtime:chat", "[]"));
            receiver.send(join("1", "realtime:chat", "[]"));
            sender.awaitText("phx_reply");
            receiver.awaitText("phx_reply");
            double in = tenantValue("realtime_broadcasts_received_total");
            double out = tenantValue("realtime_broadcasts_sent_total");
            double deliveries = tenantValue("realtime_deliveries_total");
            for (int i = 0; i < 5; i++) {
                sender.send("[\"1\",null,\"realtime:chat\",\"broadcast\",{\"type\":\"broadcast\",\"event\":\"m\","
                        + "\"payload\":{\"n\":" + i + "}}]");
            }
            for (int i = 0; i < 5; i++) {
                receiver.awaitText("\"broadcast\"", "\"n\":" + i + "}");
            }
            awaitValue("realtime_broadcasts_received_total", in + 5);
            // self is off: only the receiver gets them
            assertEquals(out + 5, tenantValue("realtime_broadcasts_sent_total"));
            assertTrue(tenantValue("realtime_deliveries_total") >= deliveries + 5, "every broadcast frame is a delivery");
        }
    }

    @Test
    @Order(4)
    void databaseChangesMoveTheirCountersAndLagFallsToAboutZeroWhenIdle() throws Exception {
        try (PhoenixSocket client = socket()) {
            client.send(join("1", "realtime:rows", "[{\"event\":\"INSERT\",\"schema\":\"public\",\"table\":\"" + TABLE + "\"}]"));
            client.awaitText("Subscribed to PostgreSQL");
            awaitValue("realtime_replication_state", 1, "state", "streaming");
            double decoded = tenantValue("realtime_db_changes_decoded_total");
            double delivered = tenantValue("realtime_db_changes_delivered_total");
            double queued = tenantValue("realtime_db_change_commit_to_queue_seconds_count");
            sql("insert into public." + TABLE + " values (1, 'a'), (2, 'b'), (3, 'c')",
                    "update public." + TABLE + " set name = 'z' where id = 1");
            for (int id = 1; id <= 3; id++) {
                client.awaitText("postgres_changes", "\"id\":" + id + ",");
            }
            // four changes decoded (the update too), three delivered to the one INSERT binding
            awaitValue("realtime_db_changes_decoded_total", decoded + 4);
            awaitValue("realtime_db_changes_delivered_total", delivered + 3);
            assertEquals(queued + 3, tenantValue("realtime_db_change_commit_to_queue_seconds_count"));

            sql("insert into public." + TABLE + " select g, 'bulk' from generate_series(100, 2099) g");
            Await.until("the replication lag of " + TENANT + " reported", Duration.ofSeconds(20),
                    () -> !Double.isNaN(tenantValue("realtime_replication_lag_bytes")));
            Await.until("the replication lag of " + TENANT + " under 8 KiB once idle", Duration.ofSeconds(30),
                    () -> tenantValue("realtime_replication_lag_bytes") < 8192);
        }
    }

    @Test
    @Order(5)
    void refusedJoinsAndHandshakesAreCountedByReason() throws Exception {
        double topicErrors = tenantValue("realtime_join_errors_total", "reason", "TopicNameRequired");
        try (PhoenixSocket client = socket()) {
            client.send(join("1", "realtime:", "[]"));
            client.awaitText("TopicNameRequired");
        }
        awaitValue("realtime_join_errors_total", (Double.isNaN(topicErrors) ? 0 : topicErrors) + 1,
                "reason", "TopicNameRequired");

        double refused = tenantValue("realtime_handshake_refusals_total", "reason", "invalid_token");
        assertThrows(CompletionException.class, () -> PhoenixSocket.open(
                "/realtime/v1/websocket?vsn=2.0.0&apikey=" + Tokens.sign(Map.of("role", "anon"), 3600,
                        "a-wrong-secret-that-is-32-bytes-long!!"), HOST));
        awaitValue("realtime_handshake_refusals_total", (Double.isNaN(refused) ? 0 : refused) + 1,
                "reason", "invalid_token");

        // No tenant to label: one bounded series, never the host the client sent.
        Map<String, String> unknown = Map.of("tenant", "_unknown", "reason", "tenant_not_found");
        double before = value(scrape(), "realtime_handshake_refusals_total", unknown);
        String stranger = "no-such-" + UUID.randomUUID().toString().substring(0, 8);
        assertThrows(CompletionException.class, () -> PhoenixSocket.open(
                "/realtime/v1/websocket?vsn=2.0.0&apikey=" + Tokens.anon(), stranger + ".localhost"));
        Await.until("an unknown-tenant refusal counted", Duration.ofSeconds(20),
                () -> value(scrape(), "realtime_handshake_refusals_total", unknown) == (Double.isNaN(before) ? 0 : before) + 1);
        assertFalse(scrape().contains(stranger), "the client's host is no label value");
    }

    @Test
    @Order(6)
    void aDeletedTenantsSeriesLeaveTheScrapeAndComeBackFreshWithIt() throws Exception {
        String gone = "metrics-gone-" + UUID.randomUUID().toString().substring(0, 8);
        String label = "tenant=\"" + gone + "\"";
        TestTenants.ensure(gone, "");
        try (PhoenixSocket client = PhoenixSocket.open("/realtime/v1/websocket?vsn=2.0.0&apikey=" + Tokens.anon(),
                gone + ".localhost")) {
            client.send(join("1", "realtime:room", "[]"));
            client.awaitText("phx_reply", "\"ok\"");
            Await.until(gone + " joined in the scrape", Duration.ofSeconds(20),
                    () -> value(scrape(), "realtime_joins_total", Map.of("tenant", gone)) == 1);

            TestTenants.delete(gone);
            assertEquals(1012, client.closed().get(20, TimeUnit.SECONDS), "the deletion drains the socket");
        }
        Await.until("no series of deleted " + gone, Duration.ofSeconds(20), () -> !scrape().contains(label));

        TestTenants.ensure(gone, "");
        try (PhoenixSocket client = PhoenixSocket.open("/realtime/v1/websocket?vsn=2.0.0&apikey=" + Tokens.anon(),
                gone + ".localhost")) {
            Await.until(gone + " back with a socket", Duration.ofSeconds(20),
                    () -> value(scrape(), "realtime_connected_sockets", Map.of("tenant", gone)) == 1);
            assertEquals(0, value(scrape(), "realtime_joins_total", Map.of("tenant", gone)), "counted from zero again");
        } finally {
            TestTenants.delete(gone);
        }
    }

    @Test
    @Order(99)
    void everySeriesTheDashboardQueriesIsInARealScrape() throws Exception {
        JsonNode dashboard = JSON.readTree(Files.readString(TestServer.baseDir()
                .resolve("deploy/observability/grafana/dashboards/mudrock-realtime.json")));
        Set<String> queried = new TreeSet<>();
        for (JsonNode panel : dashboard.get("panels")) {
            for (JsonNode target : panel.get("targets")) {
                Matcher series = SERIES.matcher(target.get("expr").asText());
                while (series.find()) {
                    queried.add(series.group(1));
                }
            }
        }
        assertTrue(queried.size() > 20, "the dashboard's series: " + queried);
        String text = scrape();
        Set<String> missing = new TreeSet<>();
        for (String name : queried) {
            if (Double.isNaN(value(text, name, Map.of()))) {
                missing.add(name);
            }
        }
        assertEquals(Set.of(), missing, "series the dashboard queries but the scrape lacks");
    }
}
