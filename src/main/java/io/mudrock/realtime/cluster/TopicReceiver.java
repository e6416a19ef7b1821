package io.mudrock.realtime.cluster;

import io.mudrock.realtime.channel.PresenceChange;
import io.mudrock.realtime.channel.PresenceMeta;
import io.mudrock.realtime.channel.TenantLoad;
import io.mudrock.realtime.channel.TopicKey;
import io.mudrock.realtime.protocol.UserBroadcast;
import java.util.List;
import java.util.Map;

/**
 * Where the {@link TopicBus} hands what other nodes published: in the server the channel
 * registry, in tests a recorder. Calls arrive on Redis's I/O thread and must not block.
 */
public interface TopicReceiver {

    /**
     * @param key the topic
     * @param broadcast a broadcast another node published
     * @param storedId the stored message's id (Broadcast from Database), or {@code null}
     */
    void broadcast(TopicKey key, UserBroadcast broadcast, String storedId);

    /**
     * @param node the node whose channels' presence changed
     * @param key the topic
     * @param change what changed
     */
    void presenceChange(String node, TopicKey key, PresenceChange change);

    /**
     * @param node a node
     * @param key the topic
     * @param state everything it tracks there
     */
    void presenceState(String node, TopicKey key, List<PresenceMeta> state);

    /**
     * Another node asked for this node's presence on a topic: publish it.
     *
     * @param key the topic
     */
    void announcePresence(TopicKey key);

    /**
     * A node reported its tenants' load with its hello.
     *
     * @param node the node
     * @param loads tenant id to that node's figures (idle tenants left out)
     */
    void loadReported(String node, Map<String, TenantLoad> loads);

    /**
     * A node left the cluster or stopped answering: its metas leave and its load no longer counts.
     *
     * @param node the node
     */
    void nodeGone(String node);
}
