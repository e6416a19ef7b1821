package io.mudrock.realtime.channel;

import com.fasterxml.jackson.databind.node.ObjectNode;
import io.mudrock.realtime.metrics.RealtimeMetrics;
import io.mudrock.realtime.protocol.FanOutFrames;
import io.mudrock.realtime.protocol.FrameEncoder;
import io.mudrock.realtime.protocol.OutboundFrame;
import io.mudrock.realtime.protocol.UserBroadcast;
import jakarta.enterprise.context.ApplicationScoped;
import java.security.SecureRandom;
import java.util.Base64;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Who listens to what: the fan-out index per {@link TopicKey} (tenant, public or private,
 * sub-topic), each topic's presence, and each tenant's live counters. The one owner of that
 * state; everything else asks it.
 *
 * <p>Concurrency: the index is a concurrent map whose entries are created and dropped atomically
 * with their first and last member, so a join never lands in a topic that is being removed.
 * Fan-out iterates a topic's members without locking. Presence changes lock their topic and
 * queue the diff to every receiver inside that lock, so all receivers see one topic's diffs in
 * the same order. Queuing never blocks (see {@link ClientLink#send}).
 */
@ApplicationScoped
public class ChannelRegistry {

    private final ConcurrentHashMap<TopicKey, Topic> topics = new ConcurrentHashMap<>();
    private final ConcurrentHashMap<String, TenantActivity> tenants = new ConcurrentHashMap<>();
    private final PresenceRefs presenceRefs = new PresenceRefs();
    private volatile boolean shuttingDown;
    private volatile JoinListener joinListener = JoinListener.NONE;
    private volatile TopicRelay relay = TopicRelay.LOCAL;

    /**
     * The counters of one tenant, created on first use.
     *
     * @param tenantId the tenant's external id
     * @return its counters
     */
    public TenantActivity activity(String tenantId) {
        return tenants.computeIfAbsent(tenantId, id -> new TenantActivity());
    }

    /**
     * This node's figures of every tenant with channels or recent traffic, for the other nodes.
     *
     * @return tenant id to its load, without idle tenants
     */
    public Map<String, TenantLoad> localLoads() {
        Map<String, TenantLoad> loads = new HashMap<>();
        tenants.forEach((id, activity) -> {
            TenantLoad load = activity.localLoad();
            if (!load.idle()) {
                loads.put(id, load);
            }
        });
        return loads;
    }

    /** @return true once the server started shutting down: joins are refused from then on */
    public boolean shuttingDown() {
        return shuttingDown;
    }

    /** Refuses every later join with {@code RealtimeRestarting}. */
    public void startShutdown() {
        shuttingDown = true;
    }

    /**
     * Sets the bus to the other nodes ({@link TopicRelay#LOCAL} when there are none), before
     * the first client joins.
     *
     * @param relay the relay, or {@code null} for {@link TopicRelay#LOCAL}
     */
    public void relay(TopicRelay relay) {
        this.relay = relay == null ? TopicRelay.LOCAL : relay;
    }

    /**
     * Starts hearing other nodes' broadcasts on a topic for one joining channel.
     *
     * @param key the topic
     * @return the handle the channel closes when it ends
     */
    TopicRelay.Listening listen(TopicKey key) {
        return relay.listen(key);
    }

    /**
     * Sends a broadcast to every receiver of a topic on this node, encoded once per frame
     * format, and hands it once to the other nodes.
     *
     * @param key the topic
     * @param broadcast the broadcast
     * @param exclude the sending channel when it did not ask for {@code self}, else {@code null}
     * @return how many channels of this node it was queued for
     */
    public int broadcast(TopicKey key, UserBroadcast broadcast, ChannelMember exclude) {
        int delivered = deliver(key, broadcast, exclude);
        relay.publish(key, broadcast, null);
        return delivered;
    }

    /**
     * Sends a broadcast that another node published to this node's receivers of the topic; the
     * sender is never here, so nobody is excluded, and nothing is published again.
     *
     * @param key the topic
     * @param broadcast the broadcast
     * @param storedId the stored message's id (Broadcast from Database), or {@code null}
     * @return how many channels it was queued for
     */
    public int deliverRelayed(TopicKey key, UserBroadcast broadcast, String storedId) {
        return storedId == null ? deliver(key, broadcast, null) : deliverStored(key, broadcast, storedId);
    }

    /** @return true when other nodes share this node's topics (a cluster on Redis) */
    public boolean clustered() {
        return relay != TopicRelay.LOCAL;
    }

    private int deliver(TopicKey key, UserBroadcast broadcast, ChannelMember exclude) {
        Topic topic = topics.get(key);
        if (topic == null) {
            return 0;
        }
        FanOutFrames frames = FrameEncoder.broadcast(key.topic(), broadcast);
        int delivered = 0;
        for (ChannelMember member : topic.members) {
            if (member == exclude || !member.receivesBroadcasts()) {
                continue;
            }
            Optional<OutboundFrame> frame = frames.frameFor(member.serializer());
            if (frame.isPresent()) {
                member.send(frame.get());
                delivered++;
            }
        }
        RealtimeMetrics.tenant(key.tenantId()).broadcastSent(delivered);
        return delivered;
    }

    /**
     * Sends a stored broadcast (Broadcast from Database) to every receiver of a topic, except
     * channels whose join replay already pushed the same message.
     *
     * @param key the topic
     * @param broadcast the broadcast, with {@code meta.id}
     * @param messageId the stored message's id
     * @return how many channels it was queued for
     */
    public int broadcastStored(TopicKey key, UserBroadcast broadcast, String messageId) {
        int delivered = deliverStored(key, broadcast, messageId);
        relay.publish(key, broadcast, messageId);
        return delivered;
    }

    private int deliverStored(TopicKey key, UserBroadcast broadcast, String messageId) {
        Topic topic = topics.get(key);
        if (topic == null) {
            return 0;
        }
        FanOutFrames frames = FrameEncoder.broadcast(key.topic(), broadcast);
        int delivered = 0;
        for (ChannelMember member : topic.members) {
            if (!member.receivesBroadcasts() || member.wasReplayed(messageId)) {
                continue;
            }
            Optional<OutboundFrame> frame = frames.frameFor(member.serializer());
            if (frame.isPresent()) {
                member.send(frame.get());
                delivered++;
            }
        }
        return delivered;
    }

    /**
     * Whether any channel of a tenant is joined or joining (a linear scan: called now and then).
     *
     * @param tenantId the tenant's external id
     * @return true if a topic of the tenant has a member
     */
    public boolean hasChannels(String tenantId) {
        if (clustered() && activity(tenantId).connectedUsers() > 0) {
            return true; // users on other nodes: this node's stream of stored messages serves them too
        }
        for (TopicKey key : topics.keySet()) {
            if (key.tenantId().equals(tenantId)) {
                return true;
            }
        }
        return false;
    }

    /**
     * Sets who hears of every join once it is visible to fan-out (the Broadcast from Database
     * streams, which start on a tenant's first channel).
     *
     * @param listener the listener; it must return quickly
     */
    public void joinListener(JoinListener listener) {
        joinListener = listener == null ? JoinListener.NONE : listener;
    }

    /** Told of each join once the channel receives fan-out. */
    @FunctionalInterface
    public interface JoinListener {
        /** Hears nothing. */
        JoinListener NONE = member -> { };

        /**
         * A channel joined.
         *
         * @param member the channel
         */
        void joined(ChannelMember member);
    }

    /** @return how many channels listen on a topic now (for tests and diagnostics) */
    public int listeners(TopicKey key) {
        Topic topic = topics.get(key);
        return topic == null ? 0 : topic.members.size();
    }

    /**
     * Makes a joined channel visible to fan-out and queues its join reply as one step on its
     * link, then {@code presence_state}, in the topic's lock. So no broadcast or diff reaches
     * the client before its join reply, none sent after the client saw the reply is missed, and
     * no diff is lost between the snapshot and the first diff.
     */
    void join(ChannelMember member, OutboundFrame reply) {
        boolean[] opened = {false};
        topics.compute(member.key(), (key, existing) -> {
            opened[0] = existing == null;
            Topic topic = existing != null ? existing : new Topic(presenceRefs);
            synchronized (topic) {
                member.link().publishThenSend(() -> {
                    topic.members.add(member);
                    member.replyQueued();
                }, reply);
                if (member.receivesPresence()) {
                    member.send(FrameEncoder.push(member.serializer(), member.joinRef(), member.topic(),
                            "presence_state", topic.presenceState()));
                }
            }
            return topic;
        });
        if (opened[0]) {
            relay.opened(member.key());
        }
        if (!member.isOpen()) {
            leave(member); // it closed while joining: its own leave may have run before the add
            return;
        }
        joinListener.joined(member);
    }

    /** Sends a channel the presence of its topic, in the topic's lock so no diff overtakes it. */
    void sendPresenceState(ChannelMember member) {
        Topic topic = topics.get(member.key());
        if (topic == null || !member.receivesPresence()) {
            return;
        }
        synchronized (topic) {
            member.send(FrameEncoder.push(member.serializer(), member.joinRef(), member.topic(), "presence_state",
                    topic.presenceState()));
        }
    }

    /**
     * Removes a channel from fan-out and its presence, telling the others with a diff.
     *
     * @return how many presence diffs were queued
     */
    int leave(ChannelMember member) {
        int[] delivered = {0};
        topics.computeIfPresent(member.key(), (key, topic) -> {
            synchronized (topic) {
                topic.members.remove(member);
                delivered[0] = fanOutAndRelay(topic, key, topic.presence.untrack(member));
                return topic.members.isEmpty() && topic.presence.isEmpty() ? null : topic;
            }
        });
        return delivered[0];
    }

    /** What {@link #track} returns when the topic's presence is full and nothing was tracked. */
    static final int TOPIC_FULL = -1;

    /**
     * Tracks or updates a channel's presence, if its topic has room ({@link ChannelCaps}).
     *
     * @param accepted runs once the topic has room, before the diff goes out (in the topic's lock,
     *                 so it may queue the reply and {@code presence_state} ahead of the diff)
     * @return how many diffs were queued (0 when nothing changed), or {@link #TOPIC_FULL}
     */
    int track(ChannelMember member, ObjectNode payload, Runnable accepted) {
        Topic topic = topics.get(member.key());
        if (topic == null) {
            accepted.run();
            return 0;
        }
        int delivered;
        synchronized (topic) {
            if (!topic.presence.fits(member, PresenceState.entryBytes(member.presenceKey(), payload))) {
                return TOPIC_FULL;
            }
            accepted.run();
            delivered = fanOutAndRelay(topic, member.key(), topic.presence.track(member, member.presenceKey(), payload));
        }
        if (!member.isOpen()) {
            untrack(member); // closed concurrently: its leave may have untracked before this track
        }
        return delivered;
    }

    /**
     * Removes a channel's presence.
     *
     * @return how many diffs were queued
     */
    int untrack(ChannelMember member) {
        Topic topic = topics.get(member.key());
        if (topic == null) {
            return 0;
        }
        synchronized (topic) {
            return fanOutAndRelay(topic, member.key(), topic.presence.untrack(member));
        }
    }

    /**
     * Applies a presence change another node announced, telling this node's receivers with a diff.
     *
     * @param node the announcing node
     * @param key the topic
     * @param change what changed there
     * @return how many diffs were queued
     */
    public int presenceFrom(String node, TopicKey key, PresenceChange change) {
        Topic topic = topics.get(key);
        if (topic == null) {
            return 0;
        }
        synchronized (topic) {
            return fanOut(topic, key, topic.remote.apply(node, change));
        }
    }

    /**
     * Replaces what another node tracks on a topic with its full state (after it joined the
     * topic or came back to Redis), telling this node's receivers what changed.
     *
     * @param node the node
     * @param key the topic
     * @param state every meta it tracks there
     * @return how many diffs were queued
     */
    public int presenceStateFrom(String node, TopicKey key, List<PresenceMeta> state) {
        Topic topic = topics.get(key);
        if (topic == null) {
            return 0;
        }
        synchronized (topic) {
            return fanOut(topic, key, topic.remote.replace(node, state));
        }
    }

    /**
     * Lets every meta of a node that left the cluster (or stopped answering) leave, on every topic.
     *
     * @param node the node
     */
    public void presenceNodeGone(String node) {
        topics.forEach((key, topic) -> {
            synchronized (topic) {
                fanOut(topic, key, topic.remote.removeNode(node));
            }
        });
    }

    /**
     * Hands what this node's channels track on a topic to the other nodes, for one that asked;
     * in the topic's lock, so the state takes its place among the topic's changes.
     *
     * @param key a topic
     */
    public void announcePresence(TopicKey key) {
        Topic topic = topics.get(key);
        if (topic == null) {
            return;
        }
        synchronized (topic) {
            // Even when empty: after an outage it retracts what the others still hold of this node.
            relay.publishPresenceState(key, topic.presence.metas());
        }
    }

    /** Fans a local change out to this node's receivers and hands it to the other nodes, in the topic's lock. */
    private int fanOutAndRelay(Topic topic, TopicKey key, PresenceState.PresenceDiff diff) {
        if (diff.isEmpty()) {
            return 0;
        }
        TopicRelay current = relay;
        if (current != TopicRelay.LOCAL) {
            current.publishPresence(key, diff.forOtherNodes());
        }
        return fanOut(topic, key, diff);
    }

    private static int fanOut(Topic topic, TopicKey key, PresenceState.PresenceDiff diff) {
        if (diff.isEmpty()) {
            return 0;
        }
        FanOutFrames frames = FrameEncoder.fanOut(key.topic(), "presence_diff", diff.toJson());
        int delivered = 0;
        for (ChannelMember member : topic.members) {
            if (member.receivesPresence()) {
                frames.frameFor(member.serializer()).ifPresent(member::send);
                delivered++;
            }
        }
        RealtimeMetrics.tenant(key.tenantId()).presenceSent(delivered);
        return delivered;
    }

    /** One topic's listeners, this node's presence on it and the other nodes'. */
    private static final class Topic {
        final Set<ChannelMember> members = ConcurrentHashMap.newKeySet();
        final PresenceState presence;
        final RemotePresence remote = new RemotePresence();

        Topic(PresenceRefs refs) {
            presence = new PresenceState(refs::next);
        }

        /** The {@code presence_state} a joiner gets: every node's metas. */
        ObjectNode presenceState() {
            return presence.state(remote.metas());
        }
    }

    /**
     * Unique {@code phx_ref} values: a random per-process prefix and a counter, base64url,
     * looking like Phoenix's and never repeating within the process.
     */
    static final class PresenceRefs {
        private final long prefix = new SecureRandom().nextLong();
        private final AtomicLong counter = new AtomicLong();

        String next() {
            long n = counter.incrementAndGet();
            byte[] bytes = new byte[12];
            for (int i = 0; i < 4; i++) {
                bytes[i] = (byte) (prefix >>> (56 - 8 * i));
            }
            for (int i = 0; i < 8; i++) {
                bytes[4 + i] = (byte) (n >>> (56 - 8 * i));
            }
            return Base64.getUrlEncoder().withoutPadding().encodeToString(bytes);
        }
    }
}
