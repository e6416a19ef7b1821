package io.mudrock.realtime.it;

import org.jboss.arquillian.container.test.api.Deployment;
import org.jboss.arquillian.container.test.api.RunAsClient;
import org.jboss.arquillian.junit5.ArquillianExtension;
import org.jboss.shrinkwrap.api.ShrinkWrap;
import org.jboss.shrinkwrap.api.asset.StringAsset;
import org.jboss.shrinkwrap.api.exporter.ZipExporter;
import org.jboss.shrinkwrap.api.spec.WebArchive;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;

/**
 * An invalid configuration value stops the application with one line naming the variable.
 *
 * <p>The misconfigured application is dropped into the running server's {@code dropins} folder
 * rather than deployed through Arquillian, which would wait for its full deploy timeout on an
 * application that never starts.
 */
@ExtendWith(ArquillianExtension.class)
@RunAsClient
class InvalidConfigurationIT {

    private static final String EXPECTED = "Invalid configuration: DB_PORT must be a port number from 1 to 65535 (got 'not-a-port')";

    /** Arquillian needs a deployment to start the server; this one holds a single page. */
    @Deployment(testable = false)
    static WebArchive placeholder() {
        return ShrinkWrap.create(WebArchive.class, "placeholder.war")
                .addAsWebResource(new StringAsset("placeholder"), "index.html");
    }

    @Test
    void startUpFailsWithOneLineNamingTheVariable() throws Exception {
        Path log = TestServer.serverDir().resolve("logs/messages.log");
        Path dropped = TestServer.serverDir().resolve("dropins/misconfigured.war");
        long logSizeBefore = Files.exists(log) ? Files.size(log) : 0;
        Deployments.realtimeWith(Map.of("DB_HOST", "localhost", "DB_PORT", "not-a-port"))
                .as(ZipExporter.class).exportTo(dropped.toFile(), true);
        try {
            Await.until("the one-line configuration error and the failed start in messages.log", Duration.ofSeconds(60), () -> {
                String fresh = Files.readString(log).substring((int) logSizeBefore);
                return fresh.lines().anyMatch(line -> line.contains(" E ") && line.endsWith(EXPECTED))
                        && fresh.contains("CWWKZ0012I: The application misconfigured was not started");
            });
        } finally {
            Files.deleteIfExists(dropped);
        }
    }
}
