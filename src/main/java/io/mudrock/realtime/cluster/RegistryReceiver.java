package io.mudrock.realtime.cluster;

import io.mudrock.realtime.channel.ChannelRegistry;
import io.mudrock.realtime.channel.PresenceChange;
import io.mudrock.realtime.channel.PresenceMeta;
import io.mudrock.realtime.channel.TopicKey;
import io.mudrock.realtime.protocol.UserBroadcast;
import java.util.List;

/** Hands what the other nodes published to this node's channel registry. */
final class RegistryReceiver implements TopicReceiver {

    private final ChannelRegistry registry;

    RegistryReceiver(ChannelRegistry registry) {
        this.registry = registry;
    }

    @Override
    public void broadcast(TopicKey key, UserBroadcast broadcast) {
        registry.deliverRelayed(key, broadcast);
    }

    @Override
    public void presenceChange(String node, TopicKey key, PresenceChange change) {
        registry.presenceFrom(node, key, change);
    }

    @Override
    public void presenceState(String node, TopicKey key, List<PresenceMeta> state) {
        registry.presenceStateFrom(node, key, state);
    }

    @Override
    public void announcePresence(TopicKey key) {
        registry.announcePresence(key);
    }

    @Override
    public void nodeGone(String node) {
        registry.presenceNodeGone(node);
    }
}
