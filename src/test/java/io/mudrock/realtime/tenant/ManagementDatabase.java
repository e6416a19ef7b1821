package io.mudrock.realtime.tenant;

import io.zonky.test.db.postgres.embedded.EmbeddedPostgres;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.sql.Connection;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.Map;
import javax.sql.DataSource;
import liquibase.Scope;
import liquibase.command.CommandScope;
import liquibase.command.core.UpdateCommandStep;
import liquibase.command.core.helpers.DbUrlConnectionArgumentsCommandStep;
import liquibase.database.Database;
import liquibase.database.DatabaseFactory;
import liquibase.database.jvm.JdbcConnection;
import liquibase.resource.ClassLoaderResourceAccessor;

/**
 * One embedded PostgreSQL per test JVM with the management changelog applied, shared by the test
 * classes of this package (starting one takes seconds); each test empties the tables first.
 */
final class ManagementDatabase {

    private static EmbeddedPostgres postgres;

    private ManagementDatabase() {
    }

    /** The {@code postgres} database with {@code _realtime} migrated, tables emptied. */
    static synchronized DataSource fresh() {
        if (postgres == null) {
            try {
                postgres = EmbeddedPostgres.builder().start();
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
            Runtime.getRuntime().addShutdownHook(new Thread(ManagementDatabase::stop));
            migrate(postgres.getPostgresDatabase());
        }
        DataSource dataSource = postgres.getPostgresDatabase();
        execute(dataSource, "TRUNCATE _realtime.api_keys, _realtime.extensions, _realtime.tenants");
        return dataSource;
    }

    /** A second, empty database on the same server, created once per name. */
    static synchronized DataSource otherDatabase(String name) {
        fresh();
        execute(postgres.getPostgresDatabase(), "DROP DATABASE IF EXISTS " + name);
        execute(postgres.getPostgresDatabase(), "CREATE DATABASE " + name);
        return postgres.getDatabase("postgres", name);
    }

    static void execute(DataSource dataSource, String... statements) {
        try (Connection c = dataSource.getConnection(); Statement s = c.createStatement()) {
            for (String sql : statements) {
                s.execute(sql);
            }
        } catch (SQLException e) {
            throw new IllegalStateException(e);
        }
    }

    private static void migrate(DataSource dataSource) {
        try (Connection c = dataSource.getConnection()) {
            Database database = DatabaseFactory.getInstance()
                    .findCorrectDatabaseImplementation(new JdbcConnection(c));
            Scope.child(Map.of(Scope.Attr.resourceAccessor.name(), new ClassLoaderResourceAccessor()), () ->
                    new CommandScope(UpdateCommandStep.COMMAND_NAME)
                            .addArgumentValue(DbUrlConnectionArgumentsCommandStep.DATABASE_ARG, database)
                            .addArgumentValue(UpdateCommandStep.CHANGELOG_FILE_ARG,
                                    "liquibase/management/changelog.xml")
                            .execute());
        } catch (Exception e) {
            throw new IllegalStateException("applying the management changelog failed", e);
        }
    }

    private static synchronized void stop() {
        try {
            postgres.close();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
