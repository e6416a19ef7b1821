package io.mudrock.realtime.cluster;

import io.mudrock.realtime.channel.ChannelRegistry;
import io.mudrock.realtime.channel.PresenceChange;
import io.mudrock.realtime.channel.PresenceMeta;
import io.mudrock.realtime.channel.TenantLoad;
import io.mudrock.realtime.channel.TopicKey;
import io.mudrock.realtime.protocol.UserBroadcast;
import java.util.List;
import java.util.Map;

/** Hands what the other nodes published to this node's channel registry, and sums their tenants' load. */
final class RegistryReceiver implements TopicReceiver {

    private final ChannelRegistry registry;
    private final ClusterLoads loads = new ClusterLoads();

    RegistryReceiver(ChannelRegistry registry) {
        this.registry = registry;
    }

    @Override
    public void broadcast(TopicKey key, UserBroadcast broadcast, String storedId) {
        registry.deliverRelayed(key, broadcast, storedId);
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
    public void loadReported(String node, Map<String, TenantLoad> reported) {
        apply(loads.reported(node, reported));
    }

    @Override
    public void nodeGone(String node) {
        registry.presenceNodeGone(node);
        apply(loads.forget(node));
    }

    private void apply(Map<String, TenantLoad> sums) {
        sums.forEach((tenant, sum) -> registry.activity(tenant).elsewhere(sum));
    }
}
