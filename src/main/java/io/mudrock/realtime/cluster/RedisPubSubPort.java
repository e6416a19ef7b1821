package io.mudrock.realtime.cluster;

import io.lettuce.core.RedisClient;
import io.lettuce.core.RedisConnectionException;
import io.lettuce.core.api.StatefulRedisConnection;
import io.lettuce.core.codec.ByteArrayCodec;
import io.lettuce.core.codec.RedisCodec;
import io.lettuce.core.codec.StringCodec;
import io.lettuce.core.pubsub.RedisPubSubAdapter;
import io.lettuce.core.pubsub.StatefulRedisPubSubConnection;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.function.BiConsumer;

/**
 * {@link PubSubPort} on Lettuce: one connection that holds the subscriptions and one that
 * publishes, both opened by {@link #connect} (retried by the owner while Redis is down at start).
 * Lettuce reconnects them after an outage and restores the subscriptions it confirmed; the bus
 * subscribes again to the rest.
 */
final class RedisPubSubPort implements PubSubPort, AutoCloseable {

    private static final RedisCodec<String, byte[]> CODEC = RedisCodec.of(StringCodec.UTF8, ByteArrayCodec.INSTANCE);

    private final RedisClient client;
    private final BiConsumer<String, byte[]> messages;
    private volatile StatefulRedisPubSubConnection<String, byte[]> subscriptions;
    private volatile StatefulRedisConnection<String, byte[]> publisher;

    RedisPubSubPort(RedisClient client, BiConsumer<String, byte[]> messages) {
        this.client = client;
        this.messages = messages;
    }

    /**
     * Opens both connections if they are not open yet.
     *
     * @return true once both are open
     */
    synchronized boolean connect() {
        try {
            if (subscriptions == null) {
                StatefulRedisPubSubConnection<String, byte[]> opened = client.connectPubSub(CODEC);
                opened.addListener(new RedisPubSubAdapter<>() {
                    @Override
                    public void message(String channel, byte[] message) {
                        messages.accept(channel, message);
                    }
                });
                subscriptions = opened;
            }
            if (publisher == null) {
                publisher = client.connect(CODEC);
            }
            return true;
        } catch (RedisConnectionException e) {
            return false;
        }
    }

    @Override
    public CompletionStage<Void> subscribe(String channel) {
        StatefulRedisPubSubConnection<String, byte[]> current = subscriptions;
        if (current == null) {
            return CompletableFuture.failedFuture(new RedisConnectionException("not connected to Redis"));
        }
        return current.async().subscribe(channel);
    }

    @Override
    public void unsubscribe(String channel) {
        StatefulRedisPubSubConnection<String, byte[]> current = subscriptions;
        if (current != null) {
            current.async().unsubscribe(channel);
        }
    }

    @Override
    public CompletionStage<Void> publish(String channel, byte[] message) {
        StatefulRedisConnection<String, byte[]> current = publisher;
        if (current == null) {
            return CompletableFuture.failedFuture(new RedisConnectionException("not connected to Redis"));
        }
        return current.async().publish(channel, message).thenApply(receivers -> null);
    }

    @Override
    public synchronized void close() {
        if (subscriptions != null) {
            subscriptions.close();
            subscriptions = null;
        }
        if (publisher != null) {
            publisher.close();
            publisher = null;
        }
    }
}
