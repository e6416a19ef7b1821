package io.mudrock.realtime.changes;

import io.mudrock.realtime.changes.values.PgTypeRegistry;
import io.mudrock.realtime.changes.pgoutput.ReplicaIdentity;
import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.Set;

import static io.mudrock.realtime.changes.TestTables.COMMIT_TIME;
import static io.mudrock.realtime.changes.TestTables.TOAST;
import static io.mudrock.realtime.changes.TestTables.col;
import static io.mudrock.realtime.changes.TestTables.pk;
import static io.mudrock.realtime.changes.TestTables.table;
import static io.mudrock.realtime.changes.TestTables.tuple;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class ChangePayloadSerializerTest {

    private static final String TS = "\"commit_timestamp\":\"2024-01-01T12:00:00.123Z\"";

    private final TableInfo todos = table("todos", pk("id", PgTypeRegistry.INT8), col("created_at", PgTypeRegistry.TIMESTAMPTZ),
            col("task", PgTypeRegistry.TEXT));
    private final String todoColumns = "\"columns\":[{\"name\":\"id\",\"type\":\"int8\"},{\"name\":\"created_at\",\"type\":\"timestamptz\"},"
            + "{\"name\":\"task\",\"type\":\"text\"}]";
    private final ChangePayloadSerializer serializer = new ChangePayloadSerializer();

    @Test
    void insertHasRecordButNoOldRecord() {
        RowChange insert = new RowChange(todos, ChangeType.INSERT, COMMIT_TIME, tuple("46", "2025-11-03 09:32:55+00", "content"), null, false);
        assertEquals("{\"schema\":\"public\",\"table\":\"todos\"," + TS + ",\"type\":\"INSERT\"," + todoColumns
                + ",\"record\":{\"id\":46,\"task\":\"content\",\"created_at\":\"2025-11-03T09:32:55+00:00\"},\"errors\":null}",
                serializer.serialize(insert));
    }

    @Test
    void updateHasRecordAndOldRecordWithTheKeyFromTheNewRow() {
        RowChange update = new RowChange(todos, ChangeType.UPDATE, COMMIT_TIME, tuple("46", null, "content"), null, false);
        assertEquals("{\"schema\":\"public\",\"table\":\"todos\"," + TS + ",\"type\":\"UPDATE\"," + todoColumns
                + ",\"record\":{\"id\":46,\"task\":\"content\",\"created_at\":null},\"old_record\":{\"id\":46},\"errors\":null}",
                serializer.serialize(update));
        RowChange keyChanged = new RowChange(todos, ChangeType.UPDATE, COMMIT_TIME, tuple("47", null, "content"),
                tuple("46", null, null), true);
        assertTrue(serializer.serialize(keyChanged).contains(",\"old_record\":{\"id\":46},"));
    }

    @Test
    void deleteHasOldRecordButNoRecord() {
        RowChange delete = new RowChange(todos, ChangeType.DELETE, COMMIT_TIME, null, tuple("46", null, null), true);
        assertEquals("{\"schema\":\"public\",\"table\":\"todos\"," + TS + ",\"type\":\"DELETE\"," + todoColumns
                + ",\"old_record\":{\"id\":46},\"errors\":null}", serializer.serialize(delete));
    }

    @Test
    void replicaIdentityFullGivesWholeOldRowsExceptDeletesUnderRowLevelSecurity() {
        TableInfo full = table("todos", ReplicaIdentity.FULL, pk("id", PgTypeRegistry.INT8),
                col("created_at", PgTypeRegistry.TIMESTAMPTZ), col("task", PgTypeRegistry.TEXT));
        RowChange update = new RowChange(full, ChangeType.UPDATE, COMMIT_TIME, tuple("1", null, "new"), tuple("1", null, "old"), false);
        String json = serializer.serialize(serializer.prepare(update), ColumnMask.all(full), true);
        assertTrue(json.contains("\"old_record\":{\"id\":1,\"task\":\"old\",\"created_at\":null}"), json);
        RowChange delete = new RowChange(full, ChangeType.DELETE, COMMIT_TIME, null, tuple("1", null, "old"), false);
        PreparedChange prepared = serializer.prepare(delete);
        assertTrue(serializer.serialize(prepared, ColumnMask.all(full), false)
                .contains("\"old_record\":{\"id\":1,\"task\":\"old\",\"created_at\":null}"));
        assertTrue(serializer.serialize(prepared, ColumnMask.all(full), true).contains("\"old_record\":{\"id\":1},"));
    }

    @Test
    void replicaIdentityNothingGivesEmptyOldRecords() {
        TableInfo nothing = table("todos", ReplicaIdentity.NOTHING, pk("id", PgTypeRegistry.INT8), col("task", PgTypeRegistry.TEXT));
        RowChange update = new RowChange(nothing, ChangeType.UPDATE, COMMIT_TIME, tuple("1", "x"), null, false);
        assertTrue(serializer.serialize(update).endsWith("\"record\":{\"id\":1,\"task\":\"x\"},\"old_record\":{},\"errors\":null}"));
    }

    @Test
    void unchangedToastIsOmittedUnlessTheOldRowHasIt() {
        RowChange keyed = new RowChange(todos, ChangeType.UPDATE, COMMIT_TIME, tuple("1", null, TOAST), null, false);
        assertTrue(serializer.serialize(keyed).contains("\"record\":{\"id\":1,\"created_at\":null},"));
        TableInfo full = table("todos", ReplicaIdentity.FULL, pk("id", PgTypeRegistry.INT8),
                col("created_at", PgTypeRegistry.TIMESTAMPTZ), col("task", PgTypeRegistry.TEXT));
        RowChange withOld = new RowChange(full, ChangeType.UPDATE, COMMIT_TIME, tuple("1", null, TOAST), tuple("1", null, "long"), false);
        assertTrue(serializer.serialize(withOld).contains("\"record\":{\"id\":1,\"task\":\"long\",\"created_at\":null},"));
    }

    @Test
    void tableWithoutPrimaryKeyGivesError400ForInsertAndUpdateOnly() {
        TableInfo noPk = table("logs", ReplicaIdentity.FULL, col("line", PgTypeRegistry.TEXT));
        RowChange insert = new RowChange(noPk, ChangeType.INSERT, COMMIT_TIME, tuple("x"), null, false);
        assertEquals("{\"schema\":\"public\",\"table\":\"logs\",\"commit_timestamp\":null,\"type\":\"INSERT\",\"columns\":[],"
                + "\"record\":{},\"errors\":[\"Error 400: Bad Request, no primary key\"]}", serializer.serialize(insert));
        RowChange update = new RowChange(noPk, ChangeType.UPDATE, COMMIT_TIME, tuple("y"), tuple("x"), false);
        assertEquals("{\"schema\":\"public\",\"table\":\"logs\",\"commit_timestamp\":null,\"type\":\"UPDATE\",\"columns\":[],"
                + "\"record\":{},\"old_record\":{},\"errors\":[\"Error 400: Bad Request, no primary key\"]}", serializer.serialize(update));
        RowChange delete = new RowChange(noPk, ChangeType.DELETE, COMMIT_TIME, null, tuple("x"), false);
        assertEquals("{\"schema\":\"public\",\"table\":\"logs\"," + TS + ",\"type\":\"DELETE\",\"columns\":[{\"name\":\"line\",\"type\":\"text\"}],"
                + "\"old_record\":{\"line\":\"x\"},\"errors\":null}", serializer.serialize(delete));
    }

    @Test
    void columnMasksApplyPrivilegesAndSelectButKeepThePrimaryKey() {
        RowChange insert = new RowChange(todos, ChangeType.INSERT, COMMIT_TIME, tuple("46", "2025-11-03 09:32:55+00", "content"), null, false);
        PreparedChange prepared = serializer.prepare(insert);
        ColumnMask selected = ColumnMask.of(todos, c -> true, List.of("task"));
        assertEquals("{\"schema\":\"public\",\"table\":\"todos\"," + TS + ",\"type\":\"INSERT\","
                + "\"columns\":[{\"name\":\"id\",\"type\":\"int8\"},{\"name\":\"task\",\"type\":\"text\"}],"
                + "\"record\":{\"id\":46,\"task\":\"content\"},\"errors\":null}", serializer.serialize(prepared, selected, false));
        ColumnMask noTask = ColumnMask.of(todos, c -> !c.name().equals("task"), null);
        assertTrue(serializer.serialize(prepared, noTask, false).contains("\"record\":{\"id\":46,\"created_at\":"));
        ColumnMask noKey = ColumnMask.of(todos, c -> !c.primaryKey(), null);
        assertEquals("{\"schema\":\"public\",\"table\":\"todos\",\"commit_timestamp\":null,\"type\":\"INSERT\",\"columns\":[],"
                + "\"record\":{},\"errors\":[\"Error 401: Unauthorized\"]}", serializer.serialize(prepared, noKey, false));
        RowChange delete = new RowChange(todos, ChangeType.DELETE, COMMIT_TIME, null, tuple("46", null, null), true);
        assertFalse(serializer.serialize(serializer.prepare(delete), noKey, false).contains("Error 401"),
                "upstream reports 401 only for INSERT and UPDATE");
        TableInfo reshaped = table("todos", pk("id", PgTypeRegistry.INT8));
        assertThrows(IllegalArgumentException.class, () -> serializer.serialize(prepared, ColumnMask.all(reshaped), false));
    }

    @Test
    void oversizedChangesKeepOnlyFieldsOfAtMost64BytesAndReport413() {
        TableInfo docs = table("docs", pk("id", PgTypeRegistry.INT4), col("a", PgTypeRegistry.TEXT), col("b", PgTypeRegistry.TEXT),
                col("body", PgTypeRegistry.TEXT));
        String exactly64 = "é".repeat(31); // 62 bytes + 2 quotes
        String just65 = "x".repeat(63);
        String body = "y".repeat(ChangePayloadSerializer.DEFAULT_MAX_RECORD_BYTES);
        RowChange insert = new RowChange(docs, ChangeType.INSERT, COMMIT_TIME, tuple("1", exactly64, just65, body), null, false);
        PreparedChange prepared = serializer.prepare(insert);
        assertTrue(prepared.oversized());
        assertEquals("{\"schema\":\"public\",\"table\":\"docs\"," + TS + ",\"type\":\"INSERT\",\"columns\":[{\"name\":\"id\",\"type\":\"int4\"},"
                + "{\"name\":\"a\",\"type\":\"text\"},{\"name\":\"b\",\"type\":\"text\"},{\"name\":\"body\",\"type\":\"text\"}],"
                + "\"record\":{\"a\":\"" + exactly64 + "\",\"id\":1},\"errors\":[\"Error 413: Payload Too Large\"]}",
                serializer.serialize(prepared, ColumnMask.all(docs), false));

        RowChange small = new RowChange(docs, ChangeType.INSERT, COMMIT_TIME, tuple("1", exactly64, just65, "y".repeat(1000)), null, false);
        assertFalse(serializer.prepare(small).oversized());
        assertTrue(new ChangePayloadSerializer(1000).prepare(small).oversized(), "the limit is configurable per tenant");
    }

    @Test
    void sizeLimitCountsUtf8BytesOfNewAndOldValues() {
        TableInfo docs = table("docs", ReplicaIdentity.FULL, pk("id", PgTypeRegistry.INT4), col("body", PgTypeRegistry.TEXT));
        String half = "é".repeat(300); // 600 bytes as UTF-8
        ChangePayloadSerializer limited = new ChangePayloadSerializer(1200);
        assertFalse(limited.prepare(new RowChange(docs, ChangeType.INSERT, COMMIT_TIME, tuple("1", half), null, false)).oversized());
        PreparedChange update = limited.prepare(new RowChange(docs, ChangeType.UPDATE, COMMIT_TIME, tuple("1", half), tuple("1", half), false));
        assertTrue(update.oversized());
        assertTrue(limited.serialize(update, ColumnMask.all(docs), false)
                .endsWith("\"record\":{\"id\":1},\"old_record\":{\"id\":1},\"errors\":[\"Error 413: Payload Too Large\"]}"));
    }

    @Test
    void commitTimestampIsUtcMillisecondsTruncated() {
        assertEquals("2024-01-01T12:00:00.123Z", ChangePayloadSerializer.commitTimestamp(COMMIT_TIME));
        assertEquals("2000-01-01T00:00:00.000Z", ChangePayloadSerializer.commitTimestamp(0));
        assertEquals("1999-12-31T23:59:59.999Z", ChangePayloadSerializer.commitTimestamp(-1));
    }

    @Test
    void namesAndValuesAreEscaped() {
        TableInfo odd = table("we\"ird", pk("i\\d", PgTypeRegistry.INT4), col("tab\there", PgTypeRegistry.TEXT));
        RowChange insert = new RowChange(odd, ChangeType.INSERT, COMMIT_TIME, tuple("1", "line\nbreak \u0002"), null, false);
        String json = serializer.serialize(insert);
        assertTrue(json.startsWith("{\"schema\":\"public\",\"table\":\"we\\\"ird\","), json);
        assertTrue(json.contains("\"record\":{\"i\\\\d\":1,\"tab\\there\":\"line\\nbreak \\u0002\"}"), json);
        assertEquals(Set.of("schema", "table", "commit_timestamp", "type", "columns", "record", "errors"),
                fieldNames(json));
    }

    private static Set<String> fieldNames(String json) {
        try {
            Set<String> names = new java.util.LinkedHashSet<>();
            new com.fasterxml.jackson.databind.ObjectMapper().readTree(json).fieldNames().forEachRemaining(names::add);
            return names;
        } catch (Exception e) {
            throw new AssertionError(json, e);
        }
    }
}
