package io.mudrock.realtime.channel;

/**
 * The fixed caps on state whose size a client chooses, so that no client can make the server
 * hold, query or log without bound. Each cap has a documented answer (README, "Limits"): a join
 * error from {@link JoinError}, or a presence error.
 */
public final class ChannelCaps {

    /** The longest sub-topic (the part after {@code realtime:}), in UTF-8 bytes. */
    public static final int MAX_TOPIC_BYTES = 255;
    /** {@code postgres_changes} bindings one join may ask for: each costs catalog queries. */
    public static final int MAX_BINDINGS_PER_CHANNEL = 100;
    /** {@code postgres_changes} bindings of all channels of one socket together. */
    public static final int MAX_BINDINGS_PER_SOCKET = 200;
    /** The largest presence entry: key plus meta as JSON, in UTF-8 bytes (and at most the tenant's payload limit). */
    public static final int MAX_PRESENCE_ENTRY_BYTES = 16 * 1024;
    /** Presence entries one topic holds: each is sent to every joiner in {@code presence_state}. */
    public static final int MAX_PRESENCE_ENTRIES_PER_TOPIC = 10_000;
    /** Bytes of all presence entries of one topic together. */
    public static final long MAX_PRESENCE_BYTES_PER_TOPIC = 16L * 1024 * 1024;

    private ChannelCaps() {
    }
}
