package io.mudrock.realtime.changes;

import io.mudrock.realtime.changes.values.PgTypeRegistry;
import io.mudrock.realtime.changes.pgoutput.ReplicaIdentity;
import io.mudrock.realtime.changes.pgoutput.TupleData;
import io.mudrock.realtime.changes.pgoutput.WalMessage;
import java.util.List;
import java.util.Set;

/** Builds tables and rows without a database, for pure tests. */
public final class TestTables {

    private TestTables() {
    }

    /** A column spec: name, built-in type oid, primary key. */
    public record Col(String name, int typeOid, boolean primaryKey) {
    }

    public static Col pk(String name, int typeOid) {
        return new Col(name, typeOid, true);
    }

    public static Col col(String name, int typeOid) {
        return new Col(name, typeOid, false);
    }

    /** A table whose replica identity key is its primary key (DEFAULT). */
    public static TableInfo table(String name, Col... columns) {
        return table(name, ReplicaIdentity.DEFAULT, columns);
    }

    public static TableInfo table(String name, ReplicaIdentity identity, Col... columns) {
        PgTypeRegistry types = new PgTypeRegistry(null);
        List<WalMessage.Relation.Column> relationColumns = java.util.Arrays.stream(columns)
                .map(c -> new WalMessage.Relation.Column(identity == ReplicaIdentity.FULL || c.primaryKey() ? 1 : 0,
                        c.name(), c.typeOid(), -1))
                .toList();
        Set<String> pk = java.util.Arrays.stream(columns).filter(Col::primaryKey).map(Col::name)
                .collect(java.util.stream.Collectors.toSet());
        return TableInfo.of(new WalMessage.Relation(1234, "public", name, identity, relationColumns), types, oid -> pk);
    }

    /** A tuple of text values; null = SQL NULL, {@link #TOAST} = unchanged TOAST. */
    public static TupleData tuple(String... values) {
        TupleData.Builder builder = TupleData.builder(values.length);
        for (int i = 0; i < values.length; i++) {
            if (values[i] == null) {
                builder.nullValue(i);
            } else if (values[i] == TOAST) {
                builder.unchangedToast(i);
            } else {
                builder.text(i, values[i]);
            }
        }
        return builder.build();
    }

    /** Marker for an unchanged TOAST value in {@link #tuple}. */
    public static final String TOAST = new String("<toast>");

    /** 2024-01-01 12:00:00.123456 UTC as microseconds since 2000-01-01. */
    public static final long COMMIT_TIME = 757_425_600_123_456L;
}
