package io.mudrock.realtime.changes.pgoutput;

import java.util.Arrays;

/**
 * The column values of one row as sent by pgoutput ({@code TupleData}), in relation column order.
 *
 * <p>Values are kept in two parallel arrays rather than one object per value because a change
 * stream decodes millions of them: only the value strings themselves are allocated. Instances are
 * immutable.
 */
public final class TupleData {

    /** What a pgoutput tuple carries for one column. */
    public enum Kind {
        /** SQL NULL ({@code 'n'}). */
        NULL,
        /** A TOASTed value that did not change and was therefore not sent ({@code 'u'}). */
        UNCHANGED_TOAST,
        /** The value in its text output form ({@code 't'}). */
        TEXT,
        /** The value in its binary send form ({@code 'b'}); only with the {@code binary} option. */
        BINARY
    }

    private static final Kind[] KINDS = Kind.values();

    private final byte[] kinds;
    private final Object[] values;

    private TupleData(byte[] kinds, Object[] values) {
        this.kinds = kinds;
        this.values = values;
    }

    /** Starts a tuple of {@code size} columns; used by the decoder and by tests. */
    public static Builder builder(int size) {
        return new Builder(size);
    }

    /** Number of columns in the tuple. */
    public int size() {
        return kinds.length;
    }

    /** What the tuple carries for column {@code index}. */
    public Kind kind(int index) {
        return KINDS[kinds[index]];
    }

    /** Whether column {@code index} is SQL NULL. */
    public boolean isNull(int index) {
        return kinds[index] == Kind.NULL.ordinal();
    }

    /** Whether column {@code index} is an unchanged TOAST value that was not sent. */
    public boolean isUnchangedToast(int index) {
        return kinds[index] == Kind.UNCHANGED_TOAST.ordinal();
    }

    /** The text value of column {@code index}, or null unless its kind is {@link Kind#TEXT}. */
    public String text(int index) {
        return values[index] instanceof String s ? s : null;
    }

    /** A copy of the binary value of column {@code index}, or null unless its kind is {@link Kind#BINARY}. */
    public byte[] binary(int index) {
        return values[index] instanceof byte[] b ? b.clone() : null;
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof TupleData t && Arrays.equals(kinds, t.kinds) && Arrays.deepEquals(values, t.values);
    }

    @Override
    public int hashCode() {
        return 31 * Arrays.hashCode(kinds) + Arrays.deepHashCode(values);
    }

    @Override
    public String toString() {
        StringBuilder sb = new StringBuilder("TupleData[");
        for (int i = 0; i < kinds.length; i++) {
            if (i > 0) {
                sb.append(", ");
            }
            switch (kind(i)) {
                case NULL -> sb.append("null");
                case UNCHANGED_TOAST -> sb.append("<unchanged toast>");
                case TEXT -> sb.append('\'').append(values[i]).append('\'');
                case BINARY -> sb.append("<").append(((byte[]) values[i]).length).append(" bytes>");
            }
        }
        return sb.append(']').toString();
    }

    /** Fills a tuple column by column; package-private so only the decoder and tests create tuples. */
    public static final class Builder {
        private final byte[] kinds;
        private final Object[] values;

        private Builder(int size) {
            kinds = new byte[size];
            values = new Object[size];
        }

        public Builder nullValue(int index) {
            kinds[index] = (byte) Kind.NULL.ordinal();
            return this;
        }

        public Builder unchangedToast(int index) {
            kinds[index] = (byte) Kind.UNCHANGED_TOAST.ordinal();
            return this;
        }

        public Builder text(int index, String value) {
            kinds[index] = (byte) Kind.TEXT.ordinal();
            values[index] = value;
            return this;
        }

        public Builder binary(int index, byte[] value) {
            kinds[index] = (byte) Kind.BINARY.ordinal();
            values[index] = value;
            return this;
        }

        public TupleData build() {
            return new TupleData(kinds, values);
        }
    }
}
