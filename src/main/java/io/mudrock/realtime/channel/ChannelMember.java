package io.mudrock.realtime.channel;

import io.mudrock.realtime.protocol.LogText;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.mudrock.realtime.protocol.FanOutFrames;
import io.mudrock.realtime.protocol.FrameEncoder;
import io.mudrock.realtime.protocol.OutboundFrame;
import io.mudrock.realtime.protocol.Serializer;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ScheduledFuture;

/**
 * One channel instance on one socket: what it joined with, what it may do, and where its frames
 * go. Created by {@link SocketChannels} on {@code phx_join}; ends on leave, duplicate join,
 * fatal channel error or socket close. Fan-out threads read its volatile fields without locks.
 */
public final class ChannelMember implements PostgresChangesTarget {

    private final ClientLink link;
    private final TopicKey key;
    private final String topic;
    private final String joinRef;
    private final JoinRequest request;
    private final ChannelTenant tenant;
    private final TenantActivity activity;
    private final SubscriberQueue changes;
    private final CallWindow presenceCalls = new CallWindow();

    private volatile ClientClaims claims;
    private volatile TopicPermissions permissions = new TopicPermissions(false, false, false, false);
    private volatile boolean presenceEnabled;
    private volatile boolean joined;
    // Set with the join reply queued (ChannelRegistry.join): changes go out only after the reply.
    private volatile boolean replyQueued;
    private volatile boolean open = true;
    private volatile PostgresChangesSubscription subscription;
    private TopicRelay.Listening listening = TopicRelay.Listening.LIVE; // guarded by this
    private volatile List<PostgresBinding> bindings = List.of();
    private volatile ScheduledFuture<?> expiryCheck;
    private boolean replied; // guarded by this
    private final List<OutboundFrame> heldStatuses = new ArrayList<>(); // guarded by this
    // Ids of the stored broadcasts replayed to this channel: the same messages arriving live are skipped.
    private volatile Set<String> replayedIds = Set.of();

    ChannelMember(ClientLink link, TopicKey key, String joinRef, JoinRequest request, ChannelTenant tenant,
            TenantActivity activity, SubscriberQueue changes, ClientClaims claims) {
        this.link = link;
        this.key = key;
        this.topic = key.topic();
        this.joinRef = joinRef;
        this.request = request;
        this.tenant = tenant;
        this.activity = activity;
        this.changes = changes;
        this.claims = claims;
        this.presenceEnabled = request.presenceEnabled() || tenant.presenceEnabled();
    }

    /** @return the fan-out key */
    public TopicKey key() {
        return key;
    }

    @Override
    public String tenantId() {
        return key.tenantId();
    }

    @Override
    public String topic() {
        return topic;
    }

    @Override
    public String subTopic() {
        return key.subTopic();
    }

    /** @return the {@code join_ref} of the join that created this instance */
    public String joinRef() {
        return joinRef;
    }

    /** @return the socket's frame format */
    public Serializer serializer() {
        return link.serializer();
    }

    /** @return the current claims (replaced by {@code access_token} refreshes) */
    public ClientClaims claims() {
        return claims;
    }

    @Override
    public boolean isOpen() {
        return open;
    }

    @Override
    public boolean deliver(long[] ids, String dataJson) {
        return deliver(FrameEncoder.postgresChanges(topic, ids, dataJson));
    }

    @Override
    public boolean deliver(FanOutFrames frames) {
        if (!open || !replyQueued) {
            return false;
        }
        // Through the socket's own queue: its budget and backlog are its own, never the stream's.
        frames.frameFor(link.serializer()).ifPresent(frame -> changes.offer(frame, tenant.maxEventsPerSecond()));
        return true;
    }

    @Override
    public void postgresChangesStatus(boolean ok, String message) {
        status("postgres_changes", ok, message);
    }

    /** A {@code system} message, held until the join reply is queued. */
    void status(String extension, boolean ok, String message) {
        OutboundFrame frame = system(extension, ok, message);
        synchronized (this) {
            if (!replied) {
                heldStatuses.add(frame); // the client must read the join reply first
                return;
            }
            send(frame);
        }
    }

    /** The join reply is queued: {@code system} messages held until now follow it, in order. */
    synchronized void replied() {
        replied = true;
        heldStatuses.forEach(this::send);
        heldStatuses.clear();
    }

    @Override
    public String toString() {
        return LogText.channel(key.tenantId(), topic) + " socket=" + link.id() + (key.privateChannel() ? " private" : "");
    }

    // --- used by the registry and SocketChannels --------------------------------------------

    ClientLink link() {
        return link;
    }

    JoinRequest request() {
        return request;
    }

    ChannelTenant tenant() {
        return tenant;
    }

    TenantActivity activity() {
        return activity;
    }

    CallWindow presenceCalls() {
        return presenceCalls;
    }

    String presenceKey() {
        return request.presenceKey();
    }

    TopicPermissions permissions() {
        return permissions;
    }

    void permissions(TopicPermissions permissions) {
        this.permissions = permissions;
    }

    void claims(ClientClaims claims) {
        this.claims = claims;
    }

    boolean joined() {
        return joined;
    }

    /** Called in the same step as queuing the join reply, under the link's send lock. */
    void replyQueued() {
        replyQueued = true;
    }

    /**
     * Completes the join.
     *
     * @return false if the instance ended meanwhile
     */
    synchronized boolean markJoined(List<PostgresBinding> bindings) {
        if (!open) {
            return false;
        }
        this.bindings = bindings;
        this.joined = true;
        return true;
    }

    /** Keeps the change subscription, whenever it arrives; closes it at once if this instance ended. */
    synchronized void attach(PostgresChangesSubscription subscription) {
        if (!open) {
            subscription.close();
            return;
        }
        this.subscription = subscription;
    }

    /** Keeps this channel's interest in other nodes' broadcasts; closes it at once if this instance ended. */
    synchronized void listening(TopicRelay.Listening interest) {
        if (!open) {
            interest.close();
            return;
        }
        this.listening = interest;
    }

    List<PostgresBinding> bindings() {
        return bindings;
    }

    PostgresChangesSubscription subscription() {
        return subscription;
    }

    /** Presence is on once the join asked for it, the tenant enables it, or the client tracked. */
    void enablePresence() {
        presenceEnabled = true;
    }

    boolean presenceEnabled() {
        return presenceEnabled;
    }

    boolean receivesBroadcasts() {
        return joined && open && permissions.broadcastRead();
    }

    /** Records the ids replayed on join, before the channel becomes visible to fan-out. */
    void replayed(Set<String> ids) {
        replayedIds = Set.copyOf(ids);
    }

    /** Whether a stored broadcast was already pushed to this channel by its replay. */
    boolean wasReplayed(String id) {
        Set<String> ids = replayedIds;
        return !ids.isEmpty() && ids.contains(id);
    }

    boolean receivesPresence() {
        return open && presenceEnabled && permissions.presenceRead();
    }

    void expiryCheck(ScheduledFuture<?> next) {
        ScheduledFuture<?> previous = expiryCheck;
        expiryCheck = next;
        if (previous != null) {
            previous.cancel(false);
        }
    }

    /**
     * Ends this instance: no more deliveries, timers stopped, change subscription closed.
     *
     * @return true the first time, false if it had already ended
     */
    synchronized boolean end() {
        if (!open) {
            return false;
        }
        open = false;
        ScheduledFuture<?> check = expiryCheck;
        if (check != null) {
            check.cancel(false);
        }
        PostgresChangesSubscription current = subscription;
        if (current != null) {
            current.close();
        }
        listening.close();
        return true;
    }

    void send(OutboundFrame frame) {
        if (open) {
            link.send(frame);
        }
    }

    /** A {@code system} push on this channel: {@code {"extension","status","message","channel"}}. */
    OutboundFrame system(String extension, boolean ok, String message) {
        ObjectNode payload = JsonNodeFactory.instance.objectNode();
        payload.put("extension", extension);
        payload.put("status", ok ? "ok" : "error");
        payload.put("message", message);
        payload.put("channel", key.subTopic());
        return FrameEncoder.push(link.serializer(), joinRef, topic, "system", payload);
    }
}
