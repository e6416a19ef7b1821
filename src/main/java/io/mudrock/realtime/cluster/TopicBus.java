package io.mudrock.realtime.cluster;

import io.mudrock.realtime.channel.PresenceChange;
import io.mudrock.realtime.channel.PresenceMeta;
import io.mudrock.realtime.channel.TenantLoad;
import io.mudrock.realtime.channel.TopicKey;
import io.mudrock.realtime.channel.TopicRelay;
import io.mudrock.realtime.protocol.UserBroadcast;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.LongSupplier;
import java.util.logging.Logger;

/**
 * Topics between nodes over publish/subscribe: one channel per topic (tenant, public or private,
 * sub-topic) carries its broadcasts and presence; one publish per broadcast or presence change;
 * a node is subscribed only to the topics its own channels joined, from before their join
 * replies until the last of them leaves.
 *
 * <p>Each message names the node that sent it, which skips its own: it already delivered it to
 * its members, so every member on every node gets it once. Presence: a node announces each
 * change of its channels' metas; when its first channel of a topic is open it asks, and the
 * others answer with their full state; metas of a node that says goodbye, or stays silent on the cluster's
 * channel for {@link #NODE_TIMEOUT}, leave everywhere. When Redis is unreachable a join waits at
 * most {@code listenBound} for its subscription and goes on, publishes fail fast, each node
 * serves its own clients, and {@link #resubscribeAll} resynchronizes once Redis is back.
 *
 * <p>Concurrency: interests change under this object's lock, so subscribe and unsubscribe reach
 * Redis in the order holders came and went; incoming messages read them without locking.
 */
public final class TopicBus implements TopicRelay {

    /** How often each node says hello, with its tenants' load, on the cluster's channel. */
    public static final Duration HELLO_EVERY = Duration.ofSeconds(1);
    /** How long a silent node's metas stay: after that they leave on every node. */
    public static final Duration NODE_TIMEOUT = Duration.ofSeconds(10);

    private static final Logger LOG = Logger.getLogger(TopicBus.class.getName());
    private static final byte HELLO = 'H';
    private static final byte GOODBYE = 'B';

    private final PubSubPort port;
    private final String nodeId;
    private final byte[] nodeIdUtf8;
    private final String channelPrefix;
    private final String nodesChannel;
    private final TopicReceiver receiver;
    private final Duration listenBound;
    private final LongSupplier clock;
    private final NodeLiveness liveness = new NodeLiveness(NODE_TIMEOUT.toNanos());
    private final Map<String, Interest> interests = new ConcurrentHashMap<>();
    private final AtomicBoolean reachable = new AtomicBoolean(true);

    /**
     * Creates the bus of one node.
     *
     * @param port the publish/subscribe connection
     * @param nodeId this node's id, unique per process start
     * @param namespace separates deployments sharing one Redis (Redis publish/subscribe ignores
     *                  database numbers), e.g. the database number of {@code REDIS_URL}
     * @param receiver where other nodes' messages go
     * @param listenBound how long a join waits for its subscription when Redis is slow or down
     * @param clock nanosecond time, {@link System#nanoTime} outside tests
     */
    public TopicBus(PubSubPort port, String nodeId, String namespace, TopicReceiver receiver, Duration listenBound,
            LongSupplier clock) {
        this.port = port;
        this.nodeId = nodeId;
        this.nodeIdUtf8 = nodeId.getBytes(StandardCharsets.UTF_8);
        this.channelPrefix = "mudrock:" + namespace + ":topic:";
        this.nodesChannel = "mudrock:" + namespace + ":nodes";
        this.receiver = receiver;
        this.listenBound = listenBound;
        this.clock = clock;
    }

    @Override
    public Listening listen(TopicKey key) {
        String channel = channelName(key);
        CompletableFuture<Void> live;
        synchronized (this) {
            Interest interest = interests.get(channel);
            if (interest == null) {
                interest = new Interest(key, subscribe(channel, key, false));
                interests.put(channel, interest);
            }
            interest.holders++;
            live = interest.live;
        }
        return new Handle(channel, live);
    }

    @Override
    public void publish(TopicKey key, UserBroadcast broadcast, String storedId) {
        send(channelName(key), new RelayedBroadcast(nodeId, broadcast, storedId).encode());
    }

    @Override
    public void publishPresence(TopicKey key, PresenceChange change) {
        send(channelName(key), PresenceMessage.change(nodeId, change).encode());
    }

    @Override
    public void publishPresenceState(TopicKey key, List<PresenceMeta> state) {
        send(channelName(key), PresenceMessage.state(nodeId, state).encode());
    }

    @Override
    public void opened(TopicKey key) {
        send(channelName(key), PresenceMessage.ask(nodeId).encode());
    }

    /**
     * A message arrived on a topic's channel this node subscribed to.
     *
     * @param channel the channel
     * @param message the bytes as published
     */
    public void received(String channel, byte[] message) {
        Interest interest = interests.get(channel);
        if (interest == null) {
            return; // its last member left; the unsubscribe is on its way
        }
        if (message.length > 0 && message[0] == 1) {
            if (RelayedBroadcast.publishedBy(message, nodeIdUtf8)) {
                return; // our own publish, heard back: delivered locally already
            }
            Optional<RelayedBroadcast> relayed = RelayedBroadcast.decode(message);
            if (relayed.isPresent() && fromOtherNode(relayed.get().origin())) {
                receiver.broadcast(interest.key, relayed.get().broadcast(), relayed.get().storedId());
            }
            if (relayed.isEmpty()) {
                LOG.fine(() -> "cluster: unreadable broadcast on " + channel + " ignored");
            }
            return;
        }
        Optional<PresenceMessage> presence = PresenceMessage.decode(message);
        if (presence.isEmpty()) {
            LOG.fine(() -> "cluster: unreadable message on " + channel + " ignored");
            return;
        }
        PresenceMessage m = presence.get();
        if (!fromOtherNode(m.origin())) {
            return;
        }
        switch (m.kind()) {
            case CHANGE -> receiver.presenceChange(m.origin(), interest.key, m.change());
            case STATE -> receiver.presenceState(m.origin(), interest.key, m.state());
            case ASK -> receiver.announcePresence(interest.key);
        }
    }

    /** @return the channel on which nodes say hello and goodbye */
    public String nodesChannel() {
        return nodesChannel;
    }

    /**
     * A message arrived on the cluster's channel.
     *
     * @param message {@code H<node>\n<loads>} or {@code B<node>}
     */
    public void receivedOnNodesChannel(byte[] message) {
        if (message.length < 2) {
            return;
        }
        String text = new String(message, 1, message.length - 1, StandardCharsets.UTF_8);
        int newline = text.indexOf('\n');
        String node = newline < 0 ? text : text.substring(0, newline);
        if (node.equals(nodeId)) {
            return;
        }
        if (message[0] == GOODBYE) {
            liveness.left(node);
            LOG.info(() -> "cluster: node " + node + " left; its presence leaves");
            receiver.nodeGone(node);
        } else if (message[0] == HELLO) {
            fromOtherNode(node);
            if (newline >= 0) {
                LoadReport.decode(text.substring(newline + 1)).ifPresent(loads -> receiver.loadReported(node, loads));
            }
        }
    }

    /**
     * Says hello on the cluster's channel with this node's load, and lets the presence and load
     * of nodes silent too long go.
     *
     * @param loads this node's figures per tenant
     */
    public void hello(Map<String, TenantLoad> loads) {
        send(nodesChannel, (((char) HELLO) + nodeId + "\n" + LoadReport.encode(loads)).getBytes(StandardCharsets.UTF_8));
        for (String node : liveness.silentSince(clock.getAsLong())) {
            LOG.warning(() -> "cluster: node " + node + " silent for over " + NODE_TIMEOUT.toSeconds()
                    + " s; its presence leaves");
            receiver.nodeGone(node);
        }
    }

    /**
     * Says goodbye on the cluster's channel, so this node's presence leaves at once everywhere.
     *
     * @return completes when Redis took the message
     */
    public CompletionStage<Void> goodbye() {
        return port.publish(nodesChannel, (((char) GOODBYE) + nodeId).getBytes(StandardCharsets.UTF_8));
    }

    /** Subscribes again to every topic this node has members for and resynchronizes their presence. */
    public synchronized void resubscribeAll() {
        interests.forEach((channel, interest) -> subscribe(channel, interest.key, true));
    }

    /** @return false from a failed Redis operation until the next one that succeeds */
    public boolean reachable() {
        return reachable.get();
    }

    /** @return how many topics this node is subscribed to (for diagnostics and tests) */
    public int topics() {
        return interests.size();
    }

    private boolean fromOtherNode(String origin) {
        if (origin.equals(nodeId)) {
            return false;
        }
        if (liveness.heard(origin, clock.getAsLong())) {
            // It was presumed gone and its metas left: ask everyone again on our topics.
            LOG.info(() -> "cluster: node " + origin + " is back");
            interests.keySet().forEach(channel -> send(channel, PresenceMessage.ask(nodeId).encode()));
        }
        return true;
    }

    private CompletableFuture<Void> subscribe(String channel, TopicKey key, boolean resync) {
        CompletableFuture<Void> live = new CompletableFuture<>();
        port.subscribe(channel).whenComplete((done, error) -> {
            reached(error);
            live.complete(null);
            if (error == null && resync) {
                // The topic exists here already: tell ours (retracting or restoring what the
                // others hold of us) and ask for theirs. A new topic asks once it is open.
                receiver.announcePresence(key);
                send(channel, PresenceMessage.ask(nodeId).encode());
            }
        });
        return live.completeOnTimeout(null, listenBound.toMillis(), TimeUnit.MILLISECONDS);
    }

    private void send(String channel, byte[] message) {
        port.publish(channel, message).whenComplete((done, error) -> reached(error));
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
                LOG.info("cluster: Redis reachable again; broadcasts and presence reach the other nodes");
            }
        } else if (reachable.compareAndSet(true, false)) {
            LOG.warning("cluster: Redis unreachable (" + error.getMessage()
                    + "); broadcasts and presence reach this node's clients only until it is back");
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
