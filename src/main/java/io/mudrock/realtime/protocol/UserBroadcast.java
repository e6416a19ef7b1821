package io.mudrock.realtime.protocol;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.Objects;
import java.util.Optional;

/**
 * A user broadcast ({@code channel.send({type:'broadcast', event, payload})}) in one form,
 * whether it arrived as a binary kind-3 frame, inside a JSON text frame, or from the server
 * itself, so the channel layer handles all of them alike and hands it to
 * {@link FrameEncoder#broadcast(String, UserBroadcast)} for fan-out.
 *
 * <p>The payload is kept as bytes: UTF-8 JSON text for {@link Encoding#JSON}, opaque bytes for
 * {@link Encoding#BINARY}. {@link #binaryFramed()} records how vsn 2.0.0 receivers get it,
 * mirroring upstream: broadcasts that came in binary go out as binary kind 4, broadcasts that
 * came in as JSON text go out as JSON text.
 *
 * <p>Not a record because it owns a byte array, which must be neither exposed nor compared by
 * identity.
 */
public final class UserBroadcast {

    /** How the user payload is encoded, with its wire value in binary frames. */
    public enum Encoding {
        /** Opaque bytes (an {@code ArrayBuffer} in realtime-js); never delivered to vsn 1.0.0. */
        BINARY(0),
        /** UTF-8 JSON text. */
        JSON(1);

        private final int wireValue;

        Encoding(int wireValue) {
            this.wireValue = wireValue;
        }

        /** @return the {@code payload_encoding} byte of binary frames */
        public int wireValue() {
            return wireValue;
        }
    }

    private static final byte[] EMPTY_OBJECT = {'{', '}'};

    private final String event;
    private final Encoding encoding;
    private final byte[] payload;
    private final String metaJson;
    private final boolean binaryFramed;

    private UserBroadcast(String event, Encoding encoding, byte[] payload, String metaJson, boolean binaryFramed) {
        this.event = Objects.requireNonNull(event, "event");
        this.encoding = Objects.requireNonNull(encoding, "encoding");
        this.payload = Objects.requireNonNull(payload, "payload");
        this.metaJson = metaJson;
        this.binaryFramed = binaryFramed;
    }

    /**
     * A broadcast that vsn 2.0.0 receivers get as a binary kind-4 frame: what a client's kind-3
     * push becomes, and what {@code realtime.send}/{@code send_binary} from the database produce.
     *
     * @param event the user event name
     * @param encoding how {@code payload} is encoded
     * @param payload the payload bytes (copied); for {@link Encoding#JSON} one well-formed JSON value
     * @param metaJson a JSON object for the {@code meta} key, e.g. {@code {"id":"<uuid>"}}, or {@code null}
     * @return the broadcast
     * @throws IllegalArgumentException if a JSON payload or the meta is not well-formed JSON
     */
    public static UserBroadcast binaryFramed(String event, Encoding encoding, byte[] payload, String metaJson) {
        byte[] copy = payload.clone();
        if (encoding == Encoding.JSON && !JsonText.isSingleValue(new String(copy, StandardCharsets.UTF_8))) {
            throw new IllegalArgumentException("payload is not a single JSON value");
        }
        return new UserBroadcast(event, encoding, copy, checkMeta(metaJson), true);
    }

    /**
     * A JSON broadcast that vsn 2.0.0 receivers get as a JSON text frame: what a text push or the
     * REST broadcast API produce.
     *
     * @param event the user event name
     * @param payloadJson the payload as JSON text, one well-formed JSON value
     * @param metaJson a JSON object for the {@code meta} key, or {@code null}
     * @return the broadcast
     * @throws IllegalArgumentException if the payload or the meta is not well-formed JSON
     */
    public static UserBroadcast textFramed(String event, String payloadJson, String metaJson) {
        if (!JsonText.isSingleValue(payloadJson)) {
            throw new IllegalArgumentException("payload is not a single JSON value");
        }
        return new UserBroadcast(event, Encoding.JSON, payloadJson.getBytes(StandardCharsets.UTF_8),
                checkMeta(metaJson), false);
    }

    /**
     * Reads the payload of a text {@code broadcast} push, {@code {"type":"broadcast","event":E,"payload":P}}.
     * A missing {@code payload} becomes {@code {}}, as realtime-js sends it. Keys other than
     * {@code event} and {@code payload} are not forwarded: like upstream for binary pushes, a
     * client cannot set {@code meta} (whose {@code id} the server uses for replay de-duplication).
     *
     * @param payload the frame payload
     * @return the broadcast, or empty if the payload is not an object with a string {@code event}
     */
    public static Optional<UserBroadcast> fromTextPayload(JsonNode payload) {
        if (payload == null || !payload.isObject() || !payload.path("event").isTextual()) {
            return Optional.empty();
        }
        JsonNode userPayload = payload.get("payload");
        byte[] bytes;
        if (userPayload == null) {
            bytes = EMPTY_OBJECT;
        } else {
            try {
                bytes = JsonText.MAPPER.writeValueAsBytes(userPayload);
            } catch (JsonProcessingException e) {
                throw new IllegalStateException("cannot write JSON tree", e);
            }
        }
        return Optional.of(new UserBroadcast(payload.get("event").textValue(), Encoding.JSON, bytes, null, false));
    }

    /** Used by the decoder, which already validated and owns the array. */
    static UserBroadcast fromBinaryPush(String event, Encoding encoding, byte[] payload) {
        return new UserBroadcast(event, encoding, payload, null, true);
    }

    private static String checkMeta(String metaJson) {
        if (metaJson == null) {
            return null;
        }
        try {
            if (!JsonText.MAPPER.readTree(metaJson).isObject()) {
                throw new IllegalArgumentException("meta must be a JSON object: " + metaJson);
            }
        } catch (JsonProcessingException e) {
            throw new IllegalArgumentException("meta is not valid JSON: " + metaJson, e);
        }
        return metaJson;
    }

    /** @return the user event name ({@code payload.event} on the client) */
    public String event() {
        return event;
    }

    /** @return how the payload bytes are encoded */
    public Encoding encoding() {
        return encoding;
    }

    /** @return a fresh read-only view of the payload bytes */
    public ByteBuffer payload() {
        return ByteBuffer.wrap(payload).asReadOnlyBuffer();
    }

    /** @return the payload size in bytes, what size limits are checked against */
    public int payloadSize() {
        return payload.length;
    }

    /** @return the {@code meta} JSON object text, or {@code null} when there is none */
    public String metaJson() {
        return metaJson;
    }

    /** @return true if vsn 2.0.0 receivers get a binary kind-4 frame rather than JSON text */
    public boolean binaryFramed() {
        return binaryFramed;
    }

    /** The raw array, for the encoder only, which never modifies it. */
    byte[] payloadArray() {
        return payload;
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof UserBroadcast other
                && binaryFramed == other.binaryFramed
                && event.equals(other.event)
                && encoding == other.encoding
                && Arrays.equals(payload, other.payload)
                && Objects.equals(metaJson, other.metaJson);
    }

    @Override
    public int hashCode() {
        return Objects.hash(event, encoding, Arrays.hashCode(payload), metaJson, binaryFramed);
    }

    @Override
    public String toString() {
        return "UserBroadcast[event=" + event + ", encoding=" + encoding + ", " + payload.length
                + " bytes, meta=" + metaJson + ", binaryFramed=" + binaryFramed + "]";
    }
}
