package io.mudrock.realtime.protocol;

import java.nio.ByteBuffer;
import java.util.Arrays;
import java.util.Objects;

/**
 * One encoded server-to-client WebSocket message, immutable and safe to hand to any number of
 * connections on any threads: fan-out encodes a frame once and sends the same instance to every
 * receiver using that {@link Serializer}.
 */
public sealed interface OutboundFrame permits OutboundFrame.Text, OutboundFrame.Binary {

    /**
     * A text frame.
     *
     * @param text the JSON text to send
     */
    record Text(String text) implements OutboundFrame {
        /**
         * Rejects a missing text: every Phoenix message has one.
         *
         * @param text the JSON text to send
         */
        public Text {
            Objects.requireNonNull(text, "text");
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
