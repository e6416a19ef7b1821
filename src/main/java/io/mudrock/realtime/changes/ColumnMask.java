package io.mudrock.realtime.changes;

import java.util.Arrays;
import java.util.Collection;
import java.util.Objects;
import java.util.Set;
import java.util.function.Predicate;

/**
 * The columns of one table a subscriber may see in a payload. Build one per table shape, role and
 * {@code select} list, and reuse it for every change of that table.
 */
public final class ColumnMask {

    private final TableInfo table;
    private final long[] bits;

    private ColumnMask(TableInfo table, long[] bits) {
        this.table = table;
        this.bits = bits;
    }

    /** Every column of {@code table}. */
    public static ColumnMask all(TableInfo table) {
        return of(table, column -> true, null);
    }

    /**
     * The columns upstream shows a subscriber: those the role may SELECT, and of those only the
     * selected ones plus the primary key when a {@code select} list was given.
     *
     * @param table           the table shape the mask is for
     * @param selectable      whether the subscriber's role may SELECT a column
     * @param selectedColumns the binding's {@code select} list, or null for all columns
     */
    public static ColumnMask of(TableInfo table, Predicate<ColumnInfo> selectable, Collection<String> selectedColumns) {
        Objects.requireNonNull(table, "table");
        Set<String> selected = selectedColumns == null ? null : Set.copyOf(selectedColumns);
        long[] bits = new long[(table.size() + 63) >>> 6];
        for (int i = 0; i < table.size(); i++) {
            ColumnInfo column = table.column(i);
            if (selectable.test(column)
                    && (selected == null || selected.contains(column.name()) || column.primaryKey())) {
                bits[i >>> 6] |= 1L << i;
            }
        }
        return new ColumnMask(table, bits);
    }

    /** The table shape this mask was built for. */
    public TableInfo table() {
        return table;
    }

    /** Whether column {@code index} is visible. */
    public boolean contains(int index) {
        return (bits[index >>> 6] & (1L << index)) != 0;
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof ColumnMask m && table == m.table && Arrays.equals(bits, m.bits);
    }

    @Override
    public int hashCode() {
        return 31 * System.identityHashCode(table) + Arrays.hashCode(bits);
    }

    @Override
    public String toString() {
        StringBuilder sb = new StringBuilder("ColumnMask[");
        for (int i = 0; i < table.size(); i++) {
            if (contains(i)) {
                sb.append(sb.length() > 11 ? ", " : "").append(table.column(i).name());
            }
        }
        return sb.append(']').toString();
    }
}
