package io.mudrock.realtime.channel;

/**
 * What a client may do on a private channel, from the RLS policies on {@code realtime.messages}
 * (§10). Public channels allow everything.
 *
 * @param broadcastRead receive broadcasts (SELECT, extension {@code broadcast})
 * @param broadcastWrite send broadcasts (INSERT, extension {@code broadcast})
 * @param presenceRead receive presence (SELECT, extension {@code presence})
 * @param presenceWrite track presence (INSERT, extension {@code presence})
 */
public record TopicPermissions(boolean broadcastRead, boolean broadcastWrite, boolean presenceRead,
        boolean presenceWrite) {

    /** Everything allowed: public channels. */
    public static final TopicPermissions PUBLIC = new TopicPermissions(true, true, true, true);

    /**
     * Whether the client may join at all: upstream requires broadcast read, or presence read
     * when presence is enabled on the channel.
     *
     * @param presenceEnabled whether the join enables presence
     * @return true if the join is allowed
     */
    public boolean mayJoin(boolean presenceEnabled) {
        return broadcastRead || (presenceEnabled && presenceRead);
    }
}
