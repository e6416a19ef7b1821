package io.mudrock.realtime.database;

import io.zonky.test.db.postgres.embedded.EmbeddedPostgres;
import java.io.IOException;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import javax.sql.DataSource;

/**
 * One embedded PostgreSQL in which each test of a schema class gets a database of its own, so a
 * changelog always runs on an empty one.
 */
final class ScratchDatabases implements AutoCloseable {

    private final EmbeddedPostgres postgres;
    private final String prefix;
    private int created;

    private ScratchDatabases(EmbeddedPostgres postgres, String prefix) {
        this.postgres = postgres;
        this.prefix = prefix;
    }

    /** Starts the server; databases are named {@code prefix_1}, {@code prefix_2}, ... */
    static ScratchDatabases start(String prefix) throws IOException {
        return new ScratchDatabases(EmbeddedPostgres.builder().start(), prefix);
    }

    /** A new, empty database. */
    DataSource fresh() throws SQLException {
        String name = prefix + "_" + (++created);
        try (Connection c = postgres.getPostgresDatabase().getConnection(); Statement s = c.createStatement()) {
            s.execute("CREATE DATABASE " + name);
        }
        return postgres.getDatabase("postgres", name);
    }

    /** The first column of the first row, or null when there is none. */
    static String single(Statement s, String sql) throws SQLException {
        try (ResultSet rs = s.executeQuery(sql)) {
            return rs.next() ? rs.getString(1) : null;
        }
    }

    @Override
    public void close() throws IOException {
        postgres.close();
    }
}
