package io.mudrock.realtime.protocol;

import static io.mudrock.realtime.protocol.Frames.bytes;
import static io.mudrock.realtime.protocol.Frames.decoded;
import static io.mudrock.realtime.protocol.Frames.kind3;
import static io.mudrock.realtime.protocol.Frames.text;
import static io.mudrock.realtime.protocol.Frames.toArray;
import static java.nio.charset.StandardCharsets.UTF_8;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import java.nio.ByteBuffer;
import java.util.Random;
import org.junit.jupiter.api.Test;

class FrameEncoderTest {

    private static final String ROOM = "realtime:room1";

    private static JsonNode json(String text) throws Exception {
        return JsonText.MAPPER.readTree(text);
    }

    private static UserBroadcast decodeKind3(byte[] frame) {
        return decoded(FrameDecoder.decodeBinary(Serializer.V2, ByteBuffer.wrap(frame))).userBroadcast().orElseThrow();
    }

    // ---- replies, pushes, close (Appendix A and §2) ----

    @Test
    void joinReplyV2() throws Exception {
        OutboundFrame frame = FrameEncoder.reply(Serializer.V2, "1", "1", ROOM, FrameEncoder.ReplyStatus.OK,
                json("{\"postgres_changes\":[{\"event\":\"INSERT\",\"schema\":\"public\",\"table\":\"todos\","
                        + "\"id\":31328547}]}"));
        assertEquals("[\"1\",\"1\",\"realtime:room1\",\"phx_reply\",{\"status\":\"ok\",\"response\":"
                + "{\"postgres_changes\":[{\"event\":\"INSERT\",\"schema\":\"public\",\"table\":\"todos\","
                + "\"id\":31328547}]}}]", text(frame));
    }

    @Test
    void heartbeatReply() {
        assertEquals("[null,\"2\",\"phoenix\",\"phx_reply\",{\"status\":\"ok\",\"response\":{}}]",
                text(FrameEncoder.reply(Serializer.V2, null, "2", "phoenix", FrameEncoder.ReplyStatus.OK)));
        assertEquals("{\"topic\":\"phoenix\",\"event\":\"phx_reply\",\"payload\":{\"status\":\"ok\",\"response\":{}},"
                + "\"ref\":\"2\"}",
                text(FrameEncoder.reply(Serializer.V1, null, "2", "phoenix", FrameEncoder.ReplyStatus.OK)));
    }

    @Test
    void errorReplyV1DropsJoinRef() throws Exception {
        assertEquals("{\"topic\":\"realtime:room1\",\"event\":\"phx_reply\",\"payload\":{\"status\":\"error\","
                + "\"response\":{\"reason\":\"unmatched topic\"}},\"ref\":\"9\"}",
                text(FrameEncoder.reply(Serializer.V1, "3", "9", ROOM, FrameEncoder.ReplyStatus.ERROR,
                        json("{\"reason\":\"unmatched topic\"}"))));
    }

    @Test
    void channelPushes() throws Exception {
        assertEquals("[\"1\",null,\"realtime:room1\",\"presence_state\",{}]",
                text(FrameEncoder.push(Serializer.V2, "1", ROOM, "presence_state", json("{}"))));
        JsonNode system = json("{\"extension\":\"postgres_changes\",\"status\":\"ok\","
                + "\"message\":\"Subscribed to PostgreSQL\",\"channel\":\"room1\"}");
        assertEquals("[\"1\",null,\"realtime:room1\",\"system\",{\"extension\":\"postgres_changes\",\"status\":\"ok\","
                + "\"message\":\"Subscribed to PostgreSQL\",\"channel\":\"room1\"}]",
                text(FrameEncoder.push(Serializer.V2, "1", ROOM, "system", system)));
        assertEquals("{\"topic\":\"realtime:room1\",\"event\":\"system\",\"payload\":{\"extension\":\"postgres_changes\","
                + "\"status\":\"ok\",\"message\":\"Subscribed to PostgreSQL\",\"channel\":\"room1\"},\"ref\":null}",
                text(FrameEncoder.push(Serializer.V1, "1", ROOM, "system", system)));
    }

    @Test
    void closeAndErrorCarryJoinRefAsRef() {
        assertEquals("[\"1\",\"1\",\"realtime:room1\",\"phx_close\",{}]",
                text(FrameEncoder.phxClose(Serializer.V2, "1", ROOM)));
        assertEquals("[\"5\",\"5\",\"realtime:room1\",\"phx_error\",{}]",
                text(FrameEncoder.phxError(Serializer.V2, "5", ROOM)));
        assertEquals("{\"topic\":\"realtime:room1\",\"event\":\"phx_close\",\"payload\":{},\"ref\":\"1\"}",
                text(FrameEncoder.phxClose(Serializer.V1, "1", ROOM)));
        assertEquals("{\"topic\":\"realtime:room1\",\"event\":\"phx_error\",\"payload\":{},\"ref\":\"5\"}",
                text(FrameEncoder.phxError(Serializer.V1, "5", ROOM)));
    }

    @Test
    void namesAreEscaped() throws Exception {
        String topic = "realtime:a\"b\\c\nd-é";
        String frame = text(FrameEncoder.push(Serializer.V2, "1", topic, "ev\u0001", json("{}")));
        assertEquals("[\"1\",null,\"realtime:a\\\"b\\\\c\\u000ad-é\",\"ev\\u0001\",{}]", frame);
        InboundMessage back = decoded(FrameDecoder.decodeText(Serializer.V2, frame));
        assertEquals(topic, back.topic());
    }

    @Test
    void presenceDiffFanOut() throws Exception {
        FanOutFrames frames = FrameEncoder.fanOut(ROOM, "presence_diff",
                json("{\"joins\":{\"k\":{\"metas\":[{\"phx_ref\":\"GHlE\",\"user\":\"a\"}]}},\"leaves\":{}}"));
        assertEquals("[null,null,\"realtime:room1\",\"presence_diff\",{\"joins\":{\"k\":{\"metas\":"
                + "[{\"phx_ref\":\"GHlE\",\"user\":\"a\"}]}},\"leaves\":{}}]", text(frames.frameFor(Serializer.V2).orElseThrow()));
        assertEquals("{\"topic\":\"realtime:room1\",\"event\":\"presence_diff\",\"payload\":{\"joins\":{\"k\":{\"metas\":"
                + "[{\"phx_ref\":\"GHlE\",\"user\":\"a\"}]}},\"leaves\":{}},\"ref\":null}",
                text(frames.frameFor(Serializer.V1).orElseThrow()));
    }

    // ---- postgres_changes ----

    @Test
    void postgresChangesEnvelope() {
        String data = "{\"schema\":\"public\",\"table\":\"todos\",\"commit_timestamp\":\"2026-08-21T10:00:00.123Z\","
                + "\"type\":\"INSERT\",\"columns\":[{\"name\":\"id\",\"type\":\"int8\"}],\"record\":{\"id\":1,"
                + "\"task\":\"a\"},\"errors\":null}";
        FanOutFrames frames = FrameEncoder.postgresChanges(ROOM, new long[] {31328547, 2}, data);
        assertEquals("[null,null,\"realtime:room1\",\"postgres_changes\",{\"ids\":[31328547,2],\"data\":" + data + "}]",
                text(frames.frameFor(Serializer.V2).orElseThrow()));
        assertEquals("{\"topic\":\"realtime:room1\",\"event\":\"postgres_changes\",\"payload\":{\"ids\":[31328547,2],"
                + "\"data\":" + data + "},\"ref\":null}", text(frames.frameFor(Serializer.V1).orElseThrow()));
    }

    @Test
    void postgresChangesCopiesIds() {
        long[] ids = {1};
        FanOutFrames frames = FrameEncoder.postgresChanges(ROOM, ids, "{}");
        ids[0] = 99;
        assertEquals("[null,null,\"realtime:room1\",\"postgres_changes\",{\"ids\":[1],\"data\":{}}]",
                text(frames.frameFor(Serializer.V2).orElseThrow()));
    }

    // ---- user broadcasts ----

    @Test
    void appendixAKind3BecomesKind4() {
        UserBroadcast b = decodeKind3(FrameDecoderTest.APPENDIX_A_KIND_3);
        FanOutFrames frames = FrameEncoder.broadcast(ROOM, b);
        assertArrayEquals(bytes(4, 0x0e, 5, 0, 1, "realtime:room1", "hello", "{\"x\":1}"),
                toArray(frames.frameFor(Serializer.V2).orElseThrow()));
        assertEquals("{\"topic\":\"realtime:room1\",\"event\":\"broadcast\",\"payload\":{\"event\":\"hello\","
                + "\"payload\":{\"x\":1},\"type\":\"broadcast\"},\"ref\":null}",
                text(frames.frameFor(Serializer.V1).orElseThrow()));
    }

    @Test
    void textBroadcastStaysText() {
        UserBroadcast b = UserBroadcast.textFramed("hello", "{\"x\":1}", null);
        FanOutFrames frames = FrameEncoder.broadcast(ROOM, b);
        assertEquals("[null,null,\"realtime:room1\",\"broadcast\",{\"type\":\"broadcast\",\"event\":\"hello\","
                + "\"payload\":{\"x\":1}}]", text(frames.frameFor(Serializer.V2).orElseThrow()));
        assertEquals("{\"topic\":\"realtime:room1\",\"event\":\"broadcast\",\"payload\":{\"event\":\"hello\","
                + "\"payload\":{\"x\":1},\"type\":\"broadcast\"},\"ref\":null}",
                text(frames.frameFor(Serializer.V1).orElseThrow()));
    }

    @Test
    void metaIsCarriedInEveryForm() {
        String meta = "{\"id\":\"0f8fad5b-d9cb-469f-a165-70867728950e\"}";
        UserBroadcast fromDb = UserBroadcast.binaryFramed("ins", UserBroadcast.Encoding.JSON, "[1]".getBytes(UTF_8), meta);
        FanOutFrames frames = FrameEncoder.broadcast(ROOM, fromDb);
        Frames.Kind4 k4 = Frames.Kind4.parse(toArray(frames.frameFor(Serializer.V2).orElseThrow()));
        assertEquals(ROOM, k4.topic());
        assertEquals("ins", k4.event());
        assertEquals(meta, k4.meta());
        assertEquals(1, k4.encoding());
        assertArrayEquals("[1]".getBytes(UTF_8), k4.payload());
        assertEquals("{\"topic\":\"realtime:room1\",\"event\":\"broadcast\",\"payload\":{\"event\":\"ins\","
                + "\"payload\":[1],\"type\":\"broadcast\",\"meta\":" + meta + "},\"ref\":null}",
                text(frames.frameFor(Serializer.V1).orElseThrow()));

        UserBroadcast rest = UserBroadcast.textFramed("ins", "[1]", meta);
        assertEquals("[null,null,\"realtime:room1\",\"broadcast\",{\"type\":\"broadcast\",\"event\":\"ins\","
                + "\"payload\":[1],\"meta\":" + meta + "}]",
                text(FrameEncoder.broadcast(ROOM, rest).frameFor(Serializer.V2).orElseThrow()));
    }

    @Test
    void multiByteUtf8Kind4UsesByteLengths() {
        String topic = "realtime:café-😀";
        String event = "héllo✓";
        UserBroadcast b = decodeKind3(kind3("1", "2", topic, event, "", 1, "{\"ü\":\"😀\"}".getBytes(UTF_8)));
        byte[] frame = toArray(FrameEncoder.broadcast(topic, b).frameFor(Serializer.V2).orElseThrow());
        assertEquals(topic.getBytes(UTF_8).length, frame[1]);
        assertEquals(event.getBytes(UTF_8).length, frame[2]);
        Frames.Kind4 k4 = Frames.Kind4.parse(frame);
        assertEquals(topic, k4.topic());
        assertEquals(event, k4.event());
        assertEquals("{\"ü\":\"😀\"}", new String(k4.payload(), UTF_8));
    }

    @Test
    void binaryPayloadRoundTripsAndSkipsV1() {
        byte[] raw = new byte[300];
        new Random(3).nextBytes(raw);
        UserBroadcast b = decodeKind3(kind3("1", "2", ROOM, "blob", "", 0, raw));
        FanOutFrames frames = FrameEncoder.broadcast(ROOM, b);
        Frames.Kind4 k4 = Frames.Kind4.parse(toArray(frames.frameFor(Serializer.V2).orElseThrow()));
        assertEquals(0, k4.encoding());
        assertEquals("", k4.meta());
        assertEquals("blob", k4.event());
        assertArrayEquals(raw, k4.payload());
        assertTrue(frames.frameFor(Serializer.V1).isEmpty(), "binary payloads are never given to vsn 1.0.0");
    }

    @Test
    void overlongNamesFallBackToTextForJsonAndDropBinary() {
        String longTopic = "realtime:" + "é".repeat(124); // 9 + 248 = 257 bytes but only 133 chars
        UserBroadcast json = UserBroadcast.binaryFramed("e", UserBroadcast.Encoding.JSON, "1".getBytes(UTF_8), null);
        assertEquals("[null,null,\"" + longTopic + "\",\"broadcast\",{\"type\":\"broadcast\",\"event\":\"e\",\"payload\":1}]",
                text(FrameEncoder.broadcast(longTopic, json).frameFor(Serializer.V2).orElseThrow()));
        UserBroadcast bin = UserBroadcast.binaryFramed("e", UserBroadcast.Encoding.BINARY, new byte[] {1}, null);
        assertTrue(FrameEncoder.broadcast(longTopic, bin).frameFor(Serializer.V2).isEmpty());

        String topic255 = "realtime:" + "x".repeat(246);
        byte[] frame = toArray(FrameEncoder.broadcast(topic255, bin).frameFor(Serializer.V2).orElseThrow());
        assertEquals(255, frame[1] & 0xFF);
    }

    @Test
    void onlyKind4IsEverProduced() {
        Random random = new Random(99);
        for (int i = 0; i < 500; i++) {
            byte[] payload = new byte[random.nextInt(20)];
            random.nextBytes(payload);
            String topic = "realtime:" + "t".repeat(random.nextInt(260));
            String event = "e".repeat(1 + random.nextInt(260));
            UserBroadcast b = UserBroadcast.binaryFramed(event, UserBroadcast.Encoding.BINARY, payload,
                    random.nextBoolean() ? null : "{\"id\":\"" + i + "\"}");
            for (Serializer s : Serializer.values()) {
                FrameEncoder.broadcast(topic, b).frameFor(s).ifPresent(f -> {
                    if (f instanceof OutboundFrame.Binary bin) {
                        assertEquals(4, bin.asByteBuffer().get(0));
                    }
                });
            }
        }
    }

    @Test
    void binaryFramesAreReadOnlyAndIndependentPerSend() {
        OutboundFrame frame = FrameEncoder.broadcast(ROOM, decodeKind3(FrameDecoderTest.APPENDIX_A_KIND_3))
                .frameFor(Serializer.V2).orElseThrow();
        OutboundFrame.Binary bin = (OutboundFrame.Binary) frame;
        ByteBuffer first = bin.asByteBuffer();
        assertTrue(first.isReadOnly());
        first.get(new byte[5]); // a container consuming one send...
        assertEquals(0, bin.asByteBuffer().position()); // ...does not affect the next
        assertEquals(bin.length(), bin.asByteBuffer().remaining());
        assertThrows(java.nio.ReadOnlyBufferException.class, () -> first.put(0, (byte) 9));
    }

    @Test
    void fanOutFramesAreSharedInstances() {
        FanOutFrames frames = FrameEncoder.broadcast(ROOM, UserBroadcast.textFramed("e", "{}", null));
        assertSame(frames.frameFor(Serializer.V2).orElseThrow(), frames.frameFor(Serializer.V2).orElseThrow());
        assertSame(frames.frameFor(Serializer.V1).orElseThrow(), frames.frameFor(Serializer.V1).orElseThrow());
    }
}
