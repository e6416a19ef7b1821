package io.mudrock.realtime.protocol;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;

import java.io.ByteArrayOutputStream;
import java.nio.ByteBuffer;

/** Test helpers for building and reading frames byte by byte, independently of the codecs. */
final class Frames {

    private Frames() {
    }

    /** A kind-3 frame exactly as realtime-js lays it out (with UTF-8 header strings). */
    static byte[] kind3(String joinRef, String ref, String topic, String event, String meta, int encoding,
            byte[] payload) {
        byte[][] parts = {joinRef.getBytes(UTF_8), ref.getBytes(UTF_8), topic.getBytes(UTF_8),
            event.getBytes(UTF_8), meta.getBytes(UTF_8)};
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        out.write(3);
        for (byte[] part : parts) {
            out.write(part.length);
        }
        out.write(encoding);
        for (byte[] part : parts) {
            out.writeBytes(part);
        }
        out.writeBytes(payload);
        return out.toByteArray();
    }

    /** Concatenates raw bytes and strings (as UTF-8), for writing vectors as in the spec. */
    static byte[] bytes(Object... parts) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        for (Object part : parts) {
            if (part instanceof Integer b) {
                out.write(b);
            } else {
                out.writeBytes(((String) part).getBytes(UTF_8));
            }
        }
        return out.toByteArray();
    }

    static byte[] toArray(ByteBuffer buffer) {
        byte[] out = new byte[buffer.remaining()];
        buffer.get(out);
        return out;
    }

    static byte[] toArray(OutboundFrame frame) {
        return toArray(assertInstanceOf(OutboundFrame.Binary.class, frame).asByteBuffer());
    }

    static String text(OutboundFrame frame) {
        return assertInstanceOf(OutboundFrame.Text.class, frame).text();
    }

    static InboundMessage decoded(DecodeResult result) {
        return assertInstanceOf(InboundMessage.class, result, () -> "not decoded: " + result);
    }

    static String reason(DecodeResult result) {
        return assertInstanceOf(MalformedFrame.class, result, () -> "decoded: " + result).reason();
    }

    /**
     * Reads a kind-4 frame the way realtime-js's serializer does, so the tests check what a
     * client would see rather than re-using the encoder's own logic.
     */
    record Kind4(String topic, String event, String meta, int encoding, byte[] payload) {
        static Kind4 parse(byte[] frame) {
            if (frame[0] != 4) {
                throw new AssertionError("not kind 4: " + frame[0]);
            }
            int topicLen = frame[1] & 0xFF;
            int eventLen = frame[2] & 0xFF;
            int metaLen = frame[3] & 0xFF;
            int at = 5;
            String topic = new String(frame, at, topicLen, UTF_8);
            at += topicLen;
            String event = new String(frame, at, eventLen, UTF_8);
            at += eventLen;
            String meta = new String(frame, at, metaLen, UTF_8);
            at += metaLen;
            byte[] payload = new byte[frame.length - at];
            System.arraycopy(frame, at, payload, 0, payload.length);
            return new Kind4(topic, event, meta, frame[4], payload);
        }
    }
}
