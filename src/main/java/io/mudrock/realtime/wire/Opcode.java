package io.mudrock.realtime.wire;

/** The frame opcodes RFC 6455 defines (section 5.2); every other value is a protocol error. */
public final class Opcode {

    /** Continues a fragmented message. */
    public static final int CONTINUATION = 0x0;
    /** Starts a UTF-8 text message. */
    public static final int TEXT = 0x1;
    /** Starts a binary message. */
    public static final int BINARY = 0x2;
    /** Close control frame. */
    public static final int CLOSE = 0x8;
    /** Ping control frame. */
    public static final int PING = 0x9;
    /** Pong control frame. */
    public static final int PONG = 0xA;

    private Opcode() {
    }

    /**
     * @param opcode a frame's opcode
     * @return whether it is a control frame (close, ping, pong)
     */
    public static boolean isControl(int opcode) {
        return (opcode & 0x8) != 0;
    }
}
