package io.mudrock.realtime.changes;

import io.mudrock.realtime.changes.values.Json;
import io.mudrock.realtime.changes.values.PgTypeRegistry;
import io.mudrock.realtime.changes.pgoutput.ReplicaIdentity;
import io.mudrock.realtime.changes.pgoutput.WalMessage;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;

/**
 * A table as changes and filters see it: the published columns with resolved types and key flags,
 * plus the JSON snippets every payload of the table repeats, computed once here.
 *
 * <p>A new instance is built for every pgoutput Relation message, so identity comparison tells
 * whether a table's shape may have changed. Immutable.
 */
public final class TableInfo {

    private final int oid;
    private final String schema;
    private final String name;
    private final ReplicaIdentity replicaIdentity;
    private final List<ColumnInfo> columns;
    private final boolean hasPrimaryKey;
    private final Map<String, Integer> indexByName;
    private final int[] jsonbKeyOrder;
    private final String[] columnJson;
    private final String[] keyJson;
    private final String schemaJson;
    private final String tableJson;

    /**
     * Creates a table description.
     *
     * @param oid             relation oid
     * @param schema          schema name
     * @param name            table name
     * @param replicaIdentity the table's replica identity
     * @param columns         columns in attribute order
     */
    public TableInfo(int oid, String schema, String name, ReplicaIdentity replicaIdentity, List<ColumnInfo> columns) {
        this.oid = oid;
        this.schema = Objects.requireNonNull(schema, "schema");
        this.name = Objects.requireNonNull(name, "name");
        this.replicaIdentity = Objects.requireNonNull(replicaIdentity, "replicaIdentity");
        this.columns = List.copyOf(columns);
        int n = this.columns.size();
        Map<String, Integer> byName = new HashMap<>();
        columnJson = new String[n];
        keyJson = new String[n];
        boolean pk = false;
        for (int i = 0; i < n; i++) {
            ColumnInfo column = this.columns.get(i);
            if (byName.put(column.name(), i) != null) {
                throw new IllegalArgumentException("duplicate column " + column.name() + " in " + schema + "." + name);
            }
            pk |= column.primaryKey();
            String quotedName = Json.quote(column.name());
            keyJson[i] = quotedName + ":";
            columnJson[i] = "{\"name\":" + quotedName + ",\"type\":" + Json.quote(column.type().name()) + "}";
        }
        hasPrimaryKey = pk;
        indexByName = Map.copyOf(byName);
        jsonbKeyOrder = jsonbKeyOrder(this.columns);
        schemaJson = Json.quote(schema);
        tableJson = Json.quote(name);
    }

    /**
     * Describes the table of a pgoutput Relation message.
     *
     * @param relation    the Relation message
     * @param types       resolves the column type oids
     * @param primaryKeys finds the primary key when the replica identity flags do not tell it (every
     *                    identity but DEFAULT); may be null only for DEFAULT tables
     */
    public static TableInfo of(WalMessage.Relation relation, PgTypeRegistry types, PrimaryKeyLookup primaryKeys) {
        // Under DEFAULT the replica identity key is exactly the primary key, which saves a lookup.
        Set<String> pkColumns = null;
        if (relation.replicaIdentity() != ReplicaIdentity.DEFAULT) {
            if (primaryKeys == null) {
                throw new IllegalStateException("table " + relation.namespace() + "." + relation.name()
                        + " has REPLICA IDENTITY " + relation.replicaIdentity() + ": a primary key lookup is required");
            }
            pkColumns = primaryKeys.primaryKeyColumns(relation.oid());
        }
        List<ColumnInfo> columns = new ArrayList<>(relation.columns().size());
        for (WalMessage.Relation.Column c : relation.columns()) {
            boolean primaryKey = pkColumns == null ? c.isKey() : pkColumns.contains(c.name());
            columns.add(new ColumnInfo(c.name(), types.resolve(c.typeOid()), c.typmod(), c.isKey(), primaryKey));
        }
        return new TableInfo(relation.oid(), relation.namespace(), relation.name(), relation.replicaIdentity(), columns);
    }

    /** Relation oid. */
    public int oid() {
        return oid;
    }

    /** Schema name. */
    public String schema() {
        return schema;
    }

    /** Table name. */
    public String name() {
        return name;
    }

    /** The table's replica identity. */
    public ReplicaIdentity replicaIdentity() {
        return replicaIdentity;
    }

    /** Published columns in attribute order. */
    public List<ColumnInfo> columns() {
        return columns;
    }

    /** Number of columns. */
    public int size() {
        return columns.size();
    }

    /** Column {@code index}. */
    public ColumnInfo column(int index) {
        return columns.get(index);
    }

    /** Index of the column called {@code columnName}, or -1. */
    public int columnIndex(String columnName) {
        Integer index = indexByName.get(columnName);
        return index == null ? -1 : index;
    }

    /** Whether any column is part of a primary key. */
    public boolean hasPrimaryKey() {
        return hasPrimaryKey;
    }

    /** {@code {"name":...,"type":...}} of column {@code index}. */
    String columnJson(int index) {
        return columnJson[index];
    }

    /** The quoted column name followed by a colon. */
    String keyJson(int index) {
        return keyJson[index];
    }

    String schemaJson() {
        return schemaJson;
    }

    String tableJson() {
        return tableJson;
    }

    /**
     * Column indexes in the order jsonb stores object keys (shorter keys first, then bytewise):
     * upstream builds records as jsonb, so clients see their keys in this order.
     */
    int jsonbKeyOrder(int position) {
        return jsonbKeyOrder[position];
    }

    private static int[] jsonbKeyOrder(List<ColumnInfo> columns) {
        byte[][] keys = new byte[columns.size()][];
        Integer[] order = new Integer[columns.size()];
        for (int i = 0; i < keys.length; i++) {
            keys[i] = columns.get(i).name().getBytes(StandardCharsets.UTF_8);
            order[i] = i;
        }
        Arrays.sort(order, Comparator.<Integer>comparingInt(i -> keys[i].length)
                .thenComparing((a, b) -> Arrays.compareUnsigned(keys[a], keys[b])));
        return Arrays.stream(order).mapToInt(Integer::intValue).toArray();
    }

    @Override
    public String toString() {
        return "TableInfo[" + oid + " " + schema + "." + name + " " + columns.size() + " columns, " + replicaIdentity + "]";
    }
}
