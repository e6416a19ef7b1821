package io.mudrock.realtime.wire;

/**
 * The status of a close frame.
 *
 * @param code the close code; {@link #NO_STATUS} when the frame carried none
 * @param reason the reason text, empty when none
 */
public record CloseStatus(int code, String reason) {

    /** Normal closure. */
    public static final int NORMAL = 1000;
    /** The peer broke the protocol. */
    public static final int PROTOCOL_ERROR = 1002;
    /** Reported (never sent) when a close frame had no code. */
    public static final int NO_STATUS = 1005;
    /** Reported (never sent) when the connection ended without a close frame. */
    public static final int ABNORMAL = 1006;
    /** A text message was not valid UTF-8. */
    public static final int INVALID_DATA = 1007;
    /** A message was larger than we accept. */
    public static final int TOO_BIG = 1009;

    /** Treats a missing reason as empty, so logs and encoders need no null checks. */
    public CloseStatus {
        reason = reason == null ? "" : reason;
    }

    /**
     * @param code a code received in a close frame
     * @return whether RFC 6455 (section 7.4) allows a peer to send it
     */
    public static boolean sendable(int code) {
        return (code >= 1000 && code <= 1003) || (code >= 1007 && code <= 1014) || (code >= 3000 && code <= 4999);
    }
}
