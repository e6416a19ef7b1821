package io.mudrock.realtime.database;

import liquibase.Contexts;
import liquibase.LabelExpression;
import liquibase.Liquibase;
import liquibase.Scope;
import liquibase.ui.LoggerUIService;
import liquibase.database.Database;
import liquibase.database.DatabaseFactory;
import liquibase.database.jvm.JdbcConnection;
import liquibase.exception.LiquibaseException;
import liquibase.resource.ClassLoaderResourceAccessor;

import java.sql.Connection;
import java.sql.SQLException;
import javax.sql.DataSource;

/**
 * Applies the changelogs of the top-level {@code liquibase/} folder (packaged on the classpath).
 * Each run is idempotent: applied changesets are skipped, the always-run ones change nothing.
 */
public final class MigrationRunner {

    /** The management schema changelog ({@code _realtime}). */
    public static final String MANAGEMENT_CHANGELOG = "liquibase/management/changelog.xml";
    /** The tenant database bootstrap changelog. */
    public static final String TENANT_CHANGELOG = "liquibase/tenant/changelog.xml";
    /** The changeset context of MudRock's {@code wells} table. */
    public static final String WELLS_CONTEXT = "wells";

    private MigrationRunner() {
    }

    /** Creates or completes the {@code _realtime} schema. */
    public static void migrateManagement(DataSource dataSource) throws SQLException, LiquibaseException {
        run(dataSource, MANAGEMENT_CHANGELOG, "", null);
    }

    /**
     * Bootstraps a tenant database.
     *
     * @param publication  publication to create when missing and to add tables to
     * @param includeWells whether the {@code wells} context runs
     */
    public static void migrateTenant(DataSource dataSource, String publication, boolean includeWells)
            throws SQLException, LiquibaseException {
        // "!wells" keeps context-bound changesets out; changesets without a context always run.
        run(dataSource, TENANT_CHANGELOG, includeWells ? WELLS_CONTEXT : "!" + WELLS_CONTEXT, publication);
    }

    private static void run(DataSource dataSource, String changelog, String contexts, String publication)
            throws SQLException, LiquibaseException {
        try (Connection connection = dataSource.getConnection()) {
            Database database = DatabaseFactory.getInstance()
                    .findCorrectDatabaseImplementation(new JdbcConnection(connection));
            // Liquibase's own tables stay in public: `_realtime` may belong to an upstream server.
            database.setDefaultSchemaName("public");
            try (Liquibase liquibase = new Liquibase(changelog,
                    new ClassLoaderResourceAccessor(MigrationRunner.class.getClassLoader()), database)) {
                if (publication != null) {
                    liquibase.setChangeLogParameter("publication", publication);
                }
                // Liquibase prints each changeset to standard out by default; send it to the log.
                Scope.child(Scope.Attr.ui.name(), new LoggerUIService(),
                        () -> liquibase.update(new Contexts(contexts), new LabelExpression()));
            } catch (LiquibaseException | SQLException e) {
                throw e;
            } catch (Exception e) {
                throw new LiquibaseException(e);
            }
        }
    }
}
