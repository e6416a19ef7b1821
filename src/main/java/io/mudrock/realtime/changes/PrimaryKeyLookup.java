package io.mudrock.realtime.changes;

import java.util.Set;

/**
 * Finds a table's primary key columns. Needed because pgoutput only flags replica identity
 * columns: under REPLICA IDENTITY FULL every column is flagged, under USING INDEX another index's.
 * See {@code catalog.JdbcCatalog} for the JDBC implementation.
 */
@FunctionalInterface
public interface PrimaryKeyLookup {

    /**
     * Names of the primary key columns of relation {@code relationOid}.
     *
     * @return the column names, empty when the table has no primary key (or no longer exists)
     * @throws RuntimeException if the catalog cannot be read
     */
    Set<String> primaryKeyColumns(int relationOid);
}
