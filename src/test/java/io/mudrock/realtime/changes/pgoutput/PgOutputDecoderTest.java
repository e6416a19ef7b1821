package io.mudrock.realtime.changes.pgoutput;

import io.mudrock.realtime.changes.values.PgTypeRegistry;
import io.mudrock.realtime.changes.values.TypeLookup;
import io.mudrock.realtime.changes.ChangeAssembler;
import io.mudrock.realtime.changes.ChangePayloadSerializer;
import io.mudrock.realtime.changes.RelationCache;
import io.mudrock.realtime.changes.RowChange;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Decodes pgoutput bytes captured from PostgreSQL 17 (see the resource's header), no database needed. */
class PgOutputDecoderTest {

    private static final int NOTES_OID = 0x402d;
    private static final int AUDIT_OID = 0x4034;
    private static final int MOOD_OID = 0x4026;

    private static Map<String, byte[]> captured;
    private final PgOutputDecoder decoder = new PgOutputDecoder();

    @BeforeAll
    static void load() throws IOException {
        captured = new LinkedHashMap<>();
        try (InputStream in = PgOutputDecoderTest.class.getResourceAsStream("/changes/pgoutput-v1.hex")) {
            for (String line : new String(in.readAllBytes(), StandardCharsets.UTF_8).split("\n")) {
                if (!line.isBlank() && !line.startsWith("#")) {
                    String[] parts = line.split(" ");
                    captured.put(parts[0], HexFormat.of().parseHex(parts[1]));
                }
            }
        }
    }

    private WalMessage decode(String label) {
        ByteBuffer buffer = ByteBuffer.wrap(captured.get(label));
        WalMessage message = decoder.decode(buffer);
        assertFalse(buffer.hasRemaining(), "decoder consumes the whole message");
        return message;
    }

    @Test
    void beginAndCommit() {
        WalMessage.Begin begin = (WalMessage.Begin) decode("begin");
        assertEquals(new WalMessage.Begin(0x15a8070L, 0x03042dfc140d56L, 0x306), begin);
        WalMessage.Commit commit = (WalMessage.Commit) decode("commit");
        assertEquals(new WalMessage.Commit(0, 0x15a8070L, 0x15a80a0L, 0x03042dfc140d56L), commit);
        // 0x03042dfc140d56 µs after 2000-01-01 is 2026-11-26 15:01:19.343958 UTC; upstream truncates to ms.
        assertEquals("2026-11-26T15:01:19.343Z", ChangePayloadSerializer.commitTimestamp(begin.commitTime()));
    }

    @Test
    void typeAndRelation() {
        assertEquals(new WalMessage.Type(MOOD_OID, "public", "mood"), decode("type_mood"));
        assertEquals(new WalMessage.Relation(NOTES_OID, "public", "notes", ReplicaIdentity.DEFAULT, List.of(
                new WalMessage.Relation.Column(1, "id", 20, -1),
                new WalMessage.Relation.Column(0, "title", 25, -1),
                new WalMessage.Relation.Column(0, "body", 25, -1),
                new WalMessage.Relation.Column(0, "m", MOOD_OID, -1))), decode("relation_notes"));
        assertEquals(new WalMessage.Relation(AUDIT_OID, "public", "audit", ReplicaIdentity.FULL, List.of(
                new WalMessage.Relation.Column(1, "id", 23, -1),
                new WalMessage.Relation.Column(1, "v", 25, -1))), decode("relation_audit_full"));
    }

    @Test
    void insertsKeepUtf8EmptyAndNullValues() {
        WalMessage.Insert insert = (WalMessage.Insert) decode("insert_unicode");
        assertEquals(NOTES_OID, insert.relationOid());
        assertEquals(tuple("1", "héllo ✓", "", "ok"), insert.newTuple());
        WalMessage.Insert toast = (WalMessage.Insert) decode("insert_external_toast");
        assertEquals(tuple("2", null, "x".repeat(3000), null), toast.newTuple());
    }

    @Test
    void updatesWithUnchangedToastKeyAndFullOldRow() {
        WalMessage.Update unchanged = (WalMessage.Update) decode("update_unchanged_toast");
        assertNull(unchanged.oldKey());
        assertNull(unchanged.oldTuple());
        TupleData newTuple = unchanged.newTuple();
        assertEquals("b", newTuple.text(1));
        assertEquals(TupleData.Kind.UNCHANGED_TOAST, newTuple.kind(2));
        assertNull(newTuple.text(2));

        WalMessage.Update keyChanged = (WalMessage.Update) decode("update_key_changed");
        assertEquals(tuple("1", null, null, null), keyChanged.oldKey());
        assertEquals(tuple("3", "héllo ✓", "", "ok"), keyChanged.newTuple());

        WalMessage.Update full = (WalMessage.Update) decode("update_full");
        assertEquals(new WalMessage.Update(AUDIT_OID, null, tuple("1", "x"), tuple("1", "y")), full);
    }

    @Test
    void deletesTruncateAndMessage() {
        assertEquals(new WalMessage.Delete(NOTES_OID, tuple("3", null, null, null), null), decode("delete_key"));
        assertEquals(new WalMessage.Delete(AUDIT_OID, null, tuple("1", "y")), decode("delete_full"));
        assertEquals(new WalMessage.Truncate(List.of(NOTES_OID, AUDIT_OID), false, true), decode("truncate"));
        WalMessage.LogicalMessage message = (WalMessage.LogicalMessage) decode("message");
        assertTrue(message.transactional());
        assertEquals(0x15aab60L, message.lsn());
        assertEquals("pfx", message.prefix());
        assertArrayEquals("hello".getBytes(StandardCharsets.US_ASCII), message.content());
    }

    @Test
    void decodesFromDirectBuffersAndArrayOffsets() {
        byte[] bytes = captured.get("insert_unicode");
        ByteBuffer direct = ByteBuffer.allocateDirect(bytes.length);
        direct.put(bytes).flip();
        assertEquals(decode("insert_unicode"), decoder.decode(direct));

        byte[] padded = new byte[bytes.length + 10];
        System.arraycopy(bytes, 0, padded, 7, bytes.length);
        ByteBuffer slice = ByteBuffer.wrap(padded, 7, bytes.length).slice();
        assertEquals(decode("insert_unicode"), decoder.decode(slice));
    }

    @Test
    void unknownMessageTypesAreReportedNotSkipped() {
        // 'S' = Stream Start, which only protocol 2+ sends.
        PgOutputDecodeException e = assertThrows(PgOutputDecodeException.class,
                () -> decoder.decode(ByteBuffer.wrap(new byte[] {'S', 0, 0, 0, 1, 1})));
        assertEquals('S', e.messageType());
        assertTrue(e.getMessage().contains("unknown pgoutput message type 'S'"), e.getMessage());
        assertEquals(-1, assertThrows(PgOutputDecodeException.class, () -> decoder.decode(ByteBuffer.allocate(0))).messageType());
    }

    @Test
    void malformedMessagesAreRejected() {
        byte[] insert = captured.get("insert_unicode");
        for (int cut : new int[] {1, 5, 8, 12, insert.length - 1}) {
            byte[] truncated = java.util.Arrays.copyOf(insert, cut);
            PgOutputDecodeException e = assertThrows(PgOutputDecodeException.class,
                    () -> decoder.decode(ByteBuffer.wrap(truncated)), "cut at " + cut);
            assertEquals('I', e.messageType());
        }
        byte[] trailing = java.util.Arrays.copyOf(insert, insert.length + 1);
        assertTrue(assertThrows(PgOutputDecodeException.class, () -> decoder.decode(ByteBuffer.wrap(trailing)))
                .getMessage().contains("trailing"));
        byte[] badKind = insert.clone();
        badKind[8] = (byte) 'x'; // kind byte of the first value
        assertTrue(assertThrows(PgOutputDecodeException.class, () -> decoder.decode(ByteBuffer.wrap(badKind)))
                .getMessage().contains("unknown tuple value kind 'x'"));
    }

    @Test
    void capturedStreamBecomesUpstreamPayloadsWithoutADatabase() {
        TypeLookup mood = oid -> oid == MOOD_OID
                ? new TypeLookup.Definition(oid, "public", "mood", 'e', 'E', 0, 0, ',', List.of("sad", "ok", "happy"), List.of())
                : null;
        PgTypeRegistry types = new PgTypeRegistry(mood);
        ChangeAssembler assembler = new ChangeAssembler(types, new RelationCache(types, oid -> Set.of()));
        ChangePayloadSerializer serializer = new ChangePayloadSerializer();
        List<String> payloads = new java.util.ArrayList<>();
        for (String label : List.of("begin", "type_mood", "relation_notes", "insert_unicode", "update_unchanged_toast",
                "update_key_changed", "delete_key", "relation_audit_full", "update_full", "delete_full", "truncate", "commit")) {
            RowChange change = assembler.accept(decode(label));
            if (change != null) {
                payloads.add(serializer.serialize(change));
            }
        }
        String head = "{\"schema\":\"public\",\"table\":\"notes\",\"commit_timestamp\":\"2026-11-26T15:01:19.343Z\",";
        String columns = "\"columns\":[{\"name\":\"id\",\"type\":\"int8\"},{\"name\":\"title\",\"type\":\"text\"},"
                + "{\"name\":\"body\",\"type\":\"text\"},{\"name\":\"m\",\"type\":\"mood\"}]";
        assertEquals(List.of(
                head + "\"type\":\"INSERT\"," + columns + ",\"record\":{\"m\":\"ok\",\"id\":1,\"body\":\"\",\"title\":\"héllo ✓\"},\"errors\":null}",
                head + "\"type\":\"UPDATE\"," + columns + ",\"record\":{\"m\":null,\"id\":2,\"title\":\"b\"},\"old_record\":{\"id\":2},\"errors\":null}",
                head + "\"type\":\"UPDATE\"," + columns + ",\"record\":{\"m\":\"ok\",\"id\":3,\"body\":\"\",\"title\":\"héllo ✓\"},\"old_record\":{\"id\":1},\"errors\":null}",
                head + "\"type\":\"DELETE\"," + columns + ",\"old_record\":{\"id\":3},\"errors\":null}",
                "{\"schema\":\"public\",\"table\":\"audit\",\"commit_timestamp\":null,\"type\":\"UPDATE\",\"columns\":[],"
                        + "\"record\":{},\"old_record\":{},\"errors\":[\"Error 400: Bad Request, no primary key\"]}",
                "{\"schema\":\"public\",\"table\":\"audit\",\"commit_timestamp\":\"2026-11-26T15:01:19.343Z\",\"type\":\"DELETE\","
                        + "\"columns\":[{\"name\":\"id\",\"type\":\"int4\"},{\"name\":\"v\",\"type\":\"text\"}],"
                        + "\"old_record\":{\"v\":\"y\",\"id\":1},\"errors\":null}"), payloads);
    }

    private static TupleData tuple(String... values) {
        TupleData.Builder builder = TupleData.builder(values.length);
        for (int i = 0; i < values.length; i++) {
            if (values[i] == null) {
                builder.nullValue(i);
            } else {
                builder.text(i, values[i]);
            }
        }
        return builder.build();
    }
}
