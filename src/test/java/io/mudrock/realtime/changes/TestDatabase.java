package io.mudrock.realtime.changes;

import io.mudrock.realtime.changes.pgoutput.PgOutputDecoder;
import io.mudrock.realtime.changes.pgoutput.WalMessage;
import io.zonky.test.db.postgres.embedded.EmbeddedPostgres;
import org.postgresql.PGConnection;
import org.postgresql.PGProperty;
import org.postgresql.replication.PGReplicationStream;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Properties;
import java.util.concurrent.locks.LockSupport;
import java.util.function.Predicate;

/** An embedded PostgreSQL 17 with logical replication enabled, one per test class. */
public final class TestDatabase implements AutoCloseable {

    /** The session settings the walsender must run with for {@link io.mudrock.realtime.changes.values.ValueConverter}. */
    public static final String[] SESSION_SETTINGS = {
            "SET DateStyle = 'ISO'", "SET TimeZone = 'UTC'", "SET IntervalStyle = 'postgres'",
            "SET extra_float_digits = 3", "SET bytea_output = 'hex'"};

    private final EmbeddedPostgres postgres;

    private TestDatabase(EmbeddedPostgres postgres) {
        this.postgres = postgres;
    }

    public static TestDatabase start() throws IOException {
        return new TestDatabase(EmbeddedPostgres.builder()
                .setServerConfig("wal_level", "logical")
                .setServerConfig("max_replication_slots", "10")
                .setServerConfig("max_wal_senders", "10")
                .start());
    }

    /** A plain connection with the same session settings as the walsender. */
    public Connection connect() throws SQLException {
        Connection connection = postgres.getPostgresDatabase().getConnection();
        try (Statement statement = connection.createStatement()) {
            for (String setting : SESSION_SETTINGS) {
                statement.execute(setting);
            }
        }
        return connection;
    }

    public void execute(String... sql) throws SQLException {
        try (Connection connection = connect(); Statement statement = connection.createStatement()) {
            for (String s : sql) {
                statement.execute(s);
            }
        }
    }

    /** Runs a query returning one value. */
    public String queryString(String sql) throws SQLException {
        try (Connection connection = connect(); Statement statement = connection.createStatement();
             ResultSet rs = statement.executeQuery(sql)) {
            rs.next();
            return rs.getString(1);
        }
    }

    /** Creates a pgoutput slot and streams it for {@code publication}. */
    public Replication replicate(String slot, String publication) throws SQLException {
        execute("select pg_create_logical_replication_slot('" + slot + "', 'pgoutput')");
        Properties props = new Properties();
        props.setProperty("user", "postgres");
        PGProperty.REPLICATION.set(props, "database");
        PGProperty.ASSUME_MIN_SERVER_VERSION.set(props, "10");
        PGProperty.PREFER_QUERY_MODE.set(props, "simple");
        Connection replication = java.sql.DriverManager.getConnection(
                "jdbc:postgresql://localhost:" + postgres.getPort() + "/postgres", props);
        try (Statement statement = replication.createStatement()) {
            for (String setting : SESSION_SETTINGS) {
                statement.execute(setting);
            }
        }
        PGReplicationStream stream = replication.unwrap(PGConnection.class).getReplicationAPI()
                .replicationStream().logical()
                .withSlotName(slot)
                .withSlotOption("proto_version", 1)
                .withSlotOption("publication_names", publication)
                .withSlotOption("messages", true)
                .start();
        return new Replication(replication, stream);
    }

    @Override
    public void close() throws IOException {
        postgres.close();
    }

    /** A running pgoutput stream. */
    public static final class Replication implements AutoCloseable {
        private final Connection connection;
        private final PGReplicationStream stream;
        private final PgOutputDecoder decoder = new PgOutputDecoder();

        private Replication(Connection connection, PGReplicationStream stream) {
            this.connection = connection;
            this.stream = stream;
        }

        /** A message as received and as decoded. */
        record Captured(byte[] raw, WalMessage message) {
        }

        /**
         * Reads messages until {@code done} accepts the messages decoded so far.
         *
         * @throws AssertionError if that does not happen within {@code timeout}
         */
        List<Captured> captureUntil(Predicate<List<WalMessage>> done, Duration timeout) throws SQLException {
            List<Captured> captured = new ArrayList<>();
            List<WalMessage> decoded = new ArrayList<>();
            long deadline = System.nanoTime() + timeout.toNanos();
            while (!done.test(decoded)) {
                if (System.nanoTime() > deadline) {
                    throw new AssertionError("stream did not deliver the expected messages within " + timeout
                            + "; got " + decoded);
                }
                ByteBuffer buffer = stream.readPending();
                if (buffer == null) {
                    LockSupport.parkNanos(1_000_000L); // nothing pending yet; poll again soon
                    continue;
                }
                byte[] bytes = new byte[buffer.remaining()];
                buffer.duplicate().get(bytes);
                WalMessage message = decoder.decode(buffer);
                captured.add(new Captured(bytes, message));
                decoded.add(message);
                stream.setFlushedLSN(stream.getLastReceiveLSN());
                stream.setAppliedLSN(stream.getLastReceiveLSN());
            }
            return captured;
        }

        /** Decodes messages until {@code done} accepts them. */
        List<WalMessage> readUntil(Predicate<List<WalMessage>> done, Duration timeout) throws SQLException {
            return captureUntil(done, timeout).stream().map(Captured::message).toList();
        }

        /** Reads until {@code commits} more Commit messages arrived. */
        public List<WalMessage> readCommits(int commits) throws SQLException {
            return readUntil(m -> m.stream().filter(WalMessage.Commit.class::isInstance).count() >= commits,
                    Duration.ofSeconds(20));
        }

        @Override
        public void close() throws SQLException {
            stream.close();
            connection.close();
        }
    }
}
