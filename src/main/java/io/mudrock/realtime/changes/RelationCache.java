package io.mudrock.realtime.changes;

import io.mudrock.realtime.changes.values.PgTypeRegistry;
import io.mudrock.realtime.changes.pgoutput.WalMessage;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The tables seen on a replication stream, keyed by relation oid. pgoutput sends a Relation message
 * before the first change of a table and again after the table changed, so each one replaces the
 * entry. Thread-safe.
 */
public final class RelationCache {

    private final PgTypeRegistry types;
    private final PrimaryKeyLookup primaryKeys;
    private final Map<Integer, TableInfo> tables = new ConcurrentHashMap<>();

    /**
     * Creates an empty cache.
     *
     * @param types       resolves column types
     * @param primaryKeys finds primary keys of tables whose replica identity is not DEFAULT
     */
    public RelationCache(PgTypeRegistry types, PrimaryKeyLookup primaryKeys) {
        this.types = types;
        this.primaryKeys = primaryKeys;
    }

    /** Describes the relation (resolving its types) and makes it the current shape of its table. */
    public TableInfo put(WalMessage.Relation relation) {
        TableInfo table = TableInfo.of(relation, types, primaryKeys);
        tables.put(relation.oid(), table);
        return table;
    }

    /**
     * The current shape of table {@code relationOid}.
     *
     * @throws IllegalStateException if no Relation message for it was seen, which pgoutput never
     *                               allows, so the stream is out of sync
     */
    public TableInfo get(int relationOid) {
        TableInfo table = tables.get(relationOid);
        if (table == null) {
            throw new IllegalStateException("change for relation " + Integer.toUnsignedString(relationOid)
                    + " before its Relation message");
        }
        return table;
    }
}
