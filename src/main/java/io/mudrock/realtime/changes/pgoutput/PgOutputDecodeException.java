package io.mudrock.realtime.changes.pgoutput;

/**
 * A pgoutput message could not be decoded: unknown message type, truncated buffer or malformed
 * content. The stream must treat this as fatal for the message; skipping it silently would lose or
 * misattribute changes.
 */
public final class PgOutputDecodeException extends RuntimeException {

    private final int messageType;

    PgOutputDecodeException(int messageType, String message, Throwable cause) {
        super(message, cause);
        this.messageType = messageType;
    }

    /** The message type byte of the offending message, or -1 when the buffer was empty. */
    public int messageType() {
        return messageType;
    }
}
