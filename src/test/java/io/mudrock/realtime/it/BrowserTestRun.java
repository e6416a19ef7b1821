package io.mudrock.realtime.it;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Runs one of the browser tests in {@code web/test/browser/} (node's test runner driving Debian's
 * headless Chromium) against the test server, and fails with the steps that failed.
 */
final class BrowserTestRun {

    private BrowserTestRun() {
    }

    /** @return the Chromium the browser tests drive ({@code CHROMIUM}, else Debian's), after checking it is there */
    static Path chromium() {
        Path chromium = Path.of(System.getenv().getOrDefault("CHROMIUM", "/usr/bin/chromium"));
        assertTrue(Files.isExecutable(chromium), chromium + " is missing: apt-get install chromium (.ci/run does)");
        return chromium;
    }

    /** @return where the browser tests write their log and screenshots ({@code target/}) */
    static Path outputDir() {
        return TestServer.baseDir().resolve("target");
    }

    /**
     * Runs a browser test file to its end, or kills it at the deadline.
     *
     * @param file the test file under {@code web/}, e.g. {@code test/browser/wells-page.test.mjs}
     * @param logName the file in {@link #outputDir()} its output goes to
     * @param environment what the file reads (besides {@code CHROMIUM}, which is set here)
     * @param deadline how long it may take
     */
    static void run(String file, String logName, Map<String, String> environment, Duration deadline) throws Exception {
        Path log = outputDir().resolve(logName);
        ProcessBuilder node = new ProcessBuilder(List.of("node", "--test", "--test-reporter=spec", file))
                .directory(TestServer.baseDir().resolve("web").toFile())
                .redirectErrorStream(true)
                .redirectOutput(log.toFile());
        node.environment().putAll(environment);
        node.environment().put("CHROMIUM", chromium().toString());
        Process process = node.start();
        boolean finished = process.waitFor(deadline.toSeconds(), TimeUnit.SECONDS);
        if (!finished) {
            process.descendants().forEach(ProcessHandle::destroyForcibly);
            process.destroyForcibly();
        }
        String output = Files.readString(log, StandardCharsets.UTF_8);
        System.out.println(output);
        assertTrue(finished, "the browser test did not finish within " + deadline + ":\n" + output);
        assertEquals(0, process.exitValue(), "the browser test failed (output above and in " + log + "):\n"
                + output.lines().filter(line -> line.startsWith("\u2716")).distinct().collect(Collectors.joining("\n")));
    }
}
