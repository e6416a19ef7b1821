package io.mudrock.realtime.cluster;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * When each other node was last heard of, so the metas of a node that died (or lost Redis) leave
 * everywhere once it has been silent for {@link #timeoutNanos}. Every node says hello on the
 * cluster's channel every few seconds, far more often than the timeout. Thread-safe.
 */
final class NodeLiveness {

    private final long timeoutNanos;
    private final Map<String, Long> lastHeard = new HashMap<>(); // guarded by this
    private final Set<String> presumedGone = new HashSet<>(); // guarded by this

    NodeLiveness(long timeoutNanos) {
        this.timeoutNanos = timeoutNanos;
    }

    /**
     * A node was heard of.
     *
     * @return true if it had been presumed gone: it is back, and should tell its state again
     */
    synchronized boolean heard(String node, long nowNanos) {
        lastHeard.put(node, nowNanos);
        return presumedGone.remove(node);
    }

    /** A node said goodbye. */
    synchronized void left(String node) {
        lastHeard.remove(node);
        presumedGone.add(node);
    }

    /**
     * @return the nodes silent for longer than the timeout, each reported once until heard again
     */
    synchronized List<String> silentSince(long nowNanos) {
        List<String> silent = new ArrayList<>();
        lastHeard.forEach((node, heard) -> {
            if (nowNanos - heard > timeoutNanos) {
                silent.add(node);
            }
        });
        silent.forEach(node -> {
            lastHeard.remove(node);
            presumedGone.add(node);
        });
        return silent;
    }
}
