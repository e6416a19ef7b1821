package io.mudrock.realtime.cluster;

import io.mudrock.realtime.channel.TenantLoad;
import java.util.HashMap;
import java.util.HashSet;
import java.util.Map;
import java.util.Set;

/**
 * What each other node last reported of each tenant's load, summed per tenant, so this node's
 * limit checks count the whole cluster. Reports come with every hello ({@link TopicBus#HELLO_EVERY}),
 * so the sums are at most that old; a node that leaves or falls silent drops out. Thread-safe.
 */
final class ClusterLoads {

    private final Map<String, Map<String, TenantLoad>> byNode = new HashMap<>(); // guarded by this

    /**
     * Takes a node's report.
     *
     * @return the new sums of every tenant the report or the node's previous one named
     */
    synchronized Map<String, TenantLoad> reported(String node, Map<String, TenantLoad> loads) {
        Map<String, TenantLoad> previous = byNode.put(node, Map.copyOf(loads));
        Set<String> tenants = new HashSet<>(loads.keySet());
        if (previous != null) {
            tenants.addAll(previous.keySet());
        }
        return sums(tenants);
    }

    /**
     * Drops a node that left.
     *
     * @return the new sums of the tenants it had reported
     */
    synchronized Map<String, TenantLoad> forget(String node) {
        Map<String, TenantLoad> previous = byNode.remove(node);
        return previous == null ? Map.of() : sums(previous.keySet());
    }

    private Map<String, TenantLoad> sums(Set<String> tenants) {
        Map<String, TenantLoad> sums = new HashMap<>();
        for (String tenant : tenants) {
            TenantLoad sum = TenantLoad.NONE;
            for (Map<String, TenantLoad> loads : byNode.values()) {
                sum = sum.plus(loads.getOrDefault(tenant, TenantLoad.NONE));
            }
            sums.put(tenant, sum);
        }
        return sums;
    }
}
