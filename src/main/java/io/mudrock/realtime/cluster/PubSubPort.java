package io.mudrock.realtime.cluster;

import java.util.concurrent.CompletionStage;

/**
 * The publish/subscribe operations the broadcast bus needs from Redis, so its logic runs against
 * an in-JVM fake in tests. Implementations never block the caller.
 */
public interface PubSubPort {

    /**
     * Subscribes this node to a channel.
     *
     * @param channel the channel name
     * @return completes when Redis confirmed the subscription; fails when Redis is unreachable
     */
    CompletionStage<Void> subscribe(String channel);

    /**
     * Unsubscribes this node from a channel.
     *
     * @param channel the channel name
     */
    void unsubscribe(String channel);

    /**
     * Publishes a message to every node subscribed to a channel.
     *
     * @param channel the channel name
     * @param message the message
     * @return completes when Redis took it; fails when Redis is unreachable
     */
    CompletionStage<Void> publish(String channel, byte[] message);
}
