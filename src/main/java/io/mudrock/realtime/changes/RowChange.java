package io.mudrock.realtime.changes;

import io.mudrock.realtime.changes.pgoutput.ReplicaIdentity;
import io.mudrock.realtime.changes.pgoutput.TupleData;
import java.util.Objects;

/**
 * One row change of a committed transaction, with the values as pgoutput sent them (text form).
 *
 * <p>Two derived views give what the payload and the filters use, following upstream (wal2json
 * based) Supabase Realtime:
 * <ul>
 *   <li>the <em>record</em> (INSERT/UPDATE): the new values; an unchanged TOAST value is taken from
 *       the old row when it was sent (REPLICA IDENTITY FULL), otherwise the column is absent;</li>
 *   <li>the <em>old record</em> (UPDATE/DELETE): every old value under FULL; otherwise the replica
 *       identity key columns, for an UPDATE that kept its key read from the new row; nothing under
 *       NOTHING.</li>
 * </ul>
 * Accessors take a column index of {@link #table()} and allocate nothing.
 *
 * @param table         the table's shape when the change was decoded
 * @param type          INSERT, UPDATE or DELETE
 * @param commitTime    commit time of the transaction, microseconds since 2000-01-01 UTC
 * @param newTuple      new row (INSERT/UPDATE), else null
 * @param oldTuple      old row or old key as sent (UPDATE/DELETE), may be null for UPDATE
 * @param oldTupleIsKey whether {@code oldTuple} is a key tuple ({@code 'K'}: only identity key
 *                      columns are meaningful) rather than a whole old row ({@code 'O'})
 */
public record RowChange(TableInfo table, ChangeType type, long commitTime, TupleData newTuple, TupleData oldTuple,
                        boolean oldTupleIsKey) {

    public RowChange {
        Objects.requireNonNull(table, "table");
        Objects.requireNonNull(type, "type");
        if ((type == ChangeType.DELETE) != (newTuple == null)) {
            throw new IllegalArgumentException(type + " change " + (newTuple == null ? "needs" : "has no") + " new tuple");
        }
        if (type == ChangeType.INSERT && oldTuple != null) {
            throw new IllegalArgumentException("INSERT change has no old tuple");
        }
        if (type == ChangeType.DELETE && oldTuple == null) {
            throw new IllegalArgumentException("DELETE change needs an old tuple");
        }
        checkSize(table, newTuple);
        checkSize(table, oldTuple);
    }

    private static void checkSize(TableInfo table, TupleData tuple) {
        if (tuple == null) {
            return;
        }
        if (tuple.size() != table.size()) {
            throw new IllegalArgumentException("tuple of " + tuple.size() + " values for " + table);
        }
        for (int i = 0; i < tuple.size(); i++) {
            if (tuple.kind(i) == TupleData.Kind.BINARY) {
                throw new IllegalArgumentException("binary tuple values are not supported; stream without the binary option");
            }
        }
    }

    /** Whether the record (new values) has column {@code index}; always false for DELETE. */
    public boolean hasRecordValue(int index) {
        if (newTuple == null) {
            return false;
        }
        if (!newTuple.isUnchangedToast(index)) {
            return true;
        }
        return oldTuple != null && !oldTupleIsKey && !oldTuple.isUnchangedToast(index);
    }

    /** The record's text value of column {@code index}; null for SQL NULL or when absent. */
    public String recordValue(int index) {
        if (newTuple == null) {
            return null;
        }
        if (!newTuple.isUnchangedToast(index)) {
            return newTuple.text(index);
        }
        return oldTuple != null && !oldTupleIsKey ? oldTuple.text(index) : null;
    }

    /** Whether the old record has column {@code index}. */
    public boolean hasOldValue(int index) {
        TupleData source = oldSource(index);
        return source != null && !source.isUnchangedToast(index);
    }

    /** The old record's text value of column {@code index}; null for SQL NULL or when absent. */
    public String oldValue(int index) {
        TupleData source = oldSource(index);
        return source == null ? null : source.text(index);
    }

    /**
     * Whether the values filters are evaluated against have column {@code index}: the old record for
     * DELETE, the record otherwise (as upstream).
     */
    public boolean hasFilterValue(int index) {
        return type == ChangeType.DELETE ? hasOldValue(index) : hasRecordValue(index);
    }

    /** The text value filters see for column {@code index}; null for SQL NULL or when absent. */
    public String filterValue(int index) {
        return type == ChangeType.DELETE ? oldValue(index) : recordValue(index);
    }

    /** Where the old value of column {@code index} comes from, or null when the old record lacks it. */
    private TupleData oldSource(int index) {
        if (type == ChangeType.INSERT) {
            return null;
        }
        if (oldTuple != null) {
            return !oldTupleIsKey || table.column(index).identityKey() ? oldTuple : null;
        }
        // UPDATE that kept its key: wal2json (and so upstream) reports the key from the new row.
        ReplicaIdentity identity = table.replicaIdentity();
        boolean keyed = identity == ReplicaIdentity.DEFAULT || identity == ReplicaIdentity.INDEX;
        return keyed && table.column(index).identityKey() ? newTuple : null;
    }
}
