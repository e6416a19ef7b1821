package io.mudrock.realtime.cluster;

/**
 * How this node stands in the cluster, for health and diagnostics.
 *
 * @param enabled whether {@code REDIS_URL} is set
 * @param nodeId this node's id
 * @param redisReachable whether the last Redis operation succeeded (always true when disabled)
 * @param topics how many topics this node is subscribed to
 */
public record ClusterStatus(boolean enabled, String nodeId, boolean redisReachable, int topics) {
}
