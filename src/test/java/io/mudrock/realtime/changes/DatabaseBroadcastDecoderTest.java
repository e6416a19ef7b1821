package io.mudrock.realtime.changes;

import io.mudrock.realtime.changes.pgoutput.ReplicaIdentity;
import io.mudrock.realtime.changes.pgoutput.TupleData;
import io.mudrock.realtime.changes.pgoutput.WalMessage;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import org.junit.jupiter.api.Test;

class DatabaseBroadcastDecoderTest {

    private static final List<String> COLUMNS = List.of("topic", "extension", "payload", "event", "private",
            "updated_at", "inserted_at", "id", "binary_payload");

    private static WalMessage.Relation relation(int oid, String schema, String name) {
        return new WalMessage.Relation(oid, schema, name, ReplicaIdentity.DEFAULT,
                COLUMNS.stream().map(c -> new WalMessage.Relation.Column(0, c, 25, -1)).toList());
    }

    private static TupleData row(String topic, String payload, String event, String privateFlag, String id,
                                 String binary) {
        String[] values = {topic, "broadcast", payload, event, privateFlag, "2026-12-03 10:00:00",
                "2026-12-03 10:00:00", id, binary};
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

    @Test
    void readsAJsonSendFromAPartition() {
        DatabaseBroadcastDecoder decoder = new DatabaseBroadcastDecoder();
        assertTrue(decoder.relation(relation(10, "realtime", "messages_2026_12_03")));
        DatabaseBroadcast message = decoder.insert(new WalMessage.Insert(10,
                row("room-1", "{\"text\":\"grüß\"}", "hello", "f", "a0eebc99-9c0b-4ef8-bb6d-6bb9bd380a11", null)))
                .orElseThrow();
        assertEquals("room-1", message.topic());
        assertEquals("hello", message.event());
        assertFalse(message.privateMessage());
        assertEquals("{\"text\":\"grüß\"}", message.payloadJson());
        assertNull(message.binaryPayload());
        assertEquals("a0eebc99-9c0b-4ef8-bb6d-6bb9bd380a11", message.id());
    }

    @Test
    void readsABinarySendInHexForm() {
        DatabaseBroadcastDecoder decoder = new DatabaseBroadcastDecoder();
        decoder.relation(relation(11, "realtime", "messages"));
        DatabaseBroadcast message = decoder.insert(new WalMessage.Insert(11,
                row("t", null, "bin", "t", "id-1", "\\x00ff10"))).orElseThrow();
        assertTrue(message.privateMessage());
        assertNull(message.payloadJson());
        assertArrayEquals(new byte[] {0, (byte) 0xff, 0x10}, message.binaryPayload());
    }

    @Test
    void ignoresOtherTablesAndIncompleteRows() {
        DatabaseBroadcastDecoder decoder = new DatabaseBroadcastDecoder();
        assertFalse(decoder.relation(relation(12, "public", "messages")));
        assertTrue(decoder.insert(new WalMessage.Insert(12, row("t", "{}", "e", "f", "id", null))).isEmpty());
        assertTrue(decoder.insert(new WalMessage.Insert(99, row("t", "{}", "e", "f", "id", null))).isEmpty(),
                "unknown relation");
        decoder.relation(relation(13, "realtime", "messages_default"));
        assertTrue(decoder.insert(new WalMessage.Insert(13, row("t", null, "e", "f", "id", null))).isEmpty(),
                "no payload: a private-channel probe row");
        assertTrue(decoder.insert(new WalMessage.Insert(13, row("t", "{}", null, "f", "id", null))).isEmpty(),
                "no event");
    }

    @Test
    void aRelationThatStopsBeingMessagesIsForgotten() {
        DatabaseBroadcastDecoder decoder = new DatabaseBroadcastDecoder();
        decoder.relation(relation(14, "realtime", "messages_2026_12_03"));
        decoder.relation(relation(14, "realtime", "archive"));
        assertTrue(decoder.insert(new WalMessage.Insert(14, row("t", "{}", "e", "f", "id", null))).isEmpty());
    }

    @Test
    void refusesABinaryValueThatIsNotHex() {
        DatabaseBroadcastDecoder decoder = new DatabaseBroadcastDecoder();
        decoder.relation(relation(15, "realtime", "messages"));
        assertThrows(IllegalArgumentException.class, () -> decoder.insert(new WalMessage.Insert(15,
                row("t", null, "e", "f", "id", "escape\\000"))));
    }
}
