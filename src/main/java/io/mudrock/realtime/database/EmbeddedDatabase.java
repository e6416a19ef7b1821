package io.mudrock.realtime.database;

import io.mudrock.realtime.config.RealtimeConfig;
import io.zonky.test.db.postgres.embedded.EmbeddedPostgres;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.util.Optional;

/**
 * The PostgreSQL that the default run starts inside the server when no {@code DB_HOST} is set:
 * logical replication on, data kept in {@code EMBEDDED_DB_DIR} across restarts.
 */
public final class EmbeddedDatabase implements AutoCloseable {

    private final EmbeddedPostgres postgres;
    private final RealtimeConfig.DatabaseSettings settings;

    private EmbeddedDatabase(EmbeddedPostgres postgres, RealtimeConfig.DatabaseSettings settings) {
        this.postgres = postgres;
        this.settings = settings;
    }

    /**
     * Starts the cluster, creating it on first use.
     *
     * @throws IllegalStateException with a one-line reason when it cannot start
     */
    public static EmbeddedDatabase start(RealtimeConfig.EmbeddedSettings embedded) {
        try {
            Files.createDirectories(embedded.dataDir());
            Files.createDirectories(embedded.binDir());
            EmbeddedPostgres postgres = EmbeddedPostgres.builder()
                    .setPort(embedded.port())
                    .setDataDirectory(embedded.dataDir())
                    .setCleanDataDirectory(false)
                    .setOverrideWorkingDirectory(embedded.binDir().toFile())
                    .setServerConfig("wal_level", "logical")
                    .setServerConfig("max_replication_slots", "20")
                    .setServerConfig("max_wal_senders", "20")
                    .setServerConfig("max_connections", "200")
                    .setServerConfig("listen_addresses", "localhost")
                    .start();
            return new EmbeddedDatabase(postgres, new RealtimeConfig.DatabaseSettings(
                    "localhost", embedded.port(), "postgres", "postgres", "", Optional.empty()));
        } catch (IOException e) {
            throw new IllegalStateException("The embedded PostgreSQL did not start on port " + embedded.port()
                    + " with data in " + embedded.dataDir() + ": " + e.getMessage()
                    + " (is another server using that port or folder? set EMBEDDED_DB_PORT / EMBEDDED_DB_DIR)", e);
        } catch (UncheckedIOException e) {
            throw new IllegalStateException("The embedded PostgreSQL could not be prepared: " + e.getMessage(), e);
        }
    }

    /** Connection settings of the running cluster (superuser over loopback). */
    public RealtimeConfig.DatabaseSettings settings() {
        return settings;
    }

    /** The psql command line that opens this database. */
    public String psqlCommand() {
        return "psql postgresql://" + settings.user() + "@" + settings.host() + ":" + settings.port() + "/" + settings.name();
    }

    @Override
    public void close() {
        try {
            postgres.close();
        } catch (IOException e) {
            throw new UncheckedIOException("The embedded PostgreSQL did not stop cleanly", e);
        }
    }
}
