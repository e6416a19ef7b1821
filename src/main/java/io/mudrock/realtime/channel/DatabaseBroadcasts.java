package io.mudrock.realtime.channel;

import io.mudrock.realtime.protocol.JsonText;
import io.mudrock.realtime.protocol.UserBroadcast;
import java.nio.charset.StandardCharsets;
import java.util.Objects;

/**
 * The channel layer's entry for Broadcast from Database: delivers a row of
 * {@code realtime.messages} to the channels of its topic, as upstream does: a private message only
 * to private channels whose policies allow reading broadcasts, a public one only to public
 * channels; {@code meta.id} is the message id; binary framing for vsn 2.0.0 receivers as for a
 * client's binary push. Also answers {@code config.broadcast.replication_ready}. Thread-safe.
 */
public final class DatabaseBroadcasts {

    /** The {@code system} message upstream sends once the tenant's replication connection is up. */
    public static final String REPLICATION_READY = "Replication connection established";

    private final ChannelRegistry registry;

    /**
     * @param registry the fan-out registry
     */
    public DatabaseBroadcasts(ChannelRegistry registry) {
        this.registry = Objects.requireNonNull(registry, "registry");
    }

    /**
     * Queues one stored broadcast to every receiver of its topic.
     *
     * @param tenantId the tenant's external id
     * @param subTopic the message's topic
     * @param privateMessage the message's {@code private} flag
     * @param id the message id
     * @param event the user event
     * @param payloadJson the JSON payload, or {@code null} for a binary message
     * @param binaryPayload the binary payload, or {@code null} for a JSON message
     * @return how many channels it was queued for
     * @throws IllegalArgumentException if the JSON payload is not one well-formed value
     */
    public int deliver(String tenantId, String subTopic, boolean privateMessage, String id, String event,
            String payloadJson, byte[] binaryPayload) {
        TopicKey key = new TopicKey(tenantId, privateMessage, subTopic);
        if (registry.listeners(key) == 0 && !registry.clustered()) {
            return 0; // most messages of a busy database have no listener on this server: build nothing
        }
        String meta = "{\"id\":" + JsonText.quote(id) + "}";
        UserBroadcast broadcast = binaryPayload != null
                ? UserBroadcast.binaryFramed(event, UserBroadcast.Encoding.BINARY, binaryPayload, meta)
                : UserBroadcast.binaryFramed(event, UserBroadcast.Encoding.JSON,
                        payloadJson.getBytes(StandardCharsets.UTF_8), meta);
        return registry.broadcastStored(key, broadcast, id);
    }

    /**
     * Whether a channel asked for {@code config.broadcast.replication_ready}.
     *
     * @param member the channel
     * @return true if it waits for {@link #REPLICATION_READY}
     */
    public static boolean wantsReplicationReady(ChannelMember member) {
        return member.request().replicationReady();
    }

    /**
     * Tells a channel that the tenant's stream is established (after its join reply).
     *
     * @param member the channel
     */
    public static void replicationReady(ChannelMember member) {
        member.status("system", true, REPLICATION_READY);
    }
}
