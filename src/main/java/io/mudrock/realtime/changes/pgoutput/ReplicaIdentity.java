package io.mudrock.realtime.changes.pgoutput;

/**
 * A table's {@code REPLICA IDENTITY} setting as sent in pgoutput Relation messages; it decides which
 * old values UPDATE and DELETE changes carry.
 */
public enum ReplicaIdentity {
    /** Primary key columns (or nothing when the table has no primary key). */
    DEFAULT('d'),
    /** No old values at all. */
    NOTHING('n'),
    /** Every column's old value. */
    FULL('f'),
    /** The columns of the index chosen with {@code REPLICA IDENTITY USING INDEX}. */
    INDEX('i');

    private final char code;

    ReplicaIdentity(char code) {
        this.code = code;
    }

    /** The one-letter code used by {@code pg_class.relreplident} and pgoutput. */
    public char code() {
        return code;
    }

    /**
     * Maps a {@code relreplident} code to its constant.
     *
     * @throws IllegalArgumentException for an unknown code
     */
    public static ReplicaIdentity fromCode(char code) {
        return switch (code) {
            case 'd' -> DEFAULT;
            case 'n' -> NOTHING;
            case 'f' -> FULL;
            case 'i' -> INDEX;
            default -> throw new IllegalArgumentException("unknown replica identity '" + code + "'");
        };
    }
}
