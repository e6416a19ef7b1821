package io.mudrock.realtime.database;

import com.zaxxer.hikari.HikariDataSource;
import io.mudrock.realtime.config.RealtimeConfig;
import jakarta.annotation.PostConstruct;
import jakarta.annotation.PreDestroy;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;

import java.sql.Connection;
import java.sql.SQLException;
import java.util.Optional;
import java.util.logging.Logger;
import javax.sql.DataSource;

/**
 * Owns the management database: starts the embedded PostgreSQL when no {@code DB_HOST} is set,
 * and holds the connection pool on it. Stopped with the application.
 */
@ApplicationScoped
public class ManagementDatabase {

    private static final Logger LOG = Logger.getLogger(ManagementDatabase.class.getName());

    @Inject
    RealtimeConfig config;

    private EmbeddedDatabase embedded;
    private RealtimeConfig.DatabaseSettings settings;
    private HikariDataSource pool;

    @PostConstruct
    void open() {
        if (config.usesEmbeddedDatabase()) {
            long started = System.nanoTime();
            embedded = EmbeddedDatabase.start(config.embedded());
            settings = embedded.settings();
            LOG.info(() -> String.format("Embedded PostgreSQL started in %d ms on port %d, data in %s",
                    (System.nanoTime() - started) / 1_000_000, settings.port(), config.embedded().dataDir()));
        } else {
            settings = config.database().orElseThrow();
        }
        pool = ConnectionPools.open("realtime_management", settings, 8);
    }

    @PreDestroy
    void close() {
        if (pool != null) {
            pool.close();
        }
        if (embedded != null) {
            embedded.close();
            LOG.info("Embedded PostgreSQL stopped");
        }
    }

    /** The pool on the management database. */
    public DataSource dataSource() {
        return pool;
    }

    /** Where the management database is. */
    public RealtimeConfig.DatabaseSettings settings() {
        return settings;
    }

    /** The psql command of the embedded database, when this server runs one. */
    public Optional<String> embeddedPsqlCommand() {
        return Optional.ofNullable(embedded).map(EmbeddedDatabase::psqlCommand);
    }

    /**
     * Checks that the database answers now.
     *
     * @return empty when it does, else the reason it does not
     */
    public Optional<String> unreachableReason() {
        try (Connection connection = pool.getConnection()) {
            if (connection.isValid(2)) {
                return Optional.empty();
            }
            return Optional.of("management database " + settings + " did not answer within 2 s");
        } catch (SQLException e) {
            return Optional.of("management database " + settings + " is unreachable: " + firstLine(e.getMessage()));
        }
    }

    private static String firstLine(String message) {
        if (message == null) {
            return "no reason given";
        }
        int newline = message.indexOf('\n');
        return newline < 0 ? message : message.substring(0, newline);
    }
}
