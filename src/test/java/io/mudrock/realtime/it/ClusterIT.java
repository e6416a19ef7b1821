package io.mudrock.realtime.it;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.TestFactory;

import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.logging.Logger;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.fail;

/**
 * Several replicas on one Redis (issue 11): starts its own {@code redis-server}, one PostgreSQL
 * (logical replication on) that is both the management and the default tenant's database, and
 * three server processes of the packaged application on free ports ({@link ClusterNodes}), once
 * for the class; then runs each suite of {@code e2e/cluster/*.test.mjs} (the real supabase-js on
 * Node, clients spread over the nodes) with {@code node --test}, one JUnit test per file. The
 * suites get {@code NODE_URLS} (the nodes' base URLs, comma-separated), the secrets, {@code DB_URL}
 * and {@code CLUSTER_CONTROL}, an endpoint through which they kill and start nodes and Redis
 * ({@code POST <control>/node/<i>/kill}, {@code .../node/<i>/start}, {@code .../redis/kill},
 * {@code .../redis/start}), so every process stays owned by this JVM. Output goes to
 * {@code target/e2e/cluster/<suite>.log}, the nodes' to {@code target/cluster/node<i>.log}.
 * {@code -Dskip.e2e=true} skips it (nothing is started).
 */
class ClusterIT {

    private static final Logger LOG = Logger.getLogger(ClusterIT.class.getName());
    private static final int NODES = 3;
    private static final Duration SUITE_DEADLINE = Duration.ofMinutes(3);
    private static final Pattern NODE_ACTION = Pattern.compile("/node/(\\d+)/(kill|start)");

    private static RedisProcess redis;
    private static SpareDatabase database;
    private static ClusterNodes cluster;
    private static HttpServer control;

    @BeforeAll
    static void startCluster() throws Exception {
        Assumptions.assumeFalse(Boolean.getBoolean("skip.e2e"), "skip.e2e is set");
        // The nodes run on the default transport whatever the run's; a second failsafe run
        // (-Dit.test=ClusterIT selects it there too) would repeat the same cluster.
        Assumptions.assumeTrue(TestServer.WEBSOCKET_TRANSPORT.equals(TestServer.DEFAULT_WEBSOCKET_TRANSPORT),
                "the cluster runs once, on the default WebSocket transport");
        if (!Files.isDirectory(TestServer.baseDir().resolve("e2e/node_modules"))) {
            fail("e2e/node_modules is missing: run `npm ci` in e2e/ (mvn verify does it in pre-integration-test)");
        }
        Path dir = TestServer.baseDir().resolve("target/cluster");
        redis = RedisProcess.start(dir);
        database = SpareDatabase.start(dir);
        cluster = ClusterNodes.start(NODES, dir, Map.of(
                "DB_HOST", "localhost",
                "DB_PORT", Integer.toString(database.port()),
                "DB_NAME", "postgres",
                "DB_USER", "postgres",
                "DB_PASSWORD", "postgres",
                "JWT_SECRET", TestServer.TENANT_JWT_SECRET,
                "API_JWT_SECRET", TestServer.API_JWT_SECRET,
                "METRICS_JWT_SECRET", TestServer.METRICS_JWT_SECRET,
                // Every node seeds the same default tenant (an upsert: the first writes it, the others find it equal).
                "SEED_SELF_HOST", "true",
                "REDIS_URL", redis.url()));
        control = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
        control.createContext("/", ClusterIT::control);
        control.start();
    }

    @AfterAll
    static void stopCluster() {
        if (control != null) {
            control.stop(0);
        }
        if (cluster != null) {
            cluster.close();
        }
        if (redis != null) {
            redis.close();
        }
        if (database != null) {
            database.close();
        }
    }

    @TestFactory
    Stream<DynamicTest> suites() throws IOException {
        Path e2e = TestServer.baseDir().resolve("e2e");
        List<Path> suites;
        try (Stream<Path> files = Files.list(e2e.resolve("cluster"))) {
            suites = files.filter(f -> f.getFileName().toString().endsWith(".test.mjs")).sorted().toList();
        }
        return suites.stream().map(suite -> DynamicTest.dynamicTest(suite.getFileName().toString(), () -> run(e2e, suite)));
    }

    private static void run(Path e2e, Path suite) throws Exception {
        Path logs = TestServer.baseDir().resolve("target/e2e/cluster");
        Files.createDirectories(logs);
        String name = suite.getFileName().toString().replace(".test.mjs", "");
        Path log = logs.resolve(name + ".log");
        // --test-force-exit: realtime-js keeps a 10 s timer after disconnect() (see SupabaseJsIT).
        ProcessBuilder node = new ProcessBuilder("node", "--test", "--test-force-exit", "--test-reporter=spec",
                e2e.relativize(suite).toString())
                .directory(e2e.toFile())
                .redirectErrorStream(true)
                .redirectOutput(log.toFile());
        node.environment().putAll(Map.of(
                "NODE_URLS", cluster.urls(),
                // The shared helpers (e2e/lib/realtime.mjs) default to the first node.
                "REALTIME_URL", cluster.node(0).url(),
                "JWT_SECRET", TestServer.TENANT_JWT_SECRET,
                "API_JWT_SECRET", TestServer.API_JWT_SECRET,
                "DB_URL", database.url(),
                "REDIS_URL", redis.url(),
                "CLUSTER_CONTROL", "http://127.0.0.1:" + control.getAddress().getPort(),
                "NO_COLOR", "1"));
        Process process = node.start();
        if (!process.waitFor(SUITE_DEADLINE.toSeconds(), TimeUnit.SECONDS)) {
            process.descendants().forEach(ProcessHandle::destroyForcibly);
            process.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
            fail("cluster suite " + name + " did not finish within " + SUITE_DEADLINE.toMinutes() + " min; output ("
                    + log + "):\n" + Files.readString(log, StandardCharsets.UTF_8) + nodesDown());
        }
        if (process.exitValue() != 0) {
            fail("cluster suite " + name + " failed (exit " + process.exitValue() + "); output (" + log + "):\n"
                    + Files.readString(log, StandardCharsets.UTF_8) + nodesDown());
        }
    }

    /** Which nodes are not running, so a failure caused by a crashed node says so. */
    private static String nodesDown() {
        StringBuilder text = new StringBuilder();
        for (ClusterNodes.Node node : cluster.nodes()) {
            if (!node.alive()) {
                text.append("\n").append(node.name()).append(" is not running; its log (").append(node.log()).append("):\n")
                        .append(ClusterNodes.tail(node.log(), 40));
            }
        }
        return text.toString();
    }

    /** The suites' handle on the processes: kill or start a node (0-based index) or Redis, answering once it is done. */
    private static void control(HttpExchange exchange) throws IOException {
        try (exchange) {
            if (!"POST".equals(exchange.getRequestMethod())) {
                exchange.sendResponseHeaders(405, -1);
                return;
            }
            String path = exchange.getRequestURI().getPath();
            Matcher node = NODE_ACTION.matcher(path);
            boolean nodeAction = node.matches() && Integer.parseInt(node.group(1)) < NODES;
            if (!nodeAction && !path.equals("/redis/kill") && !path.equals("/redis/start")) {
                exchange.sendResponseHeaders(404, -1);
                return;
            }
            String failure = null;
            try {
                if (nodeAction && node.group(2).equals("kill")) {
                    cluster.kill(Integer.parseInt(node.group(1)));
                } else if (nodeAction) {
                    cluster.restart(Integer.parseInt(node.group(1)));
                } else if (path.equals("/redis/kill")) {
                    redis.kill();
                } else {
                    redis.restart();
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                failure = e.toString();
            } catch (Exception | AssertionError e) {
                failure = e.toString();
            }
            if (failure == null) {
                exchange.sendResponseHeaders(204, -1);
                return;
            }
            LOG.warning("Cluster control " + path + " failed: " + failure);
            byte[] body = failure.getBytes(StandardCharsets.UTF_8);
            exchange.sendResponseHeaders(500, body.length);
            exchange.getResponseBody().write(body);
        }
    }
}
