package io.mudrock.realtime.protocol;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import java.nio.ByteBuffer;
import java.nio.CharBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.util.Locale;

/**
 * Decodes inbound WebSocket frames into {@link InboundMessage}s. Never throws: anything that is
 * not a valid frame for the socket's {@link Serializer} becomes a {@link MalformedFrame}.
 *
 * <p>Accepted frames: vsn 1.0.0 text {@code {"topic","event","payload","ref"[,"join_ref"]}};
 * vsn 2.0.0 text {@code [join_ref, ref, topic, event, payload, ...]}; vsn 2.0.0 binary kind 3
 * (user broadcast push). Refs may be strings, {@code null} or numbers (rendered as strings).
 */
public final class FrameDecoder {

    private static final int KIND_USER_BROADCAST_PUSH = 3;
    private static final int KIND_3_HEADER = 7;
    private static final int MAX_REASON_DETAIL = 200;

    private FrameDecoder() {
    }

    /**
     * Decodes a text frame.
     *
     * @param serializer the socket's negotiated format
     * @param text the frame text
     * @return the message, or why it is malformed
     */
    public static DecodeResult decodeText(Serializer serializer, String text) {
        if (text == null) {
            return new MalformedFrame("missing frame text");
        }
        JsonNode root;
        try {
            root = JsonText.MAPPER.readTree(text);
        } catch (JsonProcessingException e) {
            return new MalformedFrame("invalid JSON: " + shorten(e.getOriginalMessage()));
        }
        try {
            return serializer == Serializer.V2 ? fromArray(root) : fromObject(root);
        } catch (Malformed e) {
            return new MalformedFrame(e.getMessage());
        }
    }

    /**
     * Decodes a binary frame; the buffer's position and limit are left untouched.
     *
     * @param serializer the socket's negotiated format (binary frames need vsn 2.0.0)
     * @param frame the frame bytes from position to limit
     * @return the message (event {@code "broadcast"} with an {@link InboundPayload.BinaryBroadcast}),
     *     or why it is malformed
     */
    public static DecodeResult decodeBinary(Serializer serializer, ByteBuffer frame) {
        if (serializer != Serializer.V2) {
            return new MalformedFrame("binary frames are not supported by vsn " + serializer.vsn());
        }
        try {
            return userBroadcastPush(new Reader(frame.duplicate()));
        } catch (Malformed e) {
            return new MalformedFrame(e.getMessage());
        }
    }

    private static InboundMessage fromArray(JsonNode root) throws Malformed {
        if (!root.isArray() || root.size() < 5) {
            throw new Malformed("expected a JSON array of at least 5 elements, got " + describe(root));
        }
        return new InboundMessage(ref(root.get(0), "join_ref"), ref(root.get(1), "ref"),
                string(root.get(2), "topic"), string(root.get(3), "event"), new InboundPayload.Json(root.get(4)));
    }

    private static InboundMessage fromObject(JsonNode root) throws Malformed {
        if (!root.isObject()) {
            throw new Malformed("expected a JSON object with keys topic, event, payload and ref, got " + describe(root));
        }
        // Phoenix requires these four keys (ref may be null); join_ref is optional.
        for (String key : new String[] {"topic", "event", "payload", "ref"}) {
            if (!root.has(key)) {
                throw new Malformed("missing key \"" + key + "\"");
            }
        }
        return new InboundMessage(ref(root.get("join_ref"), "join_ref"), ref(root.get("ref"), "ref"),
                string(root.get("topic"), "topic"), string(root.get("event"), "event"),
                new InboundPayload.Json(root.get("payload")));
    }

    private static String ref(JsonNode node, String name) throws Malformed {
        if (node == null || node.isNull()) {
            return null;
        }
        if (node.isTextual()) {
            return node.textValue();
        }
        if (node.isNumber()) {
            return node.asText();
        }
        throw new Malformed(name + " must be a string or null, got " + describe(node));
    }

    private static String string(JsonNode node, String name) throws Malformed {
        if (node == null || !node.isTextual()) {
            throw new Malformed(name + " must be a string, got " + describe(node));
        }
        return node.textValue();
    }

    private static String describe(JsonNode node) {
        if (node == null) {
            return "nothing";
        }
        if (node.isArray()) {
            return "an array of " + node.size() + " elements";
        }
        return node.getNodeType().name().toLowerCase(Locale.ROOT);
    }

    // u8 3 | u8 join_ref_len | u8 ref_len | u8 topic_len | u8 event_len | u8 meta_len | u8 encoding
    // | join_ref | ref | topic | event | meta | payload (rest of frame)
    private static InboundMessage userBroadcastPush(Reader in) throws Malformed {
        if (in.remaining() == 0) {
            throw new Malformed("empty binary frame");
        }
        int kind = in.u8();
        if (kind != KIND_USER_BROADCAST_PUSH) {
            throw new Malformed(kind <= 4
                    ? "binary kind " + kind + " is not accepted from clients (only kind 3)"
                    : "unknown binary kind " + kind);
        }
        if (in.remaining() < KIND_3_HEADER - 1) {
            throw new Malformed("truncated binary frame: header needs " + KIND_3_HEADER + " bytes, got "
                    + (in.remaining() + 1));
        }
        int joinRefLen = in.u8();
        int refLen = in.u8();
        int topicLen = in.u8();
        int eventLen = in.u8();
        int metaLen = in.u8();
        int encodingByte = in.u8();
        UserBroadcast.Encoding encoding = switch (encodingByte) {
            case 0 -> UserBroadcast.Encoding.BINARY;
            case 1 -> UserBroadcast.Encoding.JSON;
            default -> throw new Malformed("unknown payload encoding " + encodingByte);
        };
        String joinRef = emptyToNull(name(in.bytes(joinRefLen, "join_ref")));
        String ref = emptyToNull(name(in.bytes(refLen, "ref")));
        String topic = name(in.bytes(topicLen, "topic"));
        String event = name(in.bytes(eventLen, "event"));
        String meta = metaLen == 0 ? null : name(in.bytes(metaLen, "metadata"));
        if (meta != null && !JsonText.isSingleValue(meta)) {
            throw new Malformed("metadata is not valid JSON");
        }
        byte[] payload = in.bytes(in.remaining(), "payload");
        if (encoding == UserBroadcast.Encoding.JSON) {
            String json = strictUtf8(payload);
            if (json == null) {
                throw new Malformed("JSON payload is not valid UTF-8");
            }
            // Checked once here: its bytes are later forwarded verbatim, and a client's
            // JSON.parse of a bad kind-4 payload would throw inside its socket.
            if (!JsonText.isSingleValue(json)) {
                throw new Malformed("JSON payload is not a single well-formed JSON value");
            }
        }
        return new InboundMessage(joinRef, ref, topic, InboundMessage.BROADCAST,
                new InboundPayload.BinaryBroadcast(UserBroadcast.fromBinaryPush(event, encoding, payload), meta));
    }

    /**
     * Decodes a header string. realtime-js writes them with {@code charCodeAt} into single
     * bytes, so non-ASCII names arrive as ISO-8859-1 rather than UTF-8: invalid UTF-8 is read as
     * ISO-8859-1, which recovers names such as "café" exactly (characters above U+00FF were
     * already lost by the client and will simply not match any topic).
     */
    private static String name(byte[] bytes) {
        String utf8 = strictUtf8(bytes);
        return utf8 != null ? utf8 : new String(bytes, StandardCharsets.ISO_8859_1);
    }

    private static String strictUtf8(byte[] bytes) {
        try {
            CharBuffer chars = StandardCharsets.UTF_8.newDecoder()
                    .onMalformedInput(CodingErrorAction.REPORT)
                    .onUnmappableCharacter(CodingErrorAction.REPORT)
                    .decode(ByteBuffer.wrap(bytes));
            return chars.toString();
        } catch (CharacterCodingException e) {
            return null;
        }
    }

    private static String emptyToNull(String s) {
        // realtime-js sends a missing join_ref/ref as an empty string (`?? ''`).
        return s.isEmpty() ? null : s;
    }

    private static String shorten(String s) {
        return s == null || s.length() <= MAX_REASON_DETAIL ? s : s.substring(0, MAX_REASON_DETAIL) + "...";
    }

    /** Sequential reader over a frame that reports truncation instead of throwing. */
    private static final class Reader {
        private final ByteBuffer buf;

        Reader(ByteBuffer buf) {
            this.buf = buf;
        }

        int remaining() {
            return buf.remaining();
        }

        int u8() {
            return buf.get() & 0xFF;
        }

        byte[] bytes(int length, String field) throws Malformed {
            if (length > buf.remaining()) {
                throw new Malformed("truncated binary frame: " + field + " length " + length
                        + " exceeds remaining " + buf.remaining() + " bytes");
            }
            byte[] out = new byte[length];
            buf.get(out);
            return out;
        }
    }

    /** Internal signal for a malformed frame; never escapes this class. */
    private static final class Malformed extends Exception {
        Malformed(String reason) {
            super(reason, null, false, false); // no stack trace: this is an expected outcome
        }
    }
}
