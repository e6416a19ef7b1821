package io.mudrock.realtime.changes.pgoutput;

import java.time.Instant;
import java.util.Arrays;
import java.util.List;
import java.util.Objects;

/**
 * One decoded pgoutput (protocol version 1) message. LSNs are raw 64-bit WAL positions; times are
 * PostgreSQL timestamps (microseconds since 2000-01-01 00:00 UTC), see {@link #toInstant(long)}.
 */
public sealed interface WalMessage {

    /** Microseconds between the Unix epoch and the PostgreSQL epoch (2000-01-01 UTC). */
    long PG_EPOCH_OFFSET_MICROS = 946_684_800_000_000L;

    /** Converts a PostgreSQL timestamp (microseconds since 2000-01-01 UTC) to an {@link Instant}. */
    static Instant toInstant(long pgMicros) {
        long unixMicros = pgMicros + PG_EPOCH_OFFSET_MICROS;
        return Instant.ofEpochSecond(Math.floorDiv(unixMicros, 1_000_000L), Math.floorMod(unixMicros, 1_000_000L) * 1000L);
    }

    /**
     * Start of a transaction; pgoutput only sends committed transactions, so the commit time is
     * already known here.
     *
     * @param finalLsn   LSN of the transaction's commit record
     * @param commitTime commit time, microseconds since 2000-01-01 UTC
     * @param xid        transaction id
     */
    record Begin(long finalLsn, long commitTime, int xid) implements WalMessage {
    }

    /**
     * End of a transaction; {@code endLsn} is the position to confirm as flushed once every change
     * of the transaction has been handed on.
     *
     * @param flags      currently unused by PostgreSQL
     * @param commitLsn  LSN of the commit record
     * @param endLsn     end LSN of the transaction
     * @param commitTime commit time, microseconds since 2000-01-01 UTC
     */
    record Commit(int flags, long commitLsn, long endLsn, long commitTime) implements WalMessage {
    }

    /**
     * The transaction was replayed from another node (only sent when replication origins are used).
     *
     * @param originLsn commit LSN on the origin server
     * @param name      origin name
     */
    record Origin(long originLsn, String name) implements WalMessage {
        public Origin {
            Objects.requireNonNull(name, "name");
        }
    }

    /**
     * A table's shape. Sent before the first change of a table in a session and again whenever its
     * definition changed (e.g. {@code ALTER TABLE ... ADD COLUMN}), so it replaces earlier ones.
     *
     * @param oid             relation oid
     * @param namespace       schema name (empty for {@code pg_catalog})
     * @param name            table name
     * @param replicaIdentity the table's replica identity
     * @param columns         published columns in attribute order (no dropped/generated columns)
     */
    record Relation(int oid, String namespace, String name, ReplicaIdentity replicaIdentity, List<Column> columns)
            implements WalMessage {
        public Relation {
            Objects.requireNonNull(namespace, "namespace");
            Objects.requireNonNull(name, "name");
            Objects.requireNonNull(replicaIdentity, "replicaIdentity");
            columns = List.copyOf(columns);
        }

        /**
         * One column of a Relation message.
         *
         * @param flags   bit 1 = part of the replica identity key (every column under FULL)
         * @param name    column name
         * @param typeOid oid of the column's type (a domain's own oid, not its base type)
         * @param typmod  type modifier, -1 when none
         */
        public record Column(int flags, String name, int typeOid, int typmod) {
            public Column {
                Objects.requireNonNull(name, "name");
            }

            /** Whether the column is part of the replica identity key. */
            public boolean isKey() {
                return (flags & 1) != 0;
            }
        }
    }

    /**
     * Name of a non-built-in type used by a following Relation message.
     *
     * @param oid       type oid
     * @param namespace schema of the type (empty for {@code pg_catalog})
     * @param name      {@code pg_type.typname}
     */
    record Type(int oid, String namespace, String name) implements WalMessage {
        public Type {
            Objects.requireNonNull(namespace, "namespace");
            Objects.requireNonNull(name, "name");
        }
    }

    /**
     * A row was inserted.
     *
     * @param relationOid oid of the table, described by an earlier {@link Relation}
     * @param newTuple    the new row
     */
    record Insert(int relationOid, TupleData newTuple) implements WalMessage {
        public Insert {
            Objects.requireNonNull(newTuple, "newTuple");
        }
    }

    /**
     * A row was updated. At most one of {@code oldKey} and {@code oldTuple} is present: the old key
     * when the replica identity key changed (DEFAULT/INDEX), the whole old row under FULL, neither
     * when the key did not change.
     *
     * @param relationOid oid of the table
     * @param oldKey      old replica identity values ({@code 'K'}); non-key columns are null here
     * @param oldTuple    old row ({@code 'O'})
     * @param newTuple    the new row; unchanged TOAST values are not included
     */
    record Update(int relationOid, TupleData oldKey, TupleData oldTuple, TupleData newTuple) implements WalMessage {
        public Update {
            Objects.requireNonNull(newTuple, "newTuple");
            if (oldKey != null && oldTuple != null) {
                throw new IllegalArgumentException("an update carries an old key or an old tuple, not both");
            }
        }
    }

    /**
     * A row was deleted. Exactly one of {@code oldKey} and {@code oldTuple} is present.
     *
     * @param relationOid oid of the table
     * @param oldKey      old replica identity values ({@code 'K'}); non-key columns are null here
     * @param oldTuple    old row under REPLICA IDENTITY FULL ({@code 'O'})
     */
    record Delete(int relationOid, TupleData oldKey, TupleData oldTuple) implements WalMessage {
        public Delete {
            if ((oldKey == null) == (oldTuple == null)) {
                throw new IllegalArgumentException("a delete carries exactly one of an old key and an old tuple");
            }
        }
    }

    /**
     * Tables were truncated.
     *
     * @param relationOids    oids of the truncated tables
     * @param cascade         {@code TRUNCATE ... CASCADE}
     * @param restartIdentity {@code TRUNCATE ... RESTART IDENTITY}
     */
    record Truncate(List<Integer> relationOids, boolean cascade, boolean restartIdentity) implements WalMessage {
        public Truncate {
            relationOids = List.copyOf(relationOids);
        }
    }

    /**
     * A message written with {@code pg_logical_emit_message}; only sent with the {@code messages}
     * slot option.
     *
     * @param transactional whether the message was part of a transaction
     * @param lsn           LSN of the message
     * @param prefix        the prefix given to {@code pg_logical_emit_message}
     * @param content       the raw content
     */
    record LogicalMessage(boolean transactional, long lsn, String prefix, byte[] content) implements WalMessage {
        public LogicalMessage {
            Objects.requireNonNull(prefix, "prefix");
            content = content.clone();
        }

        /** A copy of the raw content. */
        @Override
        public byte[] content() {
            return content.clone();
        }

        @Override
        public boolean equals(Object o) {
            return o instanceof LogicalMessage m && transactional == m.transactional && lsn == m.lsn
                    && prefix.equals(m.prefix) && Arrays.equals(content, m.content);
        }

        @Override
        public int hashCode() {
            return Objects.hash(transactional, lsn, prefix, Arrays.hashCode(content));
        }

        @Override
        public String toString() {
            return "LogicalMessage[transactional=" + transactional + ", lsn=" + lsn + ", prefix=" + prefix
                    + ", content=" + content.length + " bytes]";
        }
    }
}
