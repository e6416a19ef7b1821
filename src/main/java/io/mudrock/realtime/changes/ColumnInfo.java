package io.mudrock.realtime.changes;

import io.mudrock.realtime.changes.values.PgType;
import java.util.Objects;

/**
 * One published column of a table.
 *
 * @param name        column name
 * @param type        column type (a domain stays a domain; see {@link PgType#effective()})
 * @param typmod      type modifier, -1 when none
 * @param identityKey part of the replica identity key (every column under REPLICA IDENTITY FULL)
 * @param primaryKey  part of the primary key
 */
public record ColumnInfo(String name, PgType type, int typmod, boolean identityKey, boolean primaryKey) {
    public ColumnInfo {
        Objects.requireNonNull(name, "name");
        Objects.requireNonNull(type, "type");
    }
}
