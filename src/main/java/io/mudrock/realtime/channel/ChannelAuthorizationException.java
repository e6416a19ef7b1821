package io.mudrock.realtime.channel;

/**
 * A private-channel check that could not be made (database unreachable, pool exhausted, deadline
 * passed), with the messages upstream gives for it at join and on a joined channel.
 */
public final class ChannelAuthorizationException extends Exception {

    private static final long serialVersionUID = 1L;

    /** The join reason and system message for a database that cannot be reached. */
    public static final String UNABLE_TO_CONNECT = "Realtime was unable to connect to the project database";

    private final String joinReason;
    private final String systemMessage;

    /**
     * @param joinReason the join error reason, with its code prefix
     * @param systemMessage the {@code system} message for a joined channel
     * @param cause what failed, for the log
     */
    public ChannelAuthorizationException(String joinReason, String systemMessage, Throwable cause) {
        super(joinReason, cause);
        this.joinReason = joinReason;
        this.systemMessage = systemMessage;
    }

    /** @return the join error reason, e.g. {@code UnableToConnectToProject: ...} */
    public String joinReason() {
        return joinReason;
    }

    /** @return the {@code system} error message */
    public String systemMessage() {
        return systemMessage;
    }
}
