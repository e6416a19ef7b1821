package io.mudrock.realtime.stream;

import com.zaxxer.hikari.HikariDataSource;
import io.mudrock.realtime.config.RealtimeConfig;
import io.mudrock.realtime.database.ConnectionPools;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.Optional;
import java.util.Properties;
import org.postgresql.PGProperty;

/**
 * The connections one tenant's change stream uses: a small pool for catalog reads, subscription
 * checks and RLS checks, and the replication connection itself.
 *
 * <p>Both run with the same session settings ({@link #SESSION_SETTINGS}), so that values the
 * catalog prints while validating filters have the very text pgoutput sends for rows. The pool is
 * the stream's own rather than the tenant's shared one, so a huge transaction's RLS checks never
 * starve join checks (and the other way round), and the session settings do not leak into it.
 */
final class StreamDatabase implements AutoCloseable {

    /** What {@code ValueConverter} expects pgoutput's text values to look like. */
    static final String SESSION_SETTINGS = "select set_config('DateStyle', 'ISO', false), "
            + "set_config('TimeZone', 'UTC', false), set_config('IntervalStyle', 'postgres', false), "
            + "set_config('extra_float_digits', '3', false), set_config('bytea_output', 'hex', false)";

    private static final int POOL_SIZE = 3;

    private final RealtimeConfig.DatabaseSettings settings;
    private final HikariDataSource pool;

    /**
     * @param name     used in pool and application names
     * @param settings where the tenant's database is
     */
    StreamDatabase(String name, RealtimeConfig.DatabaseSettings settings) {
        this.settings = settings;
        this.pool = ConnectionPools.open("realtime_stream_" + name, new RealtimeConfig.DatabaseSettings(settings.host(),
                settings.port(), settings.name(), settings.user(), settings.password(), Optional.of(SESSION_SETTINGS)),
                POOL_SIZE);
    }

    /** @return the settings this was opened with */
    RealtimeConfig.DatabaseSettings settings() {
        return settings;
    }

    /** Borrows a pooled connection. */
    Connection connection() throws SQLException {
        return pool.getConnection();
    }

    /**
     * Opens a logical replication connection (pgjdbc's replication protocol), with the session
     * settings applied: pgjdbc's own start-up parameters would otherwise win over {@code options}.
     */
    Connection openReplication(String applicationName) throws SQLException {
        Properties props = new Properties();
        PGProperty.USER.set(props, settings.user());
        PGProperty.PASSWORD.set(props, settings.password());
        PGProperty.REPLICATION.set(props, "database");
        PGProperty.ASSUME_MIN_SERVER_VERSION.set(props, "10");
        PGProperty.PREFER_QUERY_MODE.set(props, "simple");
        PGProperty.APPLICATION_NAME.set(props, applicationName);
        PGProperty.CONNECT_TIMEOUT.set(props, 10);
        PGProperty.TCP_KEEP_ALIVE.set(props, true);
        Connection connection = DriverManager.getConnection(settings.jdbcUrl(), props);
        try (Statement statement = connection.createStatement()) {
            for (String set : new String[] {"SET DateStyle = 'ISO'", "SET TimeZone = 'UTC'",
                    "SET IntervalStyle = 'postgres'", "SET extra_float_digits = 3", "SET bytea_output = 'hex'"}) {
                statement.execute(set);
            }
        } catch (SQLException e) {
            connection.close();
            throw e;
        }
        return connection;
    }

    @Override
    public void close() {
        pool.close();
    }
}
