package io.mudrock.realtime.wire;

import java.nio.charset.StandardCharsets;

/**
 * Encodes server frames (RFC 6455 section 5.2: FIN set, never fragmented, unmasked) into one
 * byte array sized up front, so a batch of frames leaves in a single write.
 */
public final class FrameWriter {

    private final byte[] buffer;
    private int length;

    /**
     * @param capacity the exact number of bytes the frames will take (sum of {@link #frameLength})
     */
    public FrameWriter(int capacity) {
        buffer = new byte[capacity];
    }

    /**
     * @param payloadLength a payload's length
     * @return the length of its frame, header included
     */
    public static int frameLength(int payloadLength) {
        return headerLength(payloadLength) + payloadLength;
    }

    private static int headerLength(int payloadLength) {
        return payloadLength < 126 ? 2 : payloadLength <= 0xFFFF ? 4 : 10;
    }

    /**
     * Appends one frame.
     *
     * @param opcode its {@link Opcode}
     * @param payload its payload, copied
     * @return this
     */
    public FrameWriter add(int opcode, byte[] payload) {
        int n = payload.length;
        buffer[length++] = (byte) (0x80 | opcode);
        if (n < 126) {
            buffer[length++] = (byte) n;
        } else if (n <= 0xFFFF) {
            buffer[length++] = 126;
            buffer[length++] = (byte) (n >>> 8);
            buffer[length++] = (byte) n;
        } else {
            buffer[length++] = 127;
            for (int shift = 56; shift >= 0; shift -= 8) {
                buffer[length++] = (byte) ((long) n >>> shift);
            }
        }
        System.arraycopy(payload, 0, buffer, length, n);
        length += n;
        return this;
    }

    /**
     * Appends a frame encoded earlier.
     *
     * @param frame a whole frame
     * @return this
     */
    public FrameWriter append(byte[] frame) {
        System.arraycopy(frame, 0, buffer, length, frame.length);
        length += frame.length;
        return this;
    }

    /** @return the frames written so far; the whole array once every announced frame is in */
    public byte[] bytes() {
        if (length != buffer.length) {
            throw new IllegalStateException("wrote " + length + " of " + buffer.length + " announced bytes");
        }
        return buffer;
    }

    /**
     * @param opcode its {@link Opcode}
     * @param payload its payload
     * @return one complete frame
     */
    public static byte[] frame(int opcode, byte[] payload) {
        return new FrameWriter(frameLength(payload.length)).add(opcode, payload).bytes();
    }

    /**
     * The payload of a close frame: the code, then the reason in UTF-8 (the caller keeps it to 123
     * bytes); empty for {@link CloseStatus#NO_STATUS}, which must not be sent.
     *
     * @param status the close status
     * @return the payload
     */
    public static byte[] closePayload(CloseStatus status) {
        if (status.code() == CloseStatus.NO_STATUS) {
            return new byte[0];
        }
        byte[] reason = status.reason().getBytes(StandardCharsets.UTF_8);
        byte[] payload = new byte[2 + reason.length];
        payload[0] = (byte) (status.code() >>> 8);
        payload[1] = (byte) status.code();
        System.arraycopy(reason, 0, payload, 2, reason.length);
        return payload;
    }
}
