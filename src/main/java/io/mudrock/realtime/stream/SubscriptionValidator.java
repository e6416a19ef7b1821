package io.mudrock.realtime.stream;

import io.mudrock.realtime.changes.filter.FilterValidationException;
import io.mudrock.realtime.changes.catalog.JdbcCatalog;
import io.mudrock.realtime.changes.values.PgTypeRegistry;
import io.mudrock.realtime.changes.filter.RowFilter;
import io.mudrock.realtime.changes.TableInfo;
import io.mudrock.realtime.changes.pgoutput.WalMessage;
import io.mudrock.realtime.channel.PostgresBinding;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

/**
 * Checks a channel's bindings against the tenant database before they go live, as upstream's
 * subscription insert and its {@code subscription_check_filters} trigger do: the parameters, the
 * role, the table and its publication membership, and every filter against the column types and
 * the role's column privileges. Runs on a worker thread, never the stream's.
 */
final class SubscriptionValidator {

    /** Whether any permissive SELECT (or ALL) policy of the table applies to the role (PUBLIC, the role, or a role it is a member of). */
    private static final String SELECT_POLICY_SQL = """
            select exists (select 1 from pg_catalog.pg_policy p
                           where p.polrelid = ?::oid and p.polcmd in ('r', '*') and p.polpermissive
                             and (p.polroles = '{0}' or exists (select 1 from unnest(p.polroles) r
                                                                where pg_catalog.pg_has_role(?, r, 'MEMBER'))))""";

    private static final String PUBLICATION_TABLES_SQL =
            "select schemaname::text, tablename::text from pg_catalog.pg_publication_tables where pubname = ?";

    /** A table by name. */
    record TableName(String schema, String table) {
    }

    /**
     * What came of a channel's bindings.
     *
     * @param live       bindings to register, in the client's order
     * @param problems   messages for the client ({@code system} errors), in the client's order
     * @param pending    tables that exact bindings named but the publication does not hold yet
     * @param subscribed whether at least one binding already receives changes
     */
    record Outcome(List<LiveBinding> live, List<String> problems, Set<TableName> pending, boolean subscribed) {
    }

    /** What a problem means for its binding. */
    private enum Effect {
        /** Not registered: it can never work as sent. */
        REFUSED,
        /** Registered, receives nothing yet: it works once the publication holds its table. */
        WAITING,
        /** Registered and receiving; the message warns about what it will not see. */
        WARNING
    }

    /**
     * Something to tell the client about one binding.
     *
     * @param message for the client
     * @param effect  what happens to the binding
     */
    private record Problem(String message, Effect effect) {
        static Problem refused(String message) {
            return message == null ? null : new Problem(message, Effect.REFUSED);
        }
    }

    private final StreamDatabase database;
    private final JdbcCatalog catalog;
    private final PgTypeRegistry types;
    private final AccessCatalog access;

    SubscriptionValidator(StreamDatabase database, AccessCatalog access) {
        this.database = database;
        this.catalog = new JdbcCatalog(database::connection);
        this.types = new PgTypeRegistry(catalog);
        this.access = access;
    }

    /**
     * Validates every binding of one channel.
     *
     * @throws SQLException                  if the database cannot be read (the caller retries)
     * @throws JdbcCatalog.CatalogException  likewise, from catalog reads
     */
    Outcome validate(ChannelSubscription owner, List<PostgresBinding> bindings, ClaimsGroup group, String publication)
            throws SQLException {
        Set<TableName> published = publicationTables(publication);
        List<LiveBinding> live = new ArrayList<>();
        List<String> problems = new ArrayList<>();
        Set<TableName> pending = new HashSet<>();
        boolean subscribed = false;
        for (PostgresBinding binding : bindings) {
            BindingSpec spec;
            try {
                spec = BindingSpec.parse(binding.params());
            } catch (BindingSpec.InvalidBinding e) {
                problems.add(e.getMessage());
                continue;
            }
            try {
                access.bypassesRls(group.role());
            } catch (AccessCatalog.UnknownRole e) {
                problems.add(spec.failed("ERROR 42704 (undefined_object) " + e.getMessage()));
                continue;
            }
            LiveBinding compiled = new LiveBinding(owner, binding.id(), spec);
            Problem problem = spec.wildcard()
                    ? compileWildcard(compiled, published, publication, group)
                    : compileExact(compiled, published, publication, group, pending);
            if (problem != null) {
                problems.add(problem.message());
            }
            if (problem == null || problem.effect() != Effect.REFUSED) {
                subscribed |= problem == null || problem.effect() == Effect.WARNING;
                live.add(compiled);
            }
        }
        return new Outcome(live, problems, pending, subscribed);
    }

    /** The tables the publication holds now. */
    Set<TableName> publicationTables(String publication) throws SQLException {
        Set<TableName> tables = new HashSet<>();
        try (Connection connection = database.connection();
             PreparedStatement statement = connection.prepareStatement(PUBLICATION_TABLES_SQL)) {
            statement.setString(1, publication);
            try (ResultSet rs = statement.executeQuery()) {
                while (rs.next()) {
                    tables.add(new TableName(rs.getString(1), rs.getString(2)));
                }
            }
        }
        return tables;
    }

    private Problem compileExact(LiveBinding binding, Set<TableName> published, String publication, ClaimsGroup group,
                                 Set<TableName> pending) throws SQLException {
        BindingSpec spec = binding.spec();
        TableName name = new TableName(spec.schema(), spec.table());
        WalMessage.Relation relation = catalog.relation(spec.schema(), spec.table());
        if (relation == null) {
            pending.add(name);
            return new Problem(spec.notEnabled() + ". " + StreamNotices.noSuchTable(spec.schema(), spec.table()),
                    Effect.WAITING);
        }
        Problem problem = Problem.refused(compileFilter(binding, relation, group));
        if (problem != null) {
            return problem;
        }
        if (!published.contains(name)) {
            pending.add(name);
            return new Problem(spec.notEnabled() + ". "
                    + StreamNotices.notInPublication(publication, spec.schema(), spec.table()), Effect.WAITING);
        }
        return hiddenByRls(relation, group);
    }

    /**
     * Upstream's most common silent failure: RLS on, and no policy lets the role read (often a
     * client still on the anon key). The binding works, but only DELETEs will ever arrive: say so.
     */
    private Problem hiddenByRls(WalMessage.Relation relation, ClaimsGroup group) throws SQLException {
        TableAccess tableAccess;
        try {
            tableAccess = access.access(relation.oid(), group.role());
        } catch (AccessCatalog.UnknownRole e) {
            return null; // reported already
        }
        if (!tableAccess.rowSecurity()) {
            return null;
        }
        try (Connection connection = database.connection();
             PreparedStatement statement = connection.prepareStatement(SELECT_POLICY_SQL)) {
            statement.setLong(1, Integer.toUnsignedLong(relation.oid()));
            statement.setString(2, group.role());
            try (ResultSet rs = statement.executeQuery()) {
                rs.next();
                if (rs.getBoolean(1)) {
                    return null;
                }
            }
        }
        return new Problem(StreamNotices.noSelectPolicy(relation.namespace(), relation.name(), group.role()),
                Effect.WARNING);
    }

    private Problem compileWildcard(LiveBinding binding, Set<TableName> published, String publication, ClaimsGroup group)
            throws SQLException {
        BindingSpec spec = binding.spec();
        boolean any = false;
        for (TableName name : published) {
            if (!matches(spec.schema(), name.schema()) || !matches(spec.table(), name.table())) {
                continue;
            }
            any = true;
            WalMessage.Relation relation = catalog.relation(name.schema(), name.table());
            if (relation != null) {
                Problem problem = Problem.refused(compileFilter(binding, relation, group));
                if (problem != null) {
                    return problem;
                }
            }
        }
        return any ? null : new Problem(spec.notEnabled() + ". "
                + StreamNotices.noMatchingTable(publication, spec.schema(), spec.table()), Effect.WAITING);
    }

    private static boolean matches(String pattern, String name) {
        return BindingSpec.ANY.equals(pattern) || pattern.equals(name);
    }

    /** Compiles the binding's filter for one table; returns upstream's message if it does not fit. */
    private String compileFilter(LiveBinding binding, WalMessage.Relation relation, ClaimsGroup group) throws SQLException {
        BindingSpec spec = binding.spec();
        if (spec.conditions().isEmpty()) {
            return null;
        }
        TableInfo table = TableInfo.of(relation, types, catalog);
        TableAccess tableAccess;
        try {
            tableAccess = access.access(relation.oid(), group.role());
        } catch (AccessCatalog.UnknownRole e) {
            return spec.failed("ERROR 42704 (undefined_object) " + e.getMessage());
        }
        try {
            binding.compiled(relation.oid(), RowFilter.compile(spec.conditions(), table, tableAccess::canSelect, catalog));
            return null;
        } catch (FilterValidationException e) {
            return spec.failed(e.postgrexMessage());
        }
    }
}
