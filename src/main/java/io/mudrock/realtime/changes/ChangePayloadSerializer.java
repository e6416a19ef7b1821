package io.mudrock.realtime.changes;

import io.mudrock.realtime.changes.values.Json;
import io.mudrock.realtime.changes.values.PgType;
import io.mudrock.realtime.changes.values.ValueConverter;
import io.mudrock.realtime.changes.pgoutput.WalMessage;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;

/**
 * Writes the {@code data} object of a {@code postgres_changes} message, shaped like upstream's:
 * <pre>
 * {"schema":..,"table":..,"commit_timestamp":"2024-01-01T12:00:00.123Z","type":"UPDATE",
 *  "columns":[{"name":..,"type":..},..],"record":{..},"old_record":{..},"errors":null}
 * </pre>
 * {@code record} is absent for DELETE and {@code old_record} for INSERT. Record keys are in jsonb
 * order (shorter names first), as upstream builds them as jsonb. A change of a table without
 * primary key (INSERT/UPDATE), or whose primary key the subscriber may not see, becomes an error
 * payload ({@code Error 400: Bad Request, no primary key} / {@code Error 401: Unauthorized}) with
 * no columns and values; a change whose JSON exceeds the record size limit keeps only fields of
 * at most 64 bytes and reports {@code Error 413: Payload Too Large}.
 *
 * <p>Use: {@link #prepare} once per change (converts every value once), then {@link #serialize}
 * once per distinct column mask; the resulting string is embedded as is in each frame. Thread-safe.
 */
public final class ChangePayloadSerializer {

    /** Upstream's default {@code poll_max_record_bytes}. */
    public static final int DEFAULT_MAX_RECORD_BYTES = 1_048_576;

    /** Largest field (JSON text, bytes) kept in a payload that exceeded the size limit. */
    static final int OVERSIZED_FIELD_MAX_BYTES = 64;

    static final String NO_PRIMARY_KEY = "Error 400: Bad Request, no primary key";
    static final String UNAUTHORIZED = "Error 401: Unauthorized";
    static final String PAYLOAD_TOO_LARGE = "Error 413: Payload Too Large";

    private static final DateTimeFormatter COMMIT_TIMESTAMP =
            DateTimeFormatter.ofPattern("uuuu-MM-dd'T'HH:mm:ss.SSS'Z'").withZone(ZoneOffset.UTC);

    private final int maxRecordBytes;
    private volatile CachedTimestamp lastTimestamp = new CachedTimestamp(Long.MIN_VALUE, null);

    private record CachedTimestamp(long commitTime, String formatted) {
    }

    /** A serializer with upstream's default 1 MiB record size limit. */
    public ChangePayloadSerializer() {
        this(DEFAULT_MAX_RECORD_BYTES);
    }

    /**
     * A serializer with the given record size limit (the tenant's {@code poll_max_record_bytes}).
     *
     * @param maxRecordBytes a change whose JSON values (new and old, with their keys) exceed this
     *                       many UTF-8 bytes is reported as too large
     */
    public ChangePayloadSerializer(int maxRecordBytes) {
        if (maxRecordBytes <= 0) {
            throw new IllegalArgumentException("maxRecordBytes must be positive");
        }
        this.maxRecordBytes = maxRecordBytes;
    }

    /**
     * The commit time as upstream formats it: UTC, millisecond precision (truncated), {@code Z}.
     *
     * @param commitTime microseconds since 2000-01-01 UTC
     */
    public static String commitTimestamp(long commitTime) {
        Instant instant = WalMessage.toInstant(commitTime);
        return COMMIT_TIMESTAMP.format(Instant.ofEpochMilli(instant.toEpochMilli()));
    }

    /** Converts every value of the change to JSON once and measures the change. */
    public PreparedChange prepare(RowChange change) {
        TableInfo table = change.table();
        int n = table.size();
        StringBuilder fragments = new StringBuilder(64 + n * 16);
        int[] recordBounds = new int[2 * n];
        int[] oldBounds = new int[2 * n];
        int keyBytes = 0;
        for (int i = 0; i < n; i++) {
            PgType type = table.column(i).type();
            boolean inRecord = change.hasRecordValue(i);
            boolean inOld = change.hasOldValue(i);
            recordBounds[2 * i] = -1;
            oldBounds[2 * i] = -1;
            if (inRecord) {
                recordBounds[2 * i] = fragments.length();
                ValueConverter.appendJson(fragments, change.recordValue(i), type);
                recordBounds[2 * i + 1] = fragments.length();
            }
            if (inOld) {
                oldBounds[2 * i] = fragments.length();
                ValueConverter.appendJson(fragments, change.oldValue(i), type);
                oldBounds[2 * i + 1] = fragments.length();
            }
            if (inRecord || inOld) {
                int key = table.keyJson(i).length() + 1; // name, colon and a separator
                keyBytes += (inRecord && inOld) ? 2 * key : key;
            }
        }
        // Cheap upper bound first (3 UTF-8 bytes per char at most) so most changes skip the exact count.
        long bound = 3L * fragments.length() + 3L * keyBytes;
        boolean oversized = bound > maxRecordBytes
                && Json.utf8Length(fragments, 0, fragments.length()) + (long) keyBytes > maxRecordBytes;
        return new PreparedChange(change, timestamp(change.commitTime()), fragments.toString(), recordBounds, oldBounds,
                oversized);
    }

    /** The payload with every column, for a table without row level security. */
    public String serialize(RowChange change) {
        return serialize(prepare(change), ColumnMask.all(change.table()), false);
    }

    /**
     * Writes the {@code data} object of a prepared change for one group of subscribers.
     *
     * @param change      the prepared change
     * @param visible     the columns the subscribers may see; must be built for the change's table shape
     * @param rowSecurity whether the table has row level security enabled: a DELETE's old record is
     *                    then reduced to the primary key, since no policy can be checked on a
     *                    deleted row
     * @throws IllegalArgumentException if the mask was built for another table shape
     */
    public String serialize(PreparedChange change, ColumnMask visible, boolean rowSecurity) {
        RowChange row = change.change();
        TableInfo table = row.table();
        if (visible.table() != table) {
            throw new IllegalArgumentException("column mask built for " + visible.table() + ", change is for " + table);
        }
        ChangeType type = row.type();
        StringBuilder out = new StringBuilder(change.fragments().length() + 64 + table.size() * 48);
        out.append("{\"schema\":").append(table.schemaJson()).append(",\"table\":").append(table.tableJson());
        if (type != ChangeType.DELETE) {
            String error = null;
            if (!table.hasPrimaryKey()) {
                error = NO_PRIMARY_KEY;
            } else if (!primaryKeyVisible(table, visible)) {
                error = UNAUTHORIZED;
            }
            if (error != null) {
                out.append(",\"commit_timestamp\":null,\"type\":\"").append(type.name()).append("\",\"columns\":[]");
                out.append(",\"record\":{}");
                if (type == ChangeType.UPDATE) {
                    out.append(",\"old_record\":{}");
                }
                return out.append(",\"errors\":[\"").append(error).append("\"]}").toString();
            }
        }
        out.append(",\"commit_timestamp\":\"").append(change.commitTimestamp()).append("\",\"type\":\"")
                .append(type.name()).append("\",\"columns\":[");
        boolean first = true;
        for (int i = 0; i < table.size(); i++) {
            if (visible.contains(i)) {
                out.append(first ? "" : ",").append(table.columnJson(i));
                first = false;
            }
        }
        out.append(']');
        if (type != ChangeType.DELETE) {
            out.append(",\"record\":");
            appendObject(out, change, change.recordBounds(), visible, false);
        }
        if (type != ChangeType.INSERT) {
            out.append(",\"old_record\":");
            appendObject(out, change, change.oldBounds(), visible, rowSecurity && type == ChangeType.DELETE);
        }
        out.append(",\"errors\":");
        out.append(change.oversized() ? "[\"" + PAYLOAD_TOO_LARGE + "\"]" : "null");
        return out.append('}').toString();
    }

    private static void appendObject(StringBuilder out, PreparedChange change, int[] bounds, ColumnMask visible,
                                     boolean primaryKeyOnly) {
        TableInfo table = change.change().table();
        String fragments = change.fragments();
        out.append('{');
        boolean first = true;
        for (int position = 0; position < table.size(); position++) {
            int i = table.jsonbKeyOrder(position);
            int start = bounds[2 * i];
            if (start < 0 || !visible.contains(i) || (primaryKeyOnly && !table.column(i).primaryKey())) {
                continue;
            }
            int end = bounds[2 * i + 1];
            if (change.oversized() && Json.utf8Length(fragments, start, end) > OVERSIZED_FIELD_MAX_BYTES) {
                continue;
            }
            out.append(first ? "" : ",").append(table.keyJson(i)).append(fragments, start, end);
            first = false;
        }
        out.append('}');
    }

    private static boolean primaryKeyVisible(TableInfo table, ColumnMask visible) {
        for (int i = 0; i < table.size(); i++) {
            if (table.column(i).primaryKey() && !visible.contains(i)) {
                return false;
            }
        }
        return true;
    }

    private String timestamp(long commitTime) {
        CachedTimestamp cached = lastTimestamp;
        if (cached.commitTime() != commitTime) {
            cached = new CachedTimestamp(commitTime, commitTimestamp(commitTime));
            lastTimestamp = cached;
        }
        return cached.formatted();
    }
}
