package io.mudrock.realtime.changes;

import io.mudrock.realtime.changes.values.PgTypeRegistry;
import io.mudrock.realtime.changes.pgoutput.TupleData;
import io.mudrock.realtime.changes.pgoutput.WalMessage;

/**
 * Turns the decoded messages of one replication stream into {@link RowChange}s: remembers the
 * current transaction's commit time, keeps the {@link RelationCache} and {@link PgTypeRegistry}
 * up to date from Relation and Type messages, and pairs row messages with their table.
 *
 * <p>Feed every message of the stream, in order, from one thread.
 */
public final class ChangeAssembler {

    private final PgTypeRegistry types;
    private final RelationCache relations;
    private long commitTime;
    private boolean inTransaction;

    /**
     * Creates an assembler.
     *
     * @param types     updated from Type messages
     * @param relations updated from Relation messages, consulted for row messages
     */
    public ChangeAssembler(PgTypeRegistry types, RelationCache relations) {
        this.types = types;
        this.relations = relations;
    }

    /**
     * Processes one message.
     *
     * @return the row change for Insert, Update and Delete messages; null for every other message
     * @throws IllegalStateException if a row change arrives outside a transaction or for an unknown
     *                               relation (the stream is out of sync)
     */
    public RowChange accept(WalMessage message) {
        // Row changes first: they are by far the most frequent messages.
        if (message instanceof WalMessage.Insert insert) {
            return new RowChange(table(insert.relationOid()), ChangeType.INSERT, commitTime, insert.newTuple(), null, false);
        }
        if (message instanceof WalMessage.Update update) {
            TupleData old = update.oldKey() != null ? update.oldKey() : update.oldTuple();
            return new RowChange(table(update.relationOid()), ChangeType.UPDATE, commitTime, update.newTuple(), old,
                    update.oldKey() != null);
        }
        if (message instanceof WalMessage.Delete delete) {
            TupleData old = delete.oldKey() != null ? delete.oldKey() : delete.oldTuple();
            return new RowChange(table(delete.relationOid()), ChangeType.DELETE, commitTime, null, old,
                    delete.oldKey() != null);
        }
        if (message instanceof WalMessage.Begin begin) {
            commitTime = begin.commitTime();
            inTransaction = true;
        } else if (message instanceof WalMessage.Commit) {
            inTransaction = false;
        } else if (message instanceof WalMessage.Relation relation) {
            relations.put(relation);
        } else if (message instanceof WalMessage.Type type) {
            types.announce(type);
        }
        // Origin, Truncate (upstream does not deliver truncates) and logical messages carry no row.
        return null;
    }

    private TableInfo table(int relationOid) {
        if (!inTransaction) {
            throw new IllegalStateException("row change outside a transaction");
        }
        return relations.get(relationOid);
    }
}
