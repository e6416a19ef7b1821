package io.mudrock.realtime.stream;

import io.mudrock.realtime.database.MigrationRunner;
import io.mudrock.realtime.tenant.PostgresCdcSettings;
import io.mudrock.realtime.tenant.Tenant;
import io.zonky.test.db.postgres.embedded.EmbeddedPostgres;
import java.io.IOException;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.locks.LockSupport;

/**
 * An embedded PostgreSQL 17 with logical replication, bootstrapped by the tenant changelog (roles,
 * {@code auth.uid()}, the publication), that a test can stop and start again on the same port and
 * data folder, as a database restart.
 */
final class StreamDatabaseFixture implements AutoCloseable {

    static final String PUBLICATION = "supabase_realtime";

    private final int port;
    private final Path dataDir;
    private EmbeddedPostgres postgres;

    private StreamDatabaseFixture(int port, Path dataDir) throws IOException {
        this.port = port;
        this.dataDir = dataDir;
        start();
    }

    static StreamDatabaseFixture start(String name) throws Exception {
        Path dir = Files.createTempDirectory(Path.of(System.getProperty("java.io.tmpdir")), "stream-" + name);
        StreamDatabaseFixture fixture = new StreamDatabaseFixture(freePort(), dir);
        MigrationRunner.migrateTenant(fixture.postgres.getPostgresDatabase(), PUBLICATION, false);
        return fixture;
    }

    private static int freePort() throws IOException {
        try (ServerSocket socket = new ServerSocket(0)) {
            return socket.getLocalPort();
        }
    }

    /** (Re)starts the server on the same port and data folder. */
    void start() throws IOException {
        postgres = EmbeddedPostgres.builder()
                .setPort(port)
                .setDataDirectory(dataDir)
                .setCleanDataDirectory(false)
                .setServerConfig("wal_level", "logical")
                .setServerConfig("max_replication_slots", "10")
                .setServerConfig("max_wal_senders", "10")
                .start();
    }

    /** Stops the server (fast shutdown: every connection is terminated, as in a restart). */
    void stop() throws IOException {
        postgres.close();
    }

    int port() {
        return port;
    }

    /** A tenant record pointing at this database. */
    Tenant tenant(String id, int maxEventsPerSecond) {
        PostgresCdcSettings cdc = new PostgresCdcSettings("localhost", Integer.toString(port), "postgres", "postgres", "",
                "us-east-1", PUBLICATION, "supabase_realtime_replication_slot", false, 100, 100, 1_048_576, 1, 4);
        return new Tenant(UUID.randomUUID(), id, id, "secret", null, 200, maxEventsPerSecond, 100_000, 100, 100, 1000, 3000,
                null, null, false, false, false, "postgres_cdc_rls", 0, "gen_rpc", "{}", Instant.now(), Instant.now(), cdc);
    }

    Connection connect() throws SQLException {
        return postgres.getPostgresDatabase().getConnection();
    }

    void execute(String... sql) throws SQLException {
        try (Connection connection = connect(); Statement statement = connection.createStatement()) {
            for (String s : sql) {
                statement.execute(s);
            }
        }
    }

    /** The first column of every row of a query, as text. */
    /**
     * Waits until no replication slot is left, as every test's streams must leave none behind.
     *
     * @throws AssertionError naming the slots still there after {@code wait}
     */
    void awaitNoSlots(Duration wait) throws SQLException {
        long end = System.nanoTime() + wait.toNanos();
        while (!column("select slot_name from pg_replication_slots").isEmpty()) {
            if (System.nanoTime() > end) {
                throw new AssertionError("slots left behind: " + column("select slot_name from pg_replication_slots"));
            }
            LockSupport.parkNanos(20_000_000);
        }
    }

    List<String> column(String sql) throws SQLException {
        List<String> values = new ArrayList<>();
        try (Connection connection = connect(); Statement statement = connection.createStatement();
             ResultSet rs = statement.executeQuery(sql)) {
            while (rs.next()) {
                values.add(rs.getString(1));
            }
        }
        return values;
    }

    @Override
    public void close() throws IOException {
        postgres.close();
    }
}
