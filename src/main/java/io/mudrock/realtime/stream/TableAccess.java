package io.mudrock.realtime.stream;

import io.mudrock.realtime.changes.ColumnInfo;
import java.util.Set;

/**
 * What one role may read of one table, as upstream's {@code apply_rls} decides it: whether row
 * level security applies, and which columns the role may SELECT (others are left out of payloads
 * and count as unknown for filters).
 *
 * @param rowSecurity whether the table has RLS enabled and the role does not bypass it
 * @param rlsEnabled  whether the table has RLS enabled at all ({@code relrowsecurity}): DELETE
 *                    payloads then keep only the primary key
 * @param unfiltered  whether RLS applies but its policies cannot hide a row from the role (as
 *                    {@code USING (true)}), so no visibility check is needed
 * @param selectable  names of the columns the role may SELECT
 */
record TableAccess(boolean rowSecurity, boolean rlsEnabled, boolean unfiltered, Set<String> selectable) {

    TableAccess {
        selectable = Set.copyOf(selectable);
    }

    /** Whether the role may SELECT the column. */
    boolean canSelect(ColumnInfo column) {
        return selectable.contains(column.name());
    }
}
