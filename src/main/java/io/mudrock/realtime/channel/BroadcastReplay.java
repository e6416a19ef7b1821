package io.mudrock.realtime.channel;

import java.time.Duration;
import java.util.List;

/** Reads stored broadcasts of a private channel back for {@code config.broadcast.replay} (§10). */
@FunctionalInterface
public interface BroadcastReplay {

    /**
     * The newest {@code limit} private broadcasts of a topic inserted since a time, oldest first.
     * Blocks on the tenant database: called on a worker thread only.
     *
     * @param tenantId the tenant's external id
     * @param subTopic the channel name
     * @param sinceMillis the earliest {@code inserted_at}, Unix milliseconds
     * @param limit at most this many, 1 to 25
     * @param deadline how long the query may take
     * @return the messages, oldest first
     * @throws ChannelAuthorizationException if the database could not be read
     */
    List<StoredBroadcast> replay(String tenantId, String subTopic, long sinceMillis, int limit, Duration deadline)
            throws ChannelAuthorizationException;
}
