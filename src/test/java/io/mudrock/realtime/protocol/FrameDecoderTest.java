package io.mudrock.realtime.protocol;

import static io.mudrock.realtime.protocol.Frames.bytes;
import static io.mudrock.realtime.protocol.Frames.decoded;
import static io.mudrock.realtime.protocol.Frames.kind3;
import static io.mudrock.realtime.protocol.Frames.reason;
import static java.nio.charset.StandardCharsets.UTF_8;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import java.nio.ByteBuffer;
import java.util.HashSet;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

class FrameDecoderTest {

    /** Appendix A: {@code 03 01 01 0e 05 00 01 "1" "4" "realtime:room1" "hello" {"x":1}}. */
    static final byte[] APPENDIX_A_KIND_3 =
            bytes(3, 1, 1, 0x0e, 5, 0, 1, "1", "4", "realtime:room1", "hello", "{\"x\":1}");

    private static JsonNode json(String text) throws Exception {
        return JsonText.MAPPER.readTree(text);
    }

    // ---- vsn 2.0.0 text ----

    @Test
    void v2JoinFromAppendixA() throws Exception {
        String frame = "[\"1\",\"1\",\"realtime:room1\",\"phx_join\",{\"config\":{\"private\":false},"
                + "\"access_token\":\"t\"}]";
        InboundMessage m = decoded(FrameDecoder.decodeText(Serializer.V2, frame));
        assertEquals("1", m.joinRef());
        assertEquals("1", m.ref());
        assertEquals("realtime:room1", m.topic());
        assertEquals("phx_join", m.event());
        assertEquals(json("{\"config\":{\"private\":false},\"access_token\":\"t\"}"), m.json());
        assertTrue(m.userBroadcast().isEmpty());
    }

    @Test
    void v2HeartbeatWithNullJoinRef() throws Exception {
        InboundMessage m = decoded(FrameDecoder.decodeText(Serializer.V2, "[null,\"2\",\"phoenix\",\"heartbeat\",{}]"));
        assertNull(m.joinRef());
        assertEquals("2", m.ref());
        assertEquals("phoenix", m.topic());
        assertEquals(json("{}"), m.json());
    }

    @Test
    void v2NumericRefsBecomeStringsAndExtraElementsAreIgnored() {
        InboundMessage m = decoded(FrameDecoder.decodeText(Serializer.V2, "[7,12,\"t\",\"e\",null,\"extra\"]"));
        assertEquals("7", m.joinRef());
        assertEquals("12", m.ref());
        assertTrue(m.json().isNull());
    }

    @Test
    void v2TextBroadcastGivesAUserBroadcast() {
        InboundMessage m = decoded(FrameDecoder.decodeText(Serializer.V2,
                "[\"1\",\"3\",\"realtime:room1\",\"broadcast\",{\"type\":\"broadcast\",\"event\":\"hello\","
                        + "\"payload\":{\"x\":1}}]"));
        UserBroadcast b = m.userBroadcast().orElseThrow();
        assertEquals(UserBroadcast.textFramed("hello", "{\"x\":1}", null), b);
    }

    @ParameterizedTest
    @CsvSource(delimiter = '|', value = {
        "{\"topic\":\"t\"}|expected a JSON array of at least 5 elements, got object",
        "[\"1\",\"2\",\"t\",\"e\"]|expected a JSON array of at least 5 elements, got an array of 4 elements",
        "\"hello\"|expected a JSON array of at least 5 elements, got string",
        "[null,null,7,\"e\",{}]|topic must be a string, got number",
        "[null,null,null,\"e\",{}]|topic must be a string, got null",
        "[null,null,\"t\",[],{}]|event must be a string, got an array of 0 elements",
        "[true,null,\"t\",\"e\",{}]|join_ref must be a string or null, got boolean",
        "[null,{},\"t\",\"e\",{}]|ref must be a string or null, got object",
    })
    void v2MalformedReasons(String frame, String reason) {
        assertEquals(reason, reason(FrameDecoder.decodeText(Serializer.V2, frame)));
    }

    @ParameterizedTest
    @ValueSource(strings = {"", "   ", "[", "[null,null,\"t\",\"e\",{}] []", "{\"a\":1", "nope", "[1,2,3,4,5]x"})
    void invalidJsonIsMalformed(String frame) {
        for (Serializer s : Serializer.values()) {
            String reason = reason(FrameDecoder.decodeText(s, frame));
            assertFalse(reason.isBlank());
        }
    }

    @Test
    void invalidJsonReasonNamesTheProblem() {
        assertTrue(reason(FrameDecoder.decodeText(Serializer.V2, "[1,")).startsWith("invalid JSON: "));
    }

    @Test
    void missingTextIsMalformed() {
        assertEquals("missing frame text", reason(FrameDecoder.decodeText(Serializer.V1, null)));
    }

    // ---- vsn 1.0.0 text ----

    @Test
    void v1ObjectWithAndWithoutJoinRef() throws Exception {
        InboundMessage m = decoded(FrameDecoder.decodeText(Serializer.V1,
                "{\"topic\":\"realtime:room1\",\"event\":\"phx_join\",\"payload\":{\"config\":{}},\"ref\":\"1\","
                        + "\"join_ref\":\"1\"}"));
        assertEquals(new InboundMessage("1", "1", "realtime:room1", "phx_join",
                new InboundPayload.Json(json("{\"config\":{}}"))), m);

        InboundMessage noJoinRef = decoded(FrameDecoder.decodeText(Serializer.V1,
                "{\"topic\":\"phoenix\",\"event\":\"heartbeat\",\"payload\":{},\"ref\":null}"));
        assertNull(noJoinRef.joinRef());
        assertNull(noJoinRef.ref());
    }

    @Test
    void v1TextBroadcastGivesAUserBroadcast() {
        InboundMessage m = decoded(FrameDecoder.decodeText(Serializer.V1,
                "{\"topic\":\"realtime:r\",\"event\":\"broadcast\",\"ref\":\"5\",\"payload\":"
                        + "{\"type\":\"broadcast\",\"event\":\"cursor\",\"payload\":{\"x\":[1,2]},\"meta\":{\"id\":\"x\"}}}"));
        // The client cannot set meta: it is not forwarded.
        assertEquals(UserBroadcast.textFramed("cursor", "{\"x\":[1,2]}", null), m.userBroadcast().orElseThrow());
    }

    @ParameterizedTest
    @CsvSource(delimiter = '|', value = {
        "[null,\"1\",\"t\",\"e\",{}]|expected a JSON object with keys topic, event, payload and ref, got an array of 5 elements",
        "{\"event\":\"e\",\"payload\":{},\"ref\":null}|missing key \"topic\"",
        "{\"topic\":\"t\",\"payload\":{},\"ref\":null}|missing key \"event\"",
        "{\"topic\":\"t\",\"event\":\"e\",\"ref\":null}|missing key \"payload\"",
        "{\"topic\":\"t\",\"event\":\"e\",\"payload\":{}}|missing key \"ref\"",
        "{\"topic\":1,\"event\":\"e\",\"payload\":{},\"ref\":null}|topic must be a string, got number",
        "{\"topic\":\"t\",\"event\":\"e\",\"payload\":{},\"ref\":null,\"join_ref\":[]}|join_ref must be a string or null, got an array of 0 elements",
    })
    void v1MalformedReasons(String frame, String reason) {
        assertEquals(reason, reason(FrameDecoder.decodeText(Serializer.V1, frame)));
    }

    // ---- vsn 2.0.0 binary ----

    @Test
    void appendixAKind3() throws Exception {
        InboundMessage m = decoded(FrameDecoder.decodeBinary(Serializer.V2, ByteBuffer.wrap(APPENDIX_A_KIND_3)));
        assertEquals("1", m.joinRef());
        assertEquals("4", m.ref());
        assertEquals("realtime:room1", m.topic());
        assertEquals("broadcast", m.event());
        InboundPayload.BinaryBroadcast payload = assertInstanceOf(InboundPayload.BinaryBroadcast.class, m.payload());
        assertNull(payload.metadataJson());
        UserBroadcast b = m.userBroadcast().orElseThrow();
        assertEquals("hello", b.event());
        assertEquals(UserBroadcast.Encoding.JSON, b.encoding());
        assertTrue(b.binaryFramed());
        assertEquals(json("{\"x\":1}"), JsonText.MAPPER.readTree(Frames.toArray(b.payload())));
        assertArrayEquals("{\"x\":1}".getBytes(UTF_8), Frames.toArray(b.payload()));
        assertTrue(m.json().isMissingNode());
    }

    @Test
    void decodingLeavesTheCallersBufferAlone() {
        byte[] framed = new byte[APPENDIX_A_KIND_3.length + 4];
        System.arraycopy(APPENDIX_A_KIND_3, 0, framed, 2, APPENDIX_A_KIND_3.length);
        ByteBuffer buffer = ByteBuffer.wrap(framed, 2, APPENDIX_A_KIND_3.length);
        assertEquals("realtime:room1", decoded(FrameDecoder.decodeBinary(Serializer.V2, buffer)).topic());
        assertEquals(2, buffer.position());
        assertEquals(2 + APPENDIX_A_KIND_3.length, buffer.limit());
    }

    @Test
    void multiByteUtf8NamesUseByteLengths() {
        String topic = "realtime:café-😀";
        String event = "héllo✓";
        byte[] frame = kind3("12", "345", topic, event, "", 1, "[\"ü\"]".getBytes(UTF_8));
        assertEquals(topic.getBytes(UTF_8).length, frame[3]);
        assertEquals(9 + 5 + 1 + 4, frame[3]); // "café" is 5 bytes, the emoji 4
        InboundMessage m = decoded(FrameDecoder.decodeBinary(Serializer.V2, ByteBuffer.wrap(frame)));
        assertEquals(topic, m.topic());
        assertEquals("12", m.joinRef());
        assertEquals("345", m.ref());
        assertEquals(event, m.userBroadcast().orElseThrow().event());
    }

    @Test
    void latin1NamesFromRealtimeJsAreRecovered() {
        // realtime-js writes header strings with charCodeAt into single bytes: "é" becomes e9.
        byte[] full = bytes(3, 1, 1, 13, 2, 0, 1, "1", "2", "realtime:caf", 0xe9, 0xe9, "!", "{}");
        InboundMessage m = decoded(FrameDecoder.decodeBinary(Serializer.V2, ByteBuffer.wrap(full)));
        assertEquals("realtime:café", m.topic());
        assertEquals("é!", m.userBroadcast().orElseThrow().event());
    }

    @Test
    void binaryPayloadAndMetadataAreKept() {
        byte[] raw = {0, (byte) 0xff, 3, (byte) 0x80, 0};
        byte[] frame = kind3("", "", "realtime:bin", "blob", "{\"k\":\"v\"}", 0, raw);
        InboundMessage m = decoded(FrameDecoder.decodeBinary(Serializer.V2, ByteBuffer.wrap(frame)));
        assertNull(m.joinRef(), "realtime-js sends a missing join_ref as an empty string");
        assertNull(m.ref());
        InboundPayload.BinaryBroadcast payload = assertInstanceOf(InboundPayload.BinaryBroadcast.class, m.payload());
        assertEquals("{\"k\":\"v\"}", payload.metadataJson());
        UserBroadcast b = payload.broadcast();
        assertEquals(UserBroadcast.Encoding.BINARY, b.encoding());
        assertArrayEquals(raw, Frames.toArray(b.payload()));
        assertNull(b.metaJson(), "client metadata is not forwarded");
    }

    @Test
    void emptyBinaryPayloadIsAllowed() {
        byte[] frame = kind3("1", "2", "realtime:x", "e", "", 0, new byte[0]);
        UserBroadcast b = decoded(FrameDecoder.decodeBinary(Serializer.V2, ByteBuffer.wrap(frame)))
                .userBroadcast().orElseThrow();
        assertEquals(0, b.payloadSize());
    }

    @Test
    void binaryFramesNeedV2() {
        assertEquals("binary frames are not supported by vsn 1.0.0",
                reason(FrameDecoder.decodeBinary(Serializer.V1, ByteBuffer.wrap(APPENDIX_A_KIND_3))));
    }

    @ParameterizedTest
    @CsvSource(delimiter = '|', value = {
        "0|binary kind 0 is not accepted from clients (only kind 3)",
        "1|binary kind 1 is not accepted from clients (only kind 3)",
        "2|binary kind 2 is not accepted from clients (only kind 3)",
        "4|binary kind 4 is not accepted from clients (only kind 3)",
        "7|unknown binary kind 7",
        "255|unknown binary kind 255",
    })
    void otherKindsAreMalformed(int kind, String reason) {
        byte[] frame = APPENDIX_A_KIND_3.clone();
        frame[0] = (byte) kind;
        assertEquals(reason, reason(FrameDecoder.decodeBinary(Serializer.V2, ByteBuffer.wrap(frame))));
    }

    @Test
    void specificBinaryReasons() {
        assertEquals("empty binary frame", reason(FrameDecoder.decodeBinary(Serializer.V2, ByteBuffer.allocate(0))));
        assertEquals("truncated binary frame: header needs 7 bytes, got 3",
                reason(FrameDecoder.decodeBinary(Serializer.V2, ByteBuffer.wrap(bytes(3, 1, 1)))));
        assertEquals("truncated binary frame: topic length 14 exceeds remaining 3 bytes",
                reason(FrameDecoder.decodeBinary(Serializer.V2,
                        ByteBuffer.wrap(bytes(3, 1, 1, 0x0e, 5, 0, 1, "1", "4", "rea")))));
        byte[] badEncoding = APPENDIX_A_KIND_3.clone();
        badEncoding[6] = 2;
        assertEquals("unknown payload encoding 2",
                reason(FrameDecoder.decodeBinary(Serializer.V2, ByteBuffer.wrap(badEncoding))));
        assertEquals("JSON payload is not a single well-formed JSON value", reason(FrameDecoder.decodeBinary(
                Serializer.V2, ByteBuffer.wrap(kind3("1", "2", "t", "e", "", 1, "{\"x\":".getBytes(UTF_8))))));
        assertEquals("JSON payload is not a single well-formed JSON value", reason(FrameDecoder.decodeBinary(
                Serializer.V2, ByteBuffer.wrap(kind3("1", "2", "t", "e", "", 1, new byte[0])))));
        assertEquals("JSON payload is not valid UTF-8", reason(FrameDecoder.decodeBinary(
                Serializer.V2, ByteBuffer.wrap(kind3("1", "2", "t", "e", "", 1, new byte[] {'"', (byte) 0xc3, '"'})))));
        assertEquals("metadata is not valid JSON", reason(FrameDecoder.decodeBinary(
                Serializer.V2, ByteBuffer.wrap(kind3("1", "2", "t", "e", "{no", 1, "{}".getBytes(UTF_8))))));
    }

    @Test
    void everyTruncationOfAValidFrameIsMalformed() {
        byte[] frame = kind3("1", "4", "realtime:room1", "hello", "{\"id\":\"a\"}", 1, "{\"x\":1}".getBytes(UTF_8));
        assertInstanceOf(InboundMessage.class, FrameDecoder.decodeBinary(Serializer.V2, ByteBuffer.wrap(frame)));
        Set<String> reasons = new HashSet<>();
        for (int length = 0; length < frame.length; length++) {
            DecodeResult result = FrameDecoder.decodeBinary(Serializer.V2, ByteBuffer.wrap(frame, 0, length));
            reasons.add(reason(result));
        }
        // Each header field and the payload produce their own diagnosis.
        assertTrue(reasons.contains("empty binary frame"), reasons::toString);
        assertTrue(reasons.contains("truncated binary frame: event length 5 exceeds remaining 2 bytes"),
                reasons::toString);
        assertTrue(reasons.contains("truncated binary frame: metadata length 10 exceeds remaining 0 bytes"),
                reasons::toString);
        assertTrue(reasons.contains("JSON payload is not a single well-formed JSON value"), reasons::toString);
    }
}
