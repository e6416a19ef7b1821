package io.mudrock.realtime.it;

import org.jboss.arquillian.container.test.api.Deployment;
import org.jboss.arquillian.container.test.api.RunAsClient;
import org.jboss.arquillian.junit5.ArquillianExtension;
import org.jboss.shrinkwrap.api.spec.WebArchive;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.TestFactory;
import org.junit.jupiter.api.extension.ExtendWith;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.fail;

/**
 * Runs each end-to-end suite ({@code e2e/tests/*.test.mjs}: the real supabase-js on Node) with
 * {@code node --test} against the packaged server, one JUnit test per file. The output of each
 * run is kept in {@code target/e2e/<suite>.log} ({@code target/e2e/<transport>/} on a non-default
 * WebSocket transport); a failing suite fails with that output.
 * {@code -Dskip.e2e=true} skips them (and the {@code npm ci} before them); {@code -De2e.suites=protocol,changes}
 * runs only the suites whose names start with one of those prefixes (default: all).
 */
@ExtendWith(ArquillianExtension.class)
@RunAsClient
class SupabaseJsIT {

    private static final Duration SUITE_DEADLINE = Duration.ofMinutes(5);

    /** A database the suites may restart under the server (SPARE_DB_URL, SPARE_DB_CONTROL). */
    private static SpareDatabase spare;

    @Deployment(testable = false)
    static WebArchive deployment() {
        return Deployments.realtime();
    }

    @BeforeAll
    static void ready() throws Exception {
        Await.until("/health/ready UP", Duration.ofSeconds(60),
                () -> TestServer.get("/health/ready").statusCode() == 200);
        if (!Boolean.getBoolean("skip.e2e")) {
            spare = SpareDatabase.start(TestServer.baseDir().resolve("target/e2e"));
        }
    }

    @AfterAll
    static void stopSpare() {
        if (spare != null) {
            spare.close();
        }
    }

    @TestFactory
    Stream<DynamicTest> suites() throws IOException {
        Assumptions.assumeFalse(Boolean.getBoolean("skip.e2e"), "skip.e2e is set");
        Path e2e = TestServer.baseDir().resolve("e2e");
        if (!Files.isDirectory(e2e.resolve("node_modules"))) {
            fail("e2e/node_modules is missing: run `npm ci` in e2e/ (mvn verify does it in pre-integration-test)");
        }
        List<Path> suites;
        try (Stream<Path> files = Files.list(e2e.resolve("tests"))) {
            suites = files.filter(f -> f.getFileName().toString().endsWith(".test.mjs"))
                    .filter(f -> selected(f.getFileName().toString())).sorted().toList();
        }
        return suites.stream().map(suite -> DynamicTest.dynamicTest(suite.getFileName().toString(), () -> run(e2e, suite)));
    }

    private static boolean selected(String file) {
        String wanted = System.getProperty("e2e.suites", "").trim();
        return wanted.isEmpty() || Stream.of(wanted.split(",")).map(String::trim).filter(p -> !p.isEmpty()).anyMatch(file::startsWith);
    }

    private static void run(Path e2e, Path suite) throws Exception {
        Path logs = TestServer.baseDir().resolve("target/e2e");
        if (!TestServer.WEBSOCKET_TRANSPORT.equals(TestServer.DEFAULT_WEBSOCKET_TRANSPORT)) {
            logs = logs.resolve(TestServer.WEBSOCKET_TRANSPORT); // the second failsafe run keeps its own logs
        }
        Files.createDirectories(logs);
        String name = suite.getFileName().toString().replace(".test.mjs", "");
        Path log = logs.resolve(name + ".log");
        // --test-force-exit: realtime-js keeps a 10 s timer after disconnect(), which would
        // otherwise hold every suite's process open after its last test.
        ProcessBuilder node = new ProcessBuilder("node", "--test", "--test-force-exit", "--test-reporter=spec",
                e2e.relativize(suite).toString())
                .directory(e2e.toFile())
                .redirectErrorStream(true)
                .redirectOutput(log.toFile());
        node.environment().putAll(Map.of(
                "REALTIME_URL", TestServer.baseUrl(),
                "JWT_SECRET", TestServer.TENANT_JWT_SECRET,
                "API_JWT_SECRET", TestServer.API_JWT_SECRET,
                "API_JWT_SECRET_NEXT", TestServer.API_JWT_SECRET_NEXT,
                "METRICS_JWT_SECRET", TestServer.METRICS_JWT_SECRET,
                "BLOCKED_ADMIN_TOKEN", TestServer.BLOCKED_ADMIN_TOKEN,
                "DB_URL", "postgres://postgres@localhost:" + TestServer.DB_PORT + "/postgres",
                "SPARE_DB_URL", spare.url(),
                "SPARE_DB_CONTROL", spare.controlUrl(),
                "NO_COLOR", "1"));
        Process process = node.start();
        if (!process.waitFor(SUITE_DEADLINE.toSeconds(), TimeUnit.SECONDS)) {
            process.descendants().forEach(ProcessHandle::destroyForcibly);
            process.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
            fail("e2e suite " + name + " did not finish within " + SUITE_DEADLINE.toMinutes() + " min; output ("
                    + log + "):\n" + Files.readString(log, StandardCharsets.UTF_8));
        }
        if (process.exitValue() != 0) {
            fail("e2e suite " + name + " failed (exit " + process.exitValue() + "); output (" + log + "):\n"
                    + Files.readString(log, StandardCharsets.UTF_8));
        }
    }
}
