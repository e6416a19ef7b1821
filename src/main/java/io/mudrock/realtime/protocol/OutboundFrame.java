package io.mudrock.realtime.protocol;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.Objects;

/**
 * One encoded server-to-client WebSocket message, immutable and safe to hand to any number of
 * connections on any threads: fan-out encodes a frame once and sends the same instance to every
 * receiver using that {@link Serializer}.
 */
public sealed interface OutboundFrame permits OutboundFrame.Text, OutboundFrame.Binary {

    /**
     * The frame's payload as it goes on the wire (UTF-8 for text). A frame shared by thousands of
     * receivers encodes its text once: the first caller caches the bytes in the frame.
     *
     * @return the payload bytes; callers must not modify them
     */
    byte[] wireBytes();

    /**
     * A text frame. Not a record because it caches its UTF-8 encoding.
     */
    final class Text implements OutboundFrame {
        private final String text;
        // Single-check cache: threads may each encode once, harmlessly. Volatile, unlike String's
        // int hash, because an array published by a data race may be seen before its contents.
        private volatile byte[] utf8;

        /**
         * Rejects a missing text: every Phoenix message has one.
         *
         * @param text the JSON text to send
         */
        public Text(String text) {
            this.text = Objects.requireNonNull(text, "text");
        }

        /** @return the JSON text to send */
        public String text() {
            return text;
        }

        @Override
        public byte[] wireBytes() {
            byte[] bytes = utf8;
            if (bytes == null) {
                bytes = text.getBytes(StandardCharsets.UTF_8);
                utf8 = bytes;
            }
            return bytes;
        }

        @Override
        public boolean equals(Object o) {
            return o instanceof Text other && text.equals(other.text);
        }

        @Override
        public int hashCode() {
            return text.hashCode();
        }

        @Override
        public String toString() {
            return "Text[text=" + text + "]";
        }
    }

    /**
     * A binary frame (only ever kind 4, the one binary kind realtime-js decodes). Not a record
     * because it owns a byte array that must neither leak nor be compared by identity.
     */
    final class Binary implements OutboundFrame {
        private final byte[] bytes;

        // Takes ownership: only the encoder creates these, from arrays it never touches again.
        Binary(byte[] bytes) {
            this.bytes = bytes;
        }

        /**
         * A fresh read-only view of the frame, positioned at 0. Call it once per send: the
         * container advances the view's position while writing, and a fresh view keeps
         * concurrent sends of the shared frame independent without copying the bytes.
         *
         * @return a new read-only buffer over the frame bytes
         */
        public ByteBuffer asByteBuffer() {
            return ByteBuffer.wrap(bytes).asReadOnlyBuffer();
        }

        @Override
        public byte[] wireBytes() {
            return bytes;
        }

        /** @return the frame length in bytes */
        public int length() {
            return bytes.length;
        }

        @Override
        public boolean equals(Object o) {
            return o instanceof Binary other && Arrays.equals(bytes, other.bytes);
        }

        @Override
        public int hashCode() {
            return Arrays.hashCode(bytes);
        }

        @Override
        public String toString() {
            return "Binary[kind=" + (bytes.length == 0 ? "-" : bytes[0] & 0xFF) + ", " + bytes.length + " bytes]";
        }
    }
}
