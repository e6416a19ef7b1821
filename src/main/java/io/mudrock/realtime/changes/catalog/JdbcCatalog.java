package io.mudrock.realtime.changes.catalog;

import io.mudrock.realtime.changes.filter.FilterValidationException;
import io.mudrock.realtime.changes.values.PgType;
import io.mudrock.realtime.changes.pgoutput.ReplicaIdentity;
import io.mudrock.realtime.changes.values.TypeLookup;
import io.mudrock.realtime.changes.filter.ValueCanonicalizer;
import io.mudrock.realtime.changes.pgoutput.WalMessage;
import io.mudrock.realtime.changes.PrimaryKeyLookup;
import org.postgresql.util.PSQLException;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Reads type definitions, primary keys and table shapes from the PostgreSQL catalog, and
 * canonicalizes filter values, over plain JDBC
 * (a replication connection cannot run queries while it streams, so this takes its own
 * connections). Each call borrows one connection and closes it.
 *
 * <p>The catalog is read as it is now, not as it was at the WAL position being decoded; for the
 * rare definitions that change between (a type dropped since) the stream falls back to what
 * pgoutput itself sent.
 */
public final class JdbcCatalog implements TypeLookup, PrimaryKeyLookup, ValueCanonicalizer {

    /** Source of connections, e.g. {@code dataSource::getConnection}. */
    @FunctionalInterface
    public interface ConnectionSource {
        /** Opens (or borrows) a connection that the caller closes. */
        Connection get() throws SQLException;
    }

    /** Thrown when the catalog cannot be read. */
    public static final class CatalogException extends RuntimeException {
        CatalogException(String message, SQLException cause) {
            super(message + ": " + cause.getMessage(), cause);
        }
    }

    private static final String TYPE_SQL = """
            select n.nspname, t.typname, t.typtype, t.typcategory,
                   case when t.typcategory = 'A' and t.typlen = -1 then t.typelem else 0 end as element,
                   t.typbasetype, t.typdelim, t.typrelid
            from pg_catalog.pg_type t join pg_catalog.pg_namespace n on n.oid = t.typnamespace
            where t.oid = ?::oid""";

    private static final String ENUM_SQL =
            "select enumlabel from pg_catalog.pg_enum where enumtypid = ?::oid order by enumsortorder";

    private static final String ATTRIBUTES_SQL = """
            select attname, atttypid from pg_catalog.pg_attribute
            where attrelid = ?::oid and attnum > 0 and not attisdropped order by attnum""";

    private static final String PRIMARY_KEY_SQL = """
            select a.attname from pg_catalog.pg_index i
            join pg_catalog.pg_attribute a on a.attrelid = i.indrelid and a.attnum = any(i.indkey)
            where i.indrelid = ?::oid and i.indisprimary""";

    private static final String RELATION_SQL = """
            select c.oid, c.relreplident from pg_catalog.pg_class c
            join pg_catalog.pg_namespace n on n.oid = c.relnamespace
            where n.nspname = ? and c.relname = ? and c.relkind in ('r', 'p')""";

    // Mirrors what pgoutput publishes: no dropped or generated columns; key flags per replica identity.
    private static final String RELATION_COLUMNS_SQL = """
            select a.attname, a.atttypid, a.atttypmod,
                   case c.relreplident
                       when 'f' then true
                       when 'd' then exists (select 1 from pg_catalog.pg_index i
                                             where i.indrelid = c.oid and i.indisprimary and a.attnum = any(i.indkey))
                       when 'i' then exists (select 1 from pg_catalog.pg_index i
                                             where i.indrelid = c.oid and i.indisreplident and a.attnum = any(i.indkey))
                       else false
                   end as is_key
            from pg_catalog.pg_attribute a join pg_catalog.pg_class c on c.oid = a.attrelid
            where a.attrelid = ?::oid and a.attnum > 0 and not a.attisdropped and a.attgenerated = ''
            order by a.attnum""";

    private static final Map<String, String> CONDITION_NAMES = Map.of(
            "22P02", "invalid_text_representation", "22003", "numeric_value_out_of_range",
            "22007", "invalid_datetime_format", "22008", "datetime_field_overflow",
            "22009", "invalid_time_zone_displacement_value", "22023", "invalid_parameter_value",
            "22P05", "untranslatable_character", "42704", "undefined_object");

    private final ConnectionSource connections;

    /** A catalog reading through connections from {@code connections}. */
    public JdbcCatalog(ConnectionSource connections) {
        this.connections = connections;
    }

    @Override
    public Definition lookup(int oid) {
        try (Connection connection = connections.get()) {
            String namespace;
            String name;
            char typtype;
            char category;
            int element;
            int base;
            char delimiter;
            int relation;
            try (PreparedStatement statement = connection.prepareStatement(TYPE_SQL)) {
                statement.setLong(1, Integer.toUnsignedLong(oid));
                try (ResultSet rs = statement.executeQuery()) {
                    if (!rs.next()) {
                        return null;
                    }
                    namespace = rs.getString(1);
                    name = rs.getString(2);
                    typtype = rs.getString(3).charAt(0);
                    category = rs.getString(4).charAt(0);
                    element = (int) rs.getLong(5);
                    base = (int) rs.getLong(6);
                    delimiter = rs.getString(7).charAt(0);
                    relation = (int) rs.getLong(8);
                }
            }
            List<String> labels = new ArrayList<>();
            if (typtype == 'e') {
                try (PreparedStatement statement = connection.prepareStatement(ENUM_SQL)) {
                    statement.setLong(1, Integer.toUnsignedLong(oid));
                    try (ResultSet rs = statement.executeQuery()) {
                        while (rs.next()) {
                            labels.add(rs.getString(1));
                        }
                    }
                }
            }
            List<FieldDefinition> fields = new ArrayList<>();
            if (typtype == 'c') {
                try (PreparedStatement statement = connection.prepareStatement(ATTRIBUTES_SQL)) {
                    statement.setLong(1, Integer.toUnsignedLong(relation));
                    try (ResultSet rs = statement.executeQuery()) {
                        while (rs.next()) {
                            fields.add(new FieldDefinition(rs.getString(1), (int) rs.getLong(2)));
                        }
                    }
                }
            }
            return new Definition(oid, namespace, name, typtype, category, element, base, delimiter, labels, fields);
        } catch (SQLException e) {
            throw new CatalogException("cannot read type " + Integer.toUnsignedString(oid), e);
        }
    }

    @Override
    public Set<String> primaryKeyColumns(int relationOid) {
        try (Connection connection = connections.get();
             PreparedStatement statement = connection.prepareStatement(PRIMARY_KEY_SQL)) {
            statement.setLong(1, Integer.toUnsignedLong(relationOid));
            Set<String> columns = new HashSet<>();
            try (ResultSet rs = statement.executeQuery()) {
                while (rs.next()) {
                    columns.add(rs.getString(1));
                }
            }
            return Set.copyOf(columns);
        } catch (SQLException e) {
            throw new CatalogException("cannot read the primary key of relation " + Integer.toUnsignedString(relationOid), e);
        }
    }

    /**
     * Describes a table the way a pgoutput Relation message would, for validating filters of a
     * subscription before the stream has sent anything for the table.
     *
     * @return the relation, or null if there is no such table
     */
    public WalMessage.Relation relation(String schema, String table) {
        try (Connection connection = connections.get()) {
            int oid;
            ReplicaIdentity identity;
            try (PreparedStatement statement = connection.prepareStatement(RELATION_SQL)) {
                statement.setString(1, schema);
                statement.setString(2, table);
                try (ResultSet rs = statement.executeQuery()) {
                    if (!rs.next()) {
                        return null;
                    }
                    oid = (int) rs.getLong(1);
                    identity = ReplicaIdentity.fromCode(rs.getString(2).charAt(0));
                }
            }
            List<WalMessage.Relation.Column> columns = new ArrayList<>();
            try (PreparedStatement statement = connection.prepareStatement(RELATION_COLUMNS_SQL)) {
                statement.setLong(1, Integer.toUnsignedLong(oid));
                try (ResultSet rs = statement.executeQuery()) {
                    while (rs.next()) {
                        columns.add(new WalMessage.Relation.Column(rs.getBoolean(4) ? 1 : 0, rs.getString(1),
                                (int) rs.getLong(2), rs.getInt(3)));
                    }
                }
            }
            return new WalMessage.Relation(oid, schema, table, identity, columns);
        } catch (SQLException e) {
            throw new CatalogException("cannot describe table " + schema + "." + table, e);
        }
    }

    @Override
    public String canonicalize(String value, PgType type) throws FilterValidationException {
        try (Connection connection = connections.get()) {
            String typeName;
            try (PreparedStatement statement = connection.prepareStatement("select ?::oid::regtype::text")) {
                statement.setLong(1, Integer.toUnsignedLong(type.oid()));
                try (ResultSet rs = statement.executeQuery()) {
                    rs.next();
                    typeName = rs.getString(1); // regtype output is quoted where needed
                }
            }
            // format('%s') applies the type's output function, which is what pgoutput sends.
            try (PreparedStatement statement = connection.prepareStatement("select format('%s', ?::text::" + typeName + ")")) {
                statement.setString(1, value);
                try (ResultSet rs = statement.executeQuery()) {
                    rs.next();
                    return rs.getString(1);
                }
            }
        } catch (SQLException e) {
            String state = e.getSQLState();
            if (state != null && (state.startsWith("22") || state.equals("42704"))) {
                String message = e instanceof PSQLException p && p.getServerErrorMessage() != null
                        ? p.getServerErrorMessage().getMessage() : e.getMessage();
                throw new FilterValidationException(state, CONDITION_NAMES.getOrDefault(state, "data_exception"), message);
            }
            throw new CatalogException("cannot read a value of type " + type.name(), e);
        }
    }
}
