package io.mudrock.realtime.channel;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.mudrock.realtime.metrics.ChannelKind;
import io.mudrock.realtime.metrics.RealtimeMetrics;
import io.mudrock.realtime.metrics.TenantMetrics;
import io.mudrock.realtime.protocol.FrameEncoder;
import io.mudrock.realtime.protocol.FrameEncoder.ReplyStatus;
import io.mudrock.realtime.protocol.InboundMessage;
import io.mudrock.realtime.protocol.JsonText;
import io.mudrock.realtime.protocol.LogText;
import io.mudrock.realtime.protocol.OutboundFrame;
import io.mudrock.realtime.protocol.UserBroadcast;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.logging.Level;
import java.util.logging.Logger;
import java.util.stream.Collectors;

/**
 * The channels of one socket, as a Phoenix socket routes them (§2.4, §3, §4, §7.4): heartbeats,
 * joins with every check of §4.2 in upstream's order, leaves, duplicate joins, unmatched topics,
 * token refresh and expiry, broadcasts and presence.
 *
 * <p>{@link #handle} runs on the socket's read thread and returns quickly: database checks run
 * on {@link ChannelServices#blockingWork()} with a deadline, delayed error replies and expiry
 * checks on {@link ChannelServices#scheduler()}. The channel table is guarded by this object;
 * the registry and the socket's queue are never called while holding it.
 */
public final class SocketChannels {

    private static final Logger LOG = Logger.getLogger(SocketChannels.class.getName());
    private static final String PHOENIX_TOPIC = "phoenix";
    private static final long MAX_EXPIRY_CHECK_MILLIS = Duration.ofMinutes(5).toMillis();
    private static final JsonNodeFactory JSON = JsonNodeFactory.instance;
    /** The least a join waits for its change subscription, however long its private checks took. */
    private static final long MIN_SUBSCRIBE_WAIT_MILLIS = 1000;
    /** The track reply's reason when the topic's presence holds all it may ({@link ChannelCaps}). */
    static final String PRESENCE_FULL = "PresenceLimitReached: This topic holds the most presence entries it may";

    private final ClientLink link;
    private final String tenantId;
    private final String connectToken;
    private final ChannelServices services;
    private final TenantActivity activity;
    private final SubscriberQueue changes;
    private final TenantMetrics metrics;

    private final Map<String, ChannelMember> channels = new HashMap<>(); // guarded by this
    private boolean closed; // guarded by this
    private boolean countedAsUser; // guarded by this

    /**
     * @param link the socket
     * @param tenantId the tenant the socket connected to
     * @param connectToken the verified handshake token, used by joins without their own token
     * @param services the server's channel services
     */
    public SocketChannels(ClientLink link, String tenantId, String connectToken, ChannelServices services) {
        this.link = link;
        this.tenantId = tenantId;
        this.connectToken = connectToken;
        this.services = services;
        this.activity = services.registry().activity(tenantId);
        this.changes = new SubscriberQueue(link, tenantId, services.scheduler(), this::tellChangeChannels,
                SubscriberQueue.Limits.DEFAULT, new RateCounter());
        this.metrics = RealtimeMetrics.tenant(tenantId);
    }

    /**
     * Handles one client message.
     *
     * @param message the decoded message
     */
    public void handle(InboundMessage message) {
        switch (message.event()) {
            case "heartbeat" -> heartbeat(message);
            case "phx_join" -> join(message);
            case "phx_leave" -> leave(message);
            case "access_token" -> refreshToken(message);
            case InboundMessage.BROADCAST -> broadcast(message);
            case "presence" -> presence(message);
            default -> other(message);
        }
    }

    /** The socket closed: every channel ends without notices, and presence tells the others. */
    public void socketClosed() {
        List<ChannelMember> members;
        synchronized (this) {
            if (closed) {
                return;
            }
            closed = true;
            members = new ArrayList<>(channels.values());
            channels.clear();
        }
        changes.close();
        for (ChannelMember member : members) {
            terminate(member, List.of());
        }
    }

    /**
     * The server disconnects this socket (tenant reload or deletion, shutdown): every joined
     * channel gets the {@code system} message {@code Server requested disconnect}. The caller
     * then closes the socket.
     */
    public void serverRequestedDisconnect() {
        List<ChannelMember> members;
        synchronized (this) {
            members = new ArrayList<>(channels.values());
        }
        for (ChannelMember member : members) {
            if (member.joined()) {
                member.send(member.system("system", true, "Server requested disconnect"));
            }
        }
    }

    /** @return how many channels are joined or joining on this socket */
    public synchronized int channelCount() {
        return channels.size();
    }

    // --- events -------------------------------------------------------------------------------

    private void heartbeat(InboundMessage m) {
        if (PHOENIX_TOPIC.equals(m.topic())) {
            link.send(FrameEncoder.reply(link.serializer(), null, m.ref(), PHOENIX_TOPIC, ReplyStatus.OK));
        } else {
            other(m);
        }
    }

    private void other(InboundMessage m) {
        if (joinedMember(m) == null) {
            unmatchedTopic(m);
        } else {
            activity.events().add(1); // unknown channel events are ignored but still count, as upstream
        }
    }

    private void join(InboundMessage m) {
        // Every error answer counts its back-off from here, so slow checks do not add to it.
        long arrivedNanos = System.nanoTime();
        String topic = m.topic();
        if (!topic.startsWith(TopicKey.PREFIX)) {
            unmatchedTopic(m);
            return;
        }
        JoinRequest request = JoinRequest.parse(m.json());
        ChannelMember previous;
        synchronized (this) {
            if (closed) {
                return;
            }
            previous = channels.remove(topic);
        }
        if (previous != null) {
            LOG.info(() -> previous + ": duplicate join, replaced");
            terminate(previous, List.of(FrameEncoder.phxClose(link.serializer(), previous.joinRef(), topic)));
        }
        String subTopic = topic.substring(TopicKey.PREFIX.length());
        if (services.registry().shuttingDown()) {
            refuse(m, JoinError.REALTIME_RESTARTING.reason(), false, arrivedNanos);
            return;
        }
        if (subTopic.isEmpty()) {
            refuse(m, JoinError.TOPIC_NAME_REQUIRED.reason(), false, arrivedNanos);
            return;
        }
        if (utf8Length(subTopic) > ChannelCaps.MAX_TOPIC_BYTES) {
            refuse(m, JoinError.TOPIC_TOO_LONG.reason(), false, arrivedNanos);
            return;
        }
        if (request.postgresChanges().size() > ChannelCaps.MAX_BINDINGS_PER_CHANNEL) {
            refuse(m, JoinError.TOO_MANY_BINDINGS.reason(), false, arrivedNanos);
            return;
        }
        Optional<ChannelTenant> found = services.tenants().find(tenantId);
        if (found.isEmpty()) {
            refuse(m, JoinError.TENANT_NOT_FOUND.reason(), true, arrivedNanos);
            return;
        }
        ChannelTenant tenant = found.get();
        if (tenant.suspended()) {
            refuse(m, JoinError.TENANT_SUSPENDED.reason(), false, arrivedNanos);
            return;
        }
        if (tenant.privateOnly() && !request.privateChannel()) {
            refuse(m, JoinError.PRIVATE_ONLY.reason(), false, arrivedNanos);
            return;
        }
        boolean newUser;
        int channelCount;
        synchronized (this) {
            newUser = !countedAsUser;
            channelCount = channels.size();
        }
        if (newUser && activity.connectedUsers() >= tenant.maxConcurrentUsers()) {
            refuse(m, JoinError.TOO_MANY_USERS.reason(), false, arrivedNanos);
            return;
        }
        if (!activity.joins().tryAdd(tenant.maxJoinsPerSecond())) {
            refuse(m, JoinError.TOO_MANY_JOINS.reason(), true, arrivedNanos);
            return;
        }
        if (channelCount >= tenant.maxChannelsPerClient()) {
            refuse(m, JoinError.TOO_MANY_CHANNELS.reason(), false, arrivedNanos);
            return;
        }
        String token = request.accessToken();
        if (token == null || token.startsWith("sb_")) {
            token = connectToken; // upstream: API keys and missing tokens fall back to the handshake token
        }
        TokenVerdict verdict = services.tokens().verify(tenantId, token);
        if (verdict instanceof TokenVerdict.Refused refused) {
            refuse(m, refused.joinReason(), false, arrivedNanos);
            return;
        }
        ClientClaims claims = ((TokenVerdict.Accepted) verdict).claims();
        ReplayWindow replay = null;
        if (request.replay() != null) {
            if (!request.privateChannel()) {
                refuse(m, JoinError.REPLAY_PUBLIC.reason(), false, arrivedNanos);
                return;
            }
            Optional<ReplayWindow> window = ReplayWindow.parse(request.replay());
            if (window.isEmpty()) {
                refuse(m, JoinError.REPLAY_INVALID.reason(), false, arrivedNanos);
                return;
            }
            replay = window.get();
        }
        TopicKey key = new TopicKey(tenantId, request.privateChannel(), subTopic);
        ChannelMember member = new ChannelMember(link, key, m.joinRef(), request, tenant, activity, changes, claims);
        synchronized (this) {
            if (closed) {
                return;
            }
            int bindings = request.postgresChanges().size();
            if (bindings > 0 && bindingCount() + bindings > ChannelCaps.MAX_BINDINGS_PER_SOCKET) {
                member.end();
            } else {
                channels.put(topic, member);
            }
        }
        if (!member.isOpen()) {
            refuse(m, JoinError.TOO_MANY_SOCKET_BINDINGS.reason(), false, arrivedNanos);
            return;
        }
        if (!request.privateChannel()) {
            authorized(member, m, new PrivateGrant(TopicPermissions.PUBLIC, List.of()), arrivedNanos);
            return;
        }
        authorizeAsync(member, claims, replay).whenComplete((grant, error) -> {
            if (error != null) {
                abandonJoin(member, m, joinReasonOf(error), arrivedNanos);
            } else if (!grant.permissions().mayJoin(member.presenceEnabled())) {
                abandonJoin(member, m, JoinError.unauthorized(subTopic), arrivedNanos);
            } else {
                authorized(member, m, grant, arrivedNanos);
            }
        });
    }

    private void authorized(ChannelMember member, InboundMessage m, PrivateGrant grant, long arrivedNanos) {
        member.permissions(grant.permissions());
        TopicRelay.Listening listening = services.registry().listen(member.key());
        member.listening(listening);
        CompletableFuture<Void> relayLive = listening.live().toCompletableFuture();
        List<PostgresBinding> bindings = PostgresBinding.assignIds(member.request().postgresChanges());
        CompletableFuture<PostgresChangesSubscription> subscribing;
        if (bindings.isEmpty()) {
            subscribing = CompletableFuture.completedFuture(null);
        } else {
            try {
                subscribing = services.postgresChanges().subscribe(member, bindings, member.claims()).toCompletableFuture();
            } catch (RuntimeException e) {
                LOG.log(Level.WARNING, member + ": postgres_changes subscription failed", e);
                subscribing = CompletableFuture.completedFuture(null);
            }
            // The subscription is attached whenever it arrives; the reply waits for it up to the deadline.
            subscribing.whenComplete((subscription, error) -> {
                if (subscription != null) {
                    member.attach(subscription);
                } else if (error != null) {
                    LOG.log(Level.WARNING, member + ": postgres_changes subscription failed", error);
                }
            });
        }
        if (subscribing.isDone() && relayLive.isDone()) {
            completeJoin(member, m, bindings, grant.replayed());
            return;
        }
        // The private checks and this wait share one deadline from the join's arrival (with a
        // short floor), so a slow check cannot push the reply past the client's push timeout.
        long waitMillis = Math.max(MIN_SUBSCRIBE_WAIT_MILLIS, services.joinDeadline().toMillis()
                - TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - arrivedNanos));
        CompletableFuture<PostgresChangesSubscription> changes = subscribing;
        CompletableFuture.allOf(changes, relayLive)
                .orTimeout(waitMillis, TimeUnit.MILLISECONDS)
                .whenComplete((ready, error) -> {
                    if (error != null && unwrap(error) instanceof TimeoutException) {
                        LOG.warning(() -> member + ": " + (changes.isDone() ? "broadcasts of other nodes"
                                : "postgres_changes subscription") + " not ready within " + waitMillis
                                + " ms; replying anyway");
                    }
                    completeJoin(member, m, bindings, grant.replayed());
                });
    }

    private void completeJoin(ChannelMember member, InboundMessage m, List<PostgresBinding> bindings,
            List<StoredBroadcast> replayed) {
        synchronized (this) {
            if (closed || channels.get(member.topic()) != member) {
                member.end();
                return;
            }
            if (!member.markJoined(bindings)) {
                return;
            }
            if (!countedAsUser) {
                countedAsUser = true;
                activity.userJoined();
            }
        }
        link.channelJoined();
        metrics.channelJoined(kindOf(member));
        ObjectNode response = JSON.objectNode();
        if (!member.request().legacy()) {
            ArrayNode echoed = response.putArray("postgres_changes");
            bindings.forEach(b -> echoed.add(b.toReply()));
        }
        OutboundFrame reply = FrameEncoder.reply(link.serializer(), m.joinRef(), m.ref(), m.topic(), ReplyStatus.OK,
                response);
        if (!replayed.isEmpty()) {
            member.replayed(replayed.stream().map(StoredBroadcast::id).collect(Collectors.toSet()));
        }
        services.registry().join(member, reply);
        member.replied();
        for (StoredBroadcast stored : replayed) {
            replay(member, stored);
        }
        scheduleExpiryCheck(member);
        LOG.info(() -> member + ": joined as role " + member.claims().role()
                + (bindings.isEmpty() ? "" : " with " + bindings.size() + " postgres_changes bindings"));
    }

    private void abandonJoin(ChannelMember member, InboundMessage m, String reason, long arrivedNanos) {
        synchronized (this) {
            channels.remove(member.topic(), member);
        }
        member.end();
        refuse(m, reason, false, arrivedNanos);
    }

    private void leave(InboundMessage m) {
        ChannelMember member;
        synchronized (this) {
            member = channels.get(m.topic());
            if (member != null && m.joinRef() != null && !m.joinRef().equals(member.joinRef())) {
                member = null; // a leave for an earlier instance of this topic: the current one stays
            }
        }
        link.send(FrameEncoder.reply(link.serializer(), m.joinRef(), m.ref(), m.topic(), ReplyStatus.OK));
        if (member != null) {
            ChannelMember leaving = member;
            terminate(member, List.of(FrameEncoder.phxClose(link.serializer(), member.joinRef(), member.topic())));
            LOG.info(() -> leaving + ": left");
        }
    }

    private void refreshToken(InboundMessage m) {
        ChannelMember member = joinedMember(m);
        if (member == null) {
            unmatchedTopic(m);
            return;
        }
        JsonNode value = m.json().path("access_token");
        String token = value.isTextual() ? value.textValue() : null;
        if (token == null || token.isBlank() || token.startsWith("sb_") || token.equals(member.claims().token())) {
            return;
        }
        TokenVerdict verdict = services.tokens().verify(tenantId, token);
        if (verdict instanceof TokenVerdict.Refused refused) {
            fail(member, refused.systemMessage());
            return;
        }
        ClientClaims claims = ((TokenVerdict.Accepted) verdict).claims();
        if (!member.key().privateChannel()) {
            applyClaims(member, claims);
            return;
        }
        authorizeAsync(member, claims, null).thenApply(PrivateGrant::permissions).whenComplete((permissions, error) -> {
            if (error != null) {
                Throwable cause = unwrap(error);
                fail(member, cause instanceof ChannelAuthorizationException e ? e.systemMessage()
                        : ChannelAuthorizationException.UNABLE_TO_CONNECT);
            } else if (!permissions.mayJoin(member.presenceEnabled())) {
                fail(member, "You no longer have permission to read from this Channel topic: " + member.subTopic());
            } else {
                member.permissions(permissions);
                applyClaims(member, claims);
            }
        });
    }

    private void applyClaims(ChannelMember member, ClientClaims claims) {
        member.claims(claims);
        PostgresChangesSubscription subscription = member.subscription();
        if (subscription != null) {
            subscription.updateClaims(claims);
        }
        scheduleExpiryCheck(member);
        LOG.fine(() -> member + ": token refreshed, role " + claims.role());
    }

    private void broadcast(InboundMessage m) {
        ChannelMember member = joinedMember(m);
        if (member == null) {
            unmatchedTopic(m);
            return;
        }
        Optional<UserBroadcast> parsed = m.userBroadcast();
        if (parsed.isEmpty()) {
            LOG.fine(() -> member + ": broadcast without a string event ignored");
            return;
        }
        UserBroadcast broadcast = parsed.get();
        ChannelTenant tenant = member.tenant();
        if (activity.events().reached(tenant.maxEventsPerSecond())) {
            fail(member, "Too many messages per second");
            return;
        }
        boolean ack = member.request().broadcastAck();
        if (broadcast.payloadSize() > tenant.maxPayloadBytes()) {
            LOG.info(() -> member + ": broadcast of " + broadcast.payloadSize() + " bytes dropped"
                    + ": over max_payload_size_in_kb " + tenant.maxPayloadSizeInKb());
            if (ack) {
                ObjectNode response = JSON.objectNode().put("error", "payload_size_exceeded");
                link.send(FrameEncoder.reply(link.serializer(), m.joinRef(), m.ref(), m.topic(), ReplyStatus.ERROR,
                        response));
            }
            return;
        }
        if (member.key().privateChannel() && !member.permissions().broadcastWrite()) {
            LOG.fine(() -> member + ": broadcast dropped, no broadcast write policy");
            return; // upstream drops these silently, even with ack
        }
        int delivered = services.registry().broadcast(member.key(), broadcast,
                member.request().broadcastSelf() ? null : member);
        metrics.broadcastReceived();
        activity.events().add(1L + delivered);
        if (ack) {
            link.send(FrameEncoder.reply(link.serializer(), m.joinRef(), m.ref(), m.topic(), ReplyStatus.OK));
        }
    }

    private void presence(InboundMessage m) {
        ChannelMember member = joinedMember(m);
        if (member == null) {
            unmatchedTopic(m);
            return;
        }
        metrics.presenceReceived();
        ChannelTenant tenant = member.tenant();
        if (!member.presenceCalls().tryCall(tenant.clientPresenceMaxCalls(), tenant.clientPresenceWindow())) {
            fail(member, "Client presence rate limit exceeded");
            return;
        }
        String event = m.json().path("event").asText("").toLowerCase(Locale.ROOT);
        switch (event) {
            case "track" -> track(member, m);
            case "untrack" -> {
                activity.presenceEvents().add(services.registry().untrack(member));
                reply(m, ReplyStatus.OK, JSON.objectNode());
            }
            default -> reply(m, ReplyStatus.ERROR, JSON.objectNode());
        }
    }

    private void track(ChannelMember member, InboundMessage m) {
        ChannelTenant tenant = member.tenant();
        JsonNode payload = m.json().has("payload") ? m.json().get("payload") : JSON.objectNode();
        if (!(payload instanceof ObjectNode meta)) {
            reply(m, ReplyStatus.ERROR, JSON.objectNode().put("reason", "Presence track payload must be a map"));
            return;
        }
        if (member.key().privateChannel() && !member.permissions().presenceWrite()) {
            reply(m, ReplyStatus.ERROR, JSON.objectNode());
            return;
        }
        int entryBytes = PresenceState.entryBytes(member.presenceKey(), meta);
        if (entryBytes > Math.min(tenant.maxPayloadBytes(), ChannelCaps.MAX_PRESENCE_ENTRY_BYTES)) {
            fail(member, "Track message size exceeded");
            return;
        }
        if (activity.presenceEvents().perSecond() > tenant.maxPresenceEventsPerSecond()) {
            fail(member, "Too many presence messages per second");
            return;
        }
        int diffs = services.registry().track(member, meta, () -> {
            reply(m, ReplyStatus.OK, JSON.objectNode());
            if (!member.presenceEnabled()) {
                // Tracking turns presence on: send the state first, or the members already there stay
                // unseen; this track then arrives as a diff like everyone else's.
                member.enablePresence();
                services.registry().sendPresenceState(member);
            }
        });
        if (diffs == ChannelRegistry.TOPIC_FULL) {
            LOG.info(() -> member + ": track refused, " + PRESENCE_FULL);
            reply(m, ReplyStatus.ERROR, JSON.objectNode().put("reason", PRESENCE_FULL));
            return;
        }
        activity.presenceEvents().add(1L + diffs);
    }

    // --- helpers ------------------------------------------------------------------------------

    /** Tells this socket's channels with {@code postgres_changes} bindings about its change queue. */
    private void tellChangeChannels(boolean ok, String message) {
        List<ChannelMember> members;
        synchronized (this) {
            members = new ArrayList<>(channels.values());
        }
        for (ChannelMember member : members) {
            if (member.joined() && !member.bindings().isEmpty()) {
                member.postgresChangesStatus(ok, message);
            }
        }
    }

    /** With this object's lock held: bindings of every channel joined or joining here. */
    private int bindingCount() {
        int count = 0;
        for (ChannelMember member : channels.values()) {
            count += member.request().postgresChanges().size();
        }
        return count;
    }

    private static int utf8Length(String text) {
        if (text.length() > ChannelCaps.MAX_TOPIC_BYTES) {
            return text.length(); // every char is at least one byte: too long whatever it holds
        }
        return text.getBytes(StandardCharsets.UTF_8).length;
    }

    private ChannelMember joinedMember(InboundMessage m) {
        synchronized (this) {
            ChannelMember member = channels.get(m.topic());
            return member != null && member.joined() ? member : null;
        }
    }

    private void unmatchedTopic(InboundMessage m) {
        link.send(FrameEncoder.reply(link.serializer(), null, m.ref(), m.topic(), ReplyStatus.ERROR,
                JSON.objectNode().put("reason", "unmatched topic")));
    }

    private void reply(InboundMessage m, ReplyStatus status, ObjectNode response) {
        link.send(FrameEncoder.reply(link.serializer(), m.joinRef(), m.ref(), m.topic(), status, response));
    }

    /**
     * A join error reply {@code CHANNEL_ERROR_BACKOFF_MS} after the join arrived (at once if its
     * checks took longer), optionally closing the socket: the back-off and the join deadline
     * overlap, so every answer reaches the client before its push timeout.
     */
    private void refuse(InboundMessage m, String reason, boolean disconnect, long arrivedNanos) {
        LOG.info(() -> LogText.channel(tenantId, m.topic()) + " socket=" + link.id() + ": join refused, " + reason + (disconnect ? " (socket disconnected)" : ""));
        metrics.joinRefused(reason);
        OutboundFrame reply = FrameEncoder.reply(link.serializer(), m.joinRef(), m.ref(), m.topic(), ReplyStatus.ERROR,
                JSON.objectNode().put("reason", reason));
        Runnable answer = () -> {
            link.send(reply);
            if (disconnect) {
                link.close(1000, reason);
            }
        };
        long waited = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - arrivedNanos);
        long delay = services.channelErrorBackoff().toMillis() - waited;
        if (delay <= 0) {
            answer.run();
        } else {
            services.scheduler().schedule(answer, delay, TimeUnit.MILLISECONDS);
        }
    }

    /** A fatal channel error: {@code system} error, then {@code phx_close} (§4.5). */
    private void fail(ChannelMember member, String message) {
        LOG.info(() -> member + ": closing the channel, " + message);
        terminate(member, List.of(member.system("system", false, message),
                FrameEncoder.phxClose(link.serializer(), member.joinRef(), member.topic())));
    }

    /** Ends a channel once: removes it here and from fan-out, then queues its notices. */
    private void terminate(ChannelMember member, List<OutboundFrame> notices) {
        boolean nowIdle;
        synchronized (this) {
            channels.remove(member.topic(), member);
            nowIdle = countedAsUser && channels.isEmpty();
            if (nowIdle) {
                countedAsUser = false;
            }
        }
        if (nowIdle) {
            activity.userLeft();
        }
        if (!member.end()) {
            return;
        }
        if (member.joined()) {
            metrics.channelLeft(kindOf(member));
        }
        notices.forEach(link::send);
        activity.presenceEvents().add(services.registry().leave(member));
    }

    private static ChannelKind kindOf(ChannelMember member) {
        return ChannelKind.of(member.key().privateChannel(), !member.bindings().isEmpty());
    }

    private void scheduleExpiryCheck(ChannelMember member) {
        long millisLeft = member.claims().expiresAt() * 1000 - System.currentTimeMillis();
        long delay = Math.max(0, Math.min(MAX_EXPIRY_CHECK_MILLIS, millisLeft));
        member.expiryCheck(services.scheduler().schedule(() -> checkExpiry(member), delay, TimeUnit.MILLISECONDS));
    }

    private void checkExpiry(ChannelMember member) {
        if (!member.isOpen()) {
            return;
        }
        long now = System.currentTimeMillis() / 1000;
        long expiresAt = member.claims().expiresAt();
        if (expiresAt <= now) {
            fail(member, "Token has expired " + (now - expiresAt) + " seconds ago");
        } else {
            scheduleExpiryCheck(member);
        }
    }

    /** The private checks, and the replay when asked, in one task on a worker thread. */
    private CompletableFuture<PrivateGrant> authorizeAsync(ChannelMember member, ClientClaims claims,
            ReplayWindow replay) {
        Duration deadline = services.joinDeadline();
        return CompletableFuture.supplyAsync(() -> {
            try {
                TopicPermissions permissions = services.authorizer().authorize(tenantId, member.subTopic(), claims,
                        deadline);
                List<StoredBroadcast> replayed = replay == null || !permissions.mayJoin(member.presenceEnabled())
                        ? List.of()
                        : services.replay().replay(tenantId, member.subTopic(), replay.sinceMillis(), replay.limit(),
                                deadline);
                return new PrivateGrant(permissions, replayed);
            } catch (ChannelAuthorizationException e) {
                throw new CompletionException(e);
            }
        }, services.blockingWork()).orTimeout(deadline.toMillis(), TimeUnit.MILLISECONDS);
    }

    /** A stored broadcast pushed after the join, marked {@code meta.replayed}. */
    private void replay(ChannelMember member, StoredBroadcast stored) {
        String meta = "{\"id\":" + JsonText.quote(stored.id()) + ",\"replayed\":true}";
        UserBroadcast broadcast;
        try {
            broadcast = stored.binaryPayload() != null
                    ? UserBroadcast.binaryFramed(stored.event(), UserBroadcast.Encoding.BINARY, stored.binaryPayload(), meta)
                    : UserBroadcast.binaryFramed(stored.event(), UserBroadcast.Encoding.JSON,
                            (stored.payloadJson() == null ? "{}" : stored.payloadJson()).getBytes(StandardCharsets.UTF_8),
                            meta);
        } catch (IllegalArgumentException e) {
            LOG.warning(() -> member + ": stored broadcast " + stored.id() + " not replayed: " + e.getMessage());
            return;
        }
        FrameEncoder.broadcast(member.topic(), broadcast).frameFor(link.serializer()).ifPresent(member::send);
    }

    /**
     * What the private checks granted, and the stored broadcasts to replay after the join.
     *
     * @param permissions the permissions
     * @param replayed the stored broadcasts, oldest first
     */
    private record PrivateGrant(TopicPermissions permissions, List<StoredBroadcast> replayed) {
    }

    private String joinReasonOf(Throwable error) {
        Throwable cause = unwrap(error);
        if (cause instanceof ChannelAuthorizationException e) {
            LOG.warning(() -> LogText.tenant(tenantId) + ": private channel check failed: " + e.getMessage()
                    + (e.getCause() == null ? "" : " (" + e.getCause().getMessage() + ")"));
            return e.joinReason();
        }
        if (cause instanceof TimeoutException) {
            LOG.warning(() -> LogText.tenant(tenantId) + ": private channel check passed its deadline of "
                    + services.joinDeadline().toMillis() + " ms");
            return JoinError.UNABLE_TO_CONNECT.reason();
        }
        LOG.log(Level.WARNING, LogText.tenant(tenantId) + ": private channel check failed", cause);
        return JoinError.UNKNOWN.reason();
    }

    private static Throwable unwrap(Throwable error) {
        Throwable cause = error;
        while (cause instanceof CompletionException && cause.getCause() != null) {
            cause = cause.getCause();
        }
        return cause;
    }
}
