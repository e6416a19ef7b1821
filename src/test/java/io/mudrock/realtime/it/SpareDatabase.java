package io.mudrock.realtime.it;

import com.sun.net.httpserver.HttpServer;
import io.zonky.test.db.postgres.embedded.EmbeddedPostgres;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.logging.Logger;

/**
 * A PostgreSQL (logical replication on) that the test JVM owns, so a test can restart a tenant's
 * database under the server without any hook in production code: it creates a tenant pointing at
 * this database, then stops and starts it on the same port and data folder. Node suites drive it
 * through a tiny control endpoint ({@code POST <control>/stop}, {@code POST <control>/start}).
 */
final class SpareDatabase implements AutoCloseable {

    private static final Logger LOG = Logger.getLogger(SpareDatabase.class.getName());

    private final int port;
    private final Path dataDir;
    private final HttpServer control;
    private EmbeddedPostgres postgres;

    private SpareDatabase(int port, Path dataDir) throws IOException {
        this.port = port;
        this.dataDir = dataDir;
        startDatabase();
        control = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
        control.createContext("/stop", exchange -> {
            answer(exchange, this::stopDatabase);
        });
        control.createContext("/start", exchange -> {
            answer(exchange, this::startDatabase);
        });
        control.start();
    }

    /** Starts a fresh spare database with its data under {@code dir}. */
    static SpareDatabase start(Path dir) throws IOException {
        Files.createDirectories(dir);
        Path data = Files.createTempDirectory(dir, "spare-pgdata");
        int port;
        try (ServerSocket socket = new ServerSocket(0)) {
            port = socket.getLocalPort();
        } // released before PostgreSQL binds it
        return new SpareDatabase(port, data);
    }

    /** The port it listens on, the same across its restarts. */
    int port() {
        return port;
    }

    /** {@code postgres://postgres@localhost:<port>/postgres}. */
    String url() {
        return "postgres://postgres@localhost:" + port + "/postgres";
    }

    /** The control endpoint's base URL. */
    String controlUrl() {
        return "http://127.0.0.1:" + control.getAddress().getPort();
    }

    private interface Action {
        void run() throws IOException;
    }

    private static void answer(com.sun.net.httpserver.HttpExchange exchange, Action action) throws IOException {
        try (exchange) {
            if (!"POST".equals(exchange.getRequestMethod())) {
                exchange.sendResponseHeaders(405, -1);
                return;
            }
            action.run();
            exchange.sendResponseHeaders(204, -1);
        } catch (IOException | RuntimeException e) {
            LOG.warning("Spare database control failed: " + e);
            exchange.sendResponseHeaders(500, -1);
        }
    }

    private synchronized void startDatabase() throws IOException {
        if (postgres == null) {
            postgres = EmbeddedPostgres.builder()
                    .setPort(port)
                    .setDataDirectory(dataDir)
                    .setCleanDataDirectory(false)
                    .setServerConfig("wal_level", "logical")
                    .setServerConfig("max_replication_slots", "10")
                    .setServerConfig("max_wal_senders", "10")
                    .start();
        }
    }

    private synchronized void stopDatabase() throws IOException {
        if (postgres != null) {
            postgres.close();
            postgres = null;
        }
    }

    @Override
    public void close() {
        control.stop(0);
        try {
            stopDatabase();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
