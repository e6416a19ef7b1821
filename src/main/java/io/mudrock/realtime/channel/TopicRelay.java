package io.mudrock.realtime.channel;

import io.mudrock.realtime.protocol.UserBroadcast;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;

/**
 * Carries a topic's broadcasts and presence between server processes, so a channel's members on
 * every node hear them. The registry publishes each broadcast it fans out locally once, and each
 * local presence change, and takes what other nodes published through
 * {@link ChannelRegistry#deliverRelayed} and {@link ChannelRegistry#presenceFrom}. One process uses {@link #LOCAL}, which
 * does nothing: the single-process path has no bus on it.
 */
public interface TopicRelay {

    /** No other nodes: nothing to listen to, nothing to publish. */
    TopicRelay LOCAL = new TopicRelay() {
        @Override
        public Listening listen(TopicKey key) {
            return Listening.LIVE;
        }

        @Override
        public void publish(TopicKey key, UserBroadcast broadcast, String storedId) {
        }

        @Override
        public void publishPresence(TopicKey key, PresenceChange change) {
        }

        @Override
        public void publishPresenceState(TopicKey key, List<PresenceMeta> state) {
        }

        @Override
        public void opened(TopicKey key) {
        }
    };

    /**
     * Starts hearing a topic's broadcasts from other nodes, for one channel that joins it. Each
     * call must be matched by one {@link Listening#close()}; the node stops hearing the topic
     * when the last is closed.
     *
     * @param key the topic
     * @return the handle; its {@link Listening#live()} completes once other nodes' broadcasts arrive
     */
    Listening listen(TopicKey key);

    /**
     * Hands a broadcast to the other nodes, once per broadcast whatever the number of receivers.
     * Never blocks and never throws: when the bus is down, local delivery goes on alone.
     *
     * @param key the topic
     * @param broadcast the broadcast, already delivered to this node's members
     * @param storedId for a stored message (Broadcast from Database), its id, so receivers whose
     *                 join replay already pushed it skip it; {@code null} for a client's broadcast
     */
    void publish(TopicKey key, UserBroadcast broadcast, String storedId);

    /**
     * Hands a presence change of this node's channels to the other nodes, in the order of the
     * topic's diffs. Never blocks and never throws.
     *
     * @param key the topic
     * @param change what changed
     */
    void publishPresence(TopicKey key, PresenceChange change);

    /**
     * Hands everything this node's channels track on a topic to the other nodes (when one asks),
     * in order with the topic's changes. Never blocks and never throws.
     *
     * @param key the topic
     * @param state every meta this node tracks there
     */
    void publishPresenceState(TopicKey key, List<PresenceMeta> state);

    /**
     * This node's first channel of a topic is visible to fan-out: ask the other nodes for their
     * presence there. Asked only now, not when the subscription went live, so their answers
     * find the topic. Never blocks and never throws.
     *
     * @param key the topic
     */
    void opened(TopicKey key);

    /** One channel's interest in a topic's broadcasts from other nodes. */
    interface Listening {
        /** Already live, and nothing to close: what {@link #LOCAL} returns. */
        Listening LIVE = new Listening() {
            @Override
            public CompletionStage<Void> live() {
                return CompletableFuture.completedFuture(null);
            }

            @Override
            public void close() {
            }
        };

        /**
         * @return completes once broadcasts other nodes publish on the topic reach this node (or
         *         when the relay gave up waiting, the bus being down: the join goes on locally)
         */
        CompletionStage<Void> live();

        /** Ends this interest; idempotent. */
        void close();
    }
}
