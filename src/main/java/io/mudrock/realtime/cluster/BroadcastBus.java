package io.mudrock.realtime.cluster;

import io.mudrock.realtime.channel.TopicRelay;
import io.mudrock.realtime.channel.TopicKey;
import io.mudrock.realtime.protocol.UserBroadcast;
import java.time.Duration;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.BiConsumer;
import java.util.logging.Logger;

/**
 * Broadcasts between nodes over publish/subscribe: one channel per topic (tenant, public or
 * private, sub-topic), one publish per broadcast, and a node subscribed only to the topics its
 * own channels joined, from before their join replies until the last of them leaves.
 *
 * <p>Each message names the node that published it; that node already delivered it to its own
 * members and skips it, so every member on every node gets it once. When Redis is unreachable a
 * join waits at most {@code listenBound} for its subscription and then goes on, publishes fail
 * fast, and each node serves its own clients until Redis is back ({@link #resubscribeAll}).
 *
 * <p>Concurrency: the interests are changed under this object's lock, so subscribe and
 * unsubscribe reach Redis in the order the holders came and went; incoming messages read them
 * without locking.
 */
public final class BroadcastBus implements TopicRelay {

    private static final Logger LOG = Logger.getLogger(BroadcastBus.class.getName());

    private final PubSubPort port;
    private final String nodeId;
    private final String channelPrefix;
    private final BiConsumer<TopicKey, UserBroadcast> receiver;
    private final Duration listenBound;
    private final Map<String, Interest> interests = new ConcurrentHashMap<>();
    private final AtomicBoolean reachable = new AtomicBoolean(true);

    /**
     * Creates the bus of one node.
     *
     * @param port the publish/subscribe connection
     * @param nodeId this node's id, unique per process start
     * @param namespace separates deployments sharing one Redis (Redis publish/subscribe ignores
     *                  database numbers), e.g. the database number of {@code REDIS_URL}
     * @param receiver where other nodes' broadcasts go (the registry's local fan-out)
     * @param listenBound how long a join waits for its subscription when Redis is slow or down
     */
    public BroadcastBus(PubSubPort port, String nodeId, String namespace, BiConsumer<TopicKey, UserBroadcast> receiver,
            Duration listenBound) {
        this.port = port;
        this.nodeId = nodeId;
        this.channelPrefix = "mudrock:" + namespace + ":broadcast:";
        this.receiver = receiver;
        this.listenBound = listenBound;
    }

    @Override
    public Listening listen(TopicKey key) {
        String channel = channelName(key);
        CompletableFuture<Void> live;
        synchronized (this) {
            Interest interest = interests.get(channel);
            if (interest == null) {
                interest = new Interest(key, subscribe(channel));
                interests.put(channel, interest);
            }
            interest.holders++;
            live = interest.live;
        }
        return new Handle(channel, live);
    }

    @Override
    public void publish(TopicKey key, UserBroadcast broadcast) {
        byte[] message = new RelayedBroadcast(nodeId, broadcast).encode();
        port.publish(channelName(key), message).whenComplete((done, error) -> reached(error));
    }

    /**
     * A message arrived on a channel this node subscribed to.
     *
     * @param channel the channel
     * @param message the bytes as published
     */
    public void received(String channel, byte[] message) {
        Interest interest = interests.get(channel);
        if (interest == null) {
            return; // its last member left; the unsubscribe is on its way
        }
        Optional<RelayedBroadcast> relayed = RelayedBroadcast.decode(message);
        if (relayed.isEmpty()) {
            LOG.fine(() -> "cluster: unreadable message on " + channel + " ignored");
            return;
        }
        if (!relayed.get().origin().equals(nodeId)) {
            receiver.accept(interest.key, relayed.get().broadcast());
        }
    }

    /** Subscribes again to every topic this node has members for: after Redis came back. */
    public synchronized void resubscribeAll() {
        interests.keySet().forEach(this::subscribe);
    }

    /** @return false from a failed Redis operation until the next one that succeeds */
    public boolean reachable() {
        return reachable.get();
    }

    /** @return how many topics this node is subscribed to (for diagnostics and tests) */
    public int topics() {
        return interests.size();
    }

    private CompletableFuture<Void> subscribe(String channel) {
        CompletableFuture<Void> live = new CompletableFuture<>();
        port.subscribe(channel).whenComplete((done, error) -> {
            reached(error);
            live.complete(null);
        });
        return live.completeOnTimeout(null, listenBound.toMillis(), TimeUnit.MILLISECONDS);
    }

    private void release(String channel) {
        synchronized (this) {
            Interest interest = interests.get(channel);
            if (interest == null || --interest.holders > 0) {
                return;
            }
            interests.remove(channel);
            port.unsubscribe(channel);
        }
    }

    private void reached(Throwable error) {
        if (error == null) {
            if (reachable.compareAndSet(false, true)) {
                LOG.info("cluster: Redis reachable again; broadcasts reach the other nodes");
            }
        } else if (reachable.compareAndSet(true, false)) {
            LOG.warning("cluster: Redis unreachable (" + error.getMessage()
                    + "); broadcasts reach this node's clients only until it is back");
        }
    }

    /**
     * The channel of a topic: the tenant id is length-prefixed so that no tenant and topic pair
     * can spell another's channel.
     */
    String channelName(TopicKey key) {
        return channelPrefix + key.tenantId().length() + ":" + key.tenantId()
                + (key.privateChannel() ? ":private:" : ":public:") + key.subTopic();
    }

    /** The holders of one topic's subscription; {@code holders} is guarded by the bus. */
    private static final class Interest {
        final TopicKey key;
        final CompletableFuture<Void> live;
        int holders;

        Interest(TopicKey key, CompletableFuture<Void> live) {
            this.key = key;
            this.live = live;
        }
    }

    /** One channel's hold on a topic's subscription. */
    private final class Handle implements Listening {
        private final String channel;
        private final CompletableFuture<Void> live;
        private final AtomicBoolean closed = new AtomicBoolean();

        Handle(String channel, CompletableFuture<Void> live) {
            this.channel = channel;
            this.live = live;
        }

        @Override
        public CompletionStage<Void> live() {
            return live.copy();
        }

        @Override
        public void close() {
            if (closed.compareAndSet(false, true)) {
                release(channel);
            }
        }
    }
}
