package io.mudrock.realtime.channel;

/**
 * The join error reasons of §4.2 that do not come from token verification, exactly as
 * realtime-js shows them to applications ({@code "<Code>: <message>"}).
 */
public enum JoinError {
    /** The server is shutting down. */
    REALTIME_RESTARTING("RealtimeRestarting: Realtime is restarting, please standby"),
    /** The tenant went away after the socket connected. */
    TENANT_NOT_FOUND("TenantNotFound: Tenant with the given ID does not exist"),
    /** The tenant is suspended ({@code suspend: true}), upstream's text. */
    TENANT_SUSPENDED("RealtimeDisabledForTenant: Realtime disabled for this tenant"),
    /** The topic is {@code realtime:} with nothing after it. */
    TOPIC_NAME_REQUIRED("TopicNameRequired: You must provide a topic name"),
    /** A public join on a {@code private_only} tenant. */
    PRIVATE_ONLY("PrivateOnly: This project only allows private channels"),
    /** {@code max_concurrent_users} reached. */
    TOO_MANY_USERS("ConnectionRateLimitReached: Too many connected users"),
    /** {@code max_joins_per_second} reached; the socket is then disconnected. */
    TOO_MANY_JOINS("ClientJoinRateLimitReached: Too many joins per second"),
    /** The sub-topic is longer than {@link ChannelCaps#MAX_TOPIC_BYTES}. */
    TOPIC_TOO_LONG("TopicNameTooLong: Topic names are limited to " + ChannelCaps.MAX_TOPIC_BYTES + " bytes"),
    /** The join asks for more than {@link ChannelCaps#MAX_BINDINGS_PER_CHANNEL} bindings. */
    TOO_MANY_BINDINGS("TooManyPostgresChanges: At most " + ChannelCaps.MAX_BINDINGS_PER_CHANNEL
            + " postgres_changes bindings per channel"),
    /** The socket's channels would hold more than {@link ChannelCaps#MAX_BINDINGS_PER_SOCKET} bindings. */
    TOO_MANY_SOCKET_BINDINGS("TooManyPostgresChanges: At most " + ChannelCaps.MAX_BINDINGS_PER_SOCKET
            + " postgres_changes bindings per connection"),
    /** {@code max_channels_per_client} reached on this socket. */
    TOO_MANY_CHANNELS("ChannelRateLimitReached: Too many channels"),
    /** The tenant database could not be reached for the private-channel checks. */
    UNABLE_TO_CONNECT("UnableToConnectToProject: " + ChannelAuthorizationException.UNABLE_TO_CONNECT),
    /** The tenant database's pool had no connection in time. */
    INCREASE_CONNECTION_POOL("IncreaseConnectionPool: Please increase your connection pool size"),
    /** Replay asked for on a public channel. */
    REPLAY_PUBLIC("UnableToReplayMessages: Replay is not allowed for public channels"),
    /** Replay with unusable {@code since}/{@code limit}. */
    REPLAY_INVALID("UnableToReplayMessages: Replay params are not valid"),
    /** Replay failed in the database. */
    REPLAY_FAILED("UnableToReplayMessages: Realtime was unable to replay messages"),
    /** Anything unexpected. */
    UNKNOWN("Unknown Error on Channel");

    private final String reason;

    JoinError(String reason) {
        this.reason = reason;
    }

    /** @return the reason sent in the error reply */
    public String reason() {
        return reason;
    }

    /**
     * The reason of a private join the read policies refuse.
     *
     * @param subTopic the channel name
     * @return {@code Unauthorized: You do not have permissions to read from this Channel topic: <t>}
     */
    public static String unauthorized(String subTopic) {
        return "Unauthorized: You do not have permissions to read from this Channel topic: " + subTopic;
    }
}
