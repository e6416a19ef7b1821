package io.mudrock.realtime.wire;

import java.nio.ByteBuffer;
import java.nio.CharBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CharsetDecoder;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;

/**
 * Parses the frames a client sends (RFC 6455 section 5) from bytes arriving in chunks of any
 * size, and hands whole messages and control frames to a {@link Listener}. It checks what the
 * RFC requires of a client (masking, no RSV bits without an extension, known opcodes, short
 * unfragmented control frames, well-formed fragmentation, UTF-8 text) and a message size limit.
 * The first violation is reported once and everything after it is ignored; so is everything
 * after a close frame.
 *
 * <p>Memory follows data, not declarations: a header that declares a large frame costs nothing
 * until its bytes arrive. The message buffer grows as they do, by doubling (so assembling a
 * message copies each byte a bounded number of times, however it is fragmented), never past the
 * message limit, nor past the declared end of a final frame; each growth is reserved from the
 * socket's {@link InboundBudget.Account} first, and a refused reservation ends the socket with 1009.
 *
 * <p>Not thread-safe: one reader feeds it.
 */
public final class FrameParser {

    /** What the parser found. Called on the thread that feeds it. */
    public interface Listener {
        /** @param text a whole text message */
        void onText(String text);

        /** @param bytes a whole binary message */
        void onBinary(ByteBuffer bytes);

        /** @param payload a ping's payload, to answer with a pong */
        void onPing(byte[] payload);

        /** A pong arrived (unsolicited ones too). */
        void onPong();

        /** @param status the close frame's status ({@link CloseStatus#NO_STATUS} when it had none) */
        void onClose(CloseStatus status);

        /** @param status what to close the connection with: the client broke the protocol */
        void onError(CloseStatus status);
    }

    private static final int MAX_CONTROL_PAYLOAD = 125;
    /** The first buffer of a message whose end is further away: small, so a bare header costs little. */
    private static final int INITIAL_BUFFER = 4096;
    private static final byte[] EMPTY = new byte[0];
    /** The close reason when the server-wide inbound budget cannot hold more of this message. */
    public static final String BUDGET_EXHAUSTED = "server inbound buffer budget exhausted, message not accepted";

    private final Listener listener;
    private final int maxMessageBytes;
    private final InboundBudget.Account account;

    // The frame header being read: 2 bytes, then the extended length and the mask.
    private final byte[] header = new byte[14];
    private int headerRead;
    private int headerLength = 2;

    // The frame whose payload is being read.
    private boolean fin;
    private int opcode;
    private final byte[] mask = new byte[4];
    private int payloadLength;
    private int payloadRead;
    private byte[] target;
    private int targetOffset;

    // The data message being assembled across fragments; messageOpcode 0 when none is.
    // messageLength counts the bytes of its completed frames; the buffer's length is reserved.
    private int messageOpcode;
    private byte[] message;
    private int messageLength;
    private boolean dataFrame;

    private boolean done;
    private long copiedBytes;

    /**
     * A parser whose memory no shared budget bounds, only the message limit.
     *
     * @param maxMessageBytes the largest message accepted, across its fragments (larger: 1009)
     * @param listener receives what is parsed
     */
    public FrameParser(int maxMessageBytes, Listener listener) {
        this(maxMessageBytes, InboundBudget.unlimited().open(), listener);
    }

    /**
     * @param maxMessageBytes the largest message accepted, across its fragments (larger: 1009)
     * @param account where buffer growth is reserved; its owner closes it when the socket ends
     * @param listener receives what is parsed
     */
    public FrameParser(int maxMessageBytes, InboundBudget.Account account, Listener listener) {
        this.maxMessageBytes = maxMessageBytes;
        this.account = account;
        this.listener = listener;
    }

    /** @return whether the parser stopped, after a close frame or a protocol error */
    public boolean done() {
        return done;
    }

    /**
     * Parses the next chunk of the byte stream.
     *
     * @param data the bytes
     * @param offset where they start
     * @param length how many there are
     */
    public void feed(byte[] data, int offset, int length) {
        int position = offset;
        int end = offset + length;
        while (!done) {
            if (headerRead < headerLength) {
                if (position >= end) {
                    return;
                }
                int n = Math.min(headerLength - headerRead, end - position);
                System.arraycopy(data, position, header, headerRead, n);
                headerRead += n;
                position += n;
                // startHeader always lengthens the header (the mask follows), so each runs once.
                if (headerLength == 2 && headerRead == 2 && !startHeader()) {
                    return;
                }
                if (headerLength > 2 && headerRead == headerLength && !beginPayload()) {
                    return;
                }
                continue;
            }
            if (payloadRead < payloadLength) {
                if (position >= end) {
                    return;
                }
                int n = Math.min(payloadLength - payloadRead, end - position);
                if (dataFrame) {
                    if (!ensureCapacity(messageLength + payloadRead + n)) {
                        return;
                    }
                    target = message;
                }
                for (int i = 0; i < n; i++) {
                    target[targetOffset + payloadRead + i] = (byte) (data[position + i] ^ mask[(payloadRead + i) & 3]);
                }
                payloadRead += n;
                position += n;
                continue;
            }
            headerRead = 0;
            headerLength = 2;
            frameComplete();
            payloadLength = 0;
            payloadRead = 0;
        }
    }

    /** Checks the first two header bytes and works out the header's full length. */
    private boolean startHeader() {
        int b0 = header[0] & 0xFF;
        int b1 = header[1] & 0xFF;
        fin = (b0 & 0x80) != 0;
        opcode = b0 & 0x0F;
        if ((b0 & 0x70) != 0) {
            return fail(CloseStatus.PROTOCOL_ERROR, "RSV bits set without a negotiated extension");
        }
        if (opcode != Opcode.CONTINUATION && opcode != Opcode.TEXT && opcode != Opcode.BINARY
                && opcode != Opcode.CLOSE && opcode != Opcode.PING && opcode != Opcode.PONG) {
            return fail(CloseStatus.PROTOCOL_ERROR, "unknown opcode " + opcode);
        }
        if ((b1 & 0x80) == 0) {
            return fail(CloseStatus.PROTOCOL_ERROR, "client frames must be masked");
        }
        int length7 = b1 & 0x7F;
        if (Opcode.isControl(opcode)) {
            if (!fin) {
                return fail(CloseStatus.PROTOCOL_ERROR, "fragmented control frame");
            }
            if (length7 > MAX_CONTROL_PAYLOAD) {
                return fail(CloseStatus.PROTOCOL_ERROR, "control frame longer than 125 bytes");
            }
        } else if (opcode == Opcode.CONTINUATION && messageOpcode == 0) {
            return fail(CloseStatus.PROTOCOL_ERROR, "continuation frame without a message to continue");
        } else if (opcode != Opcode.CONTINUATION && messageOpcode != 0) {
            return fail(CloseStatus.PROTOCOL_ERROR, "new message before the fragmented one ended");
        }
        headerLength = 2 + (length7 == 126 ? 2 : length7 == 127 ? 8 : 0) + 4;
        return true;
    }

    /** With the whole header read: the payload length, the mask, and where the payload goes. */
    private boolean beginPayload() {
        int length7 = header[1] & 0x7F;
        long length;
        int maskAt;
        if (length7 == 126) {
            length = ((header[2] & 0xFF) << 8) | (header[3] & 0xFF);
            maskAt = 4;
        } else if (length7 == 127) {
            length = 0;
            for (int i = 2; i < 10; i++) {
                length = (length << 8) | (header[i] & 0xFF);
            }
            if (length < 0) {
                return fail(CloseStatus.PROTOCOL_ERROR, "64-bit length with the most significant bit set");
            }
            maskAt = 10;
        } else {
            length = length7;
            maskAt = 2;
        }
        System.arraycopy(header, maskAt, mask, 0, 4);
        if (Opcode.isControl(opcode)) {
            dataFrame = false;
            target = new byte[(int) length];
            targetOffset = 0;
        } else {
            if (length > maxMessageBytes - messageLength) {
                return fail(CloseStatus.TOO_BIG, "message larger than " + maxMessageBytes + " bytes");
            }
            if (opcode != Opcode.CONTINUATION) {
                messageOpcode = opcode;
            }
            // No buffer yet: it grows in feed() as the payload's bytes arrive.
            dataFrame = true;
            target = message;
            targetOffset = messageLength;
        }
        payloadLength = (int) length;
        payloadRead = 0;
        return true;
    }

    /**
     * Makes the message buffer hold at least {@code needed} bytes: doubling, at least
     * {@link #INITIAL_BUFFER}, but never past the end a final frame declares (a single-frame
     * message then fits exactly) nor past the message limit.
     *
     * @return false when the budget refused the growth (the parser has failed)
     */
    private boolean ensureCapacity(int needed) {
        int capacity = message == null ? 0 : message.length;
        if (capacity >= needed) {
            return true;
        }
        int ceiling = fin ? messageLength + payloadLength : maxMessageBytes;
        int doubled = (int) Math.min(Integer.MAX_VALUE, Math.max(INITIAL_BUFFER, 2L * capacity));
        int size = Math.max(needed, Math.min(doubled, ceiling));
        if (!account.reserve(size - capacity)) {
            fail(CloseStatus.TOO_BIG, BUDGET_EXHAUSTED);
            return false;
        }
        byte[] bigger = new byte[size];
        int used = messageLength + payloadRead;
        if (used > 0) {
            System.arraycopy(message, 0, bigger, 0, used);
            copiedBytes += used;
        }
        message = bigger;
        return true;
    }

    /** Drops the message being assembled and gives its buffer back to the budget. */
    private void dropMessage() {
        if (message != null) {
            account.release(message.length);
        }
        message = null;
        messageLength = 0;
        messageOpcode = 0;
    }

    /** @return bytes copied from an outgrown buffer into its successor, since this parser started */
    long copiedBytes() {
        return copiedBytes;
    }

    /** @return the capacity of the buffer of the message being assembled, 0 when there is none */
    int bufferCapacity() {
        return message == null ? 0 : message.length;
    }

    private void frameComplete() {
        if (Opcode.isControl(opcode)) {
            control(target);
            target = null;
            return;
        }
        messageLength += payloadLength;
        target = null;
        if (!fin) {
            return;
        }
        byte[] bytes = message == null ? EMPTY : message;
        int length = messageLength;
        int kind = messageOpcode;
        // The listener copies out what it keeps (a String, a decoded frame): the buffer is free.
        dropMessage();
        if (kind == Opcode.TEXT) {
            String text = utf8(bytes, 0, length);
            if (text == null) {
                fail(CloseStatus.INVALID_DATA, "text message is not valid UTF-8");
                return;
            }
            listener.onText(text);
        } else {
            listener.onBinary(ByteBuffer.wrap(bytes, 0, length));
        }
    }

    private void control(byte[] payload) {
        switch (opcode) {
            case Opcode.PING -> listener.onPing(payload);
            case Opcode.PONG -> listener.onPong();
            default -> close(payload);
        }
    }

    private void close(byte[] payload) {
        if (payload.length == 0) {
            done = true;
            listener.onClose(new CloseStatus(CloseStatus.NO_STATUS, ""));
            return;
        }
        if (payload.length == 1) {
            fail(CloseStatus.PROTOCOL_ERROR, "close frame with a 1-byte payload");
            return;
        }
        int code = ((payload[0] & 0xFF) << 8) | (payload[1] & 0xFF);
        if (!CloseStatus.sendable(code)) {
            fail(CloseStatus.PROTOCOL_ERROR, "invalid close code " + code);
            return;
        }
        String reason = utf8(payload, 2, payload.length - 2);
        if (reason == null) {
            fail(CloseStatus.INVALID_DATA, "close reason is not valid UTF-8");
            return;
        }
        done = true;
        listener.onClose(new CloseStatus(code, reason));
    }

    private boolean fail(int code, String reason) {
        done = true;
        dropMessage();
        listener.onError(new CloseStatus(code, reason));
        return false;
    }

    /** @return the decoded text, or null when the bytes are not valid UTF-8 */
    private static String utf8(byte[] bytes, int offset, int length) {
        CharsetDecoder decoder = StandardCharsets.UTF_8.newDecoder()
                .onMalformedInput(CodingErrorAction.REPORT)
                .onUnmappableCharacter(CodingErrorAction.REPORT);
        try {
            CharBuffer chars = decoder.decode(ByteBuffer.wrap(bytes, offset, length));
            return chars.toString();
        } catch (CharacterCodingException e) {
            return null;
        }
    }
}
