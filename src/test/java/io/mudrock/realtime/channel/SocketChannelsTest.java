package io.mudrock.realtime.channel;

import io.mudrock.realtime.protocol.FrameDecoder;
import io.mudrock.realtime.protocol.InboundMessage;
import io.mudrock.realtime.protocol.Serializer;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicReference;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The channel protocol of one socket, driven frame by frame without a server. */
class SocketChannelsTest {

    private static final long IN_AN_HOUR = System.currentTimeMillis() / 1000 + 3600;

    private final ChannelRegistry registry = new ChannelRegistry();
    private final ManualScheduler scheduler = new ManualScheduler();
    private final AtomicReference<ChannelTenant> tenant = new AtomicReference<>(tenant(10, 1000, 3, 1000));
    private final AtomicReference<Object> permissions = new AtomicReference<>(TopicPermissions.PUBLIC);
    private final List<String> replayed = new java.util.ArrayList<>();
    private Duration backoff = Duration.ZERO;

    private static ChannelTenant tenant(int users, int events, int channels, int joins) {
        return new ChannelTenant("t", false, false, users, events, channels, joins, 1000, 1, 5, Duration.ofSeconds(30));
    }

    private ChannelServices services() {
        ChannelAuthorizer authorizer = (tenantId, subTopic, claims, deadline) -> {
            Object answer = permissions.get();
            if (answer instanceof ChannelAuthorizationException e) {
                throw e;
            }
            return (TopicPermissions) answer;
        };
        TokenVerifier tokens = (tenantId, token) -> token.startsWith("valid")
                ? new TokenVerdict.Accepted(new ClientClaims(token, "authenticated", IN_AN_HOUR, "u1", "{\"role\":\"authenticated\"}"))
                : new TokenVerdict.Refused("The token provided is not a valid JWT", "MalformedJWT: The token provided is not a valid JWT",
                        "The token provided is not a valid JWT");
        BroadcastReplay replay = (tenantId, subTopic, since, limit, deadline) -> {
            replayed.add(subTopic + "|" + since + "|" + limit);
            return List.of(new StoredBroadcast("m1", "old", "{\"n\":1}", null),
                    new StoredBroadcast("m2", "older-bytes", null, new byte[] {9}));
        };
        return new ChannelServices(registry, id -> Optional.ofNullable(tenant.get()), tokens, authorizer, replay,
                NoPostgresChanges.INSTANCE, scheduler, scheduler, backoff, Duration.ofSeconds(5));
    }

    private final class Client {
        final RecordingLink link = new RecordingLink(Serializer.V2);
        final SocketChannels channels = new SocketChannels(link, "t", "valid-connect-token", services());

        Client send(String frame) {
            channels.handle((InboundMessage) FrameDecoder.decodeText(Serializer.V2, frame));
            return this;
        }

        Client join(String ref, String topic, String config) {
            return send("[\"" + ref + "\",\"" + ref + "\",\"" + topic + "\",\"phx_join\",{\"config\":" + config + "}]");
        }

        String last() {
            List<String> frames = link.take();
            return frames.isEmpty() ? null : frames.get(frames.size() - 1);
        }
    }

    private static String error(String ref, String topic, String reason) {
        return "[\"" + ref + "\",\"" + ref + "\",\"" + topic + "\",\"phx_reply\",{\"status\":\"error\",\"response\":{\"reason\":\""
                + reason + "\"}}]";
    }

    private static String ok(String ref, String topic) {
        return "[\"" + ref + "\",\"" + ref + "\",\"" + topic + "\",\"phx_reply\",{\"status\":\"ok\",\"response\":{\"postgres_changes\":[]}}]";
    }

    @Test
    void heartbeatUnmatchedTopicAndLeaveOfAnUnjoinedTopic() {
        Client client = new Client();
        client.send("[null,\"1\",\"phoenix\",\"heartbeat\",{}]");
        assertEquals("[null,\"1\",\"phoenix\",\"phx_reply\",{\"status\":\"ok\",\"response\":{}}]", client.last());
        client.send("[\"4\",\"2\",\"realtime:none\",\"presence\",{\"type\":\"presence\",\"event\":\"untrack\"}]");
        assertEquals("[null,\"2\",\"realtime:none\",\"phx_reply\",{\"status\":\"error\",\"response\":{\"reason\":\"unmatched topic\"}}]",
                client.last());
        client.send("[\"4\",\"3\",\"realtime:none\",\"phx_leave\",{}]");
        assertEquals("[\"4\",\"3\",\"realtime:none\",\"phx_reply\",{\"status\":\"ok\",\"response\":{}}]", client.last());
        client.join("5", "other:topic", "{}");
        assertTrue(client.last().contains("unmatched topic"));
    }

    @Test
    void joinThenDuplicateJoinClosesTheOldInstanceAndLeaveClosesTheNewOne() {
        Client client = new Client();
        client.join("1", "realtime:a", "{}");
        assertEquals(List.of(ok("1", "realtime:a")), client.link.take());
        client.join("2", "realtime:a", "{}");
        assertEquals(List.of("[\"1\",\"1\",\"realtime:a\",\"phx_close\",{}]", ok("2", "realtime:a")), client.link.take());
        assertEquals(1, registry.listeners(new TopicKey("t", false, "a")));
        client.send("[\"1\",\"3\",\"realtime:a\",\"phx_leave\",{}]");
        assertEquals(List.of("[\"1\",\"3\",\"realtime:a\",\"phx_reply\",{\"status\":\"ok\",\"response\":{}}]"),
                client.link.take(), "a leave for the replaced instance leaves the current one alone");
        client.send("[\"2\",\"4\",\"realtime:a\",\"phx_leave\",{}]");
        assertEquals(List.of("[\"2\",\"4\",\"realtime:a\",\"phx_reply\",{\"status\":\"ok\",\"response\":{}}]",
                "[\"2\",\"2\",\"realtime:a\",\"phx_close\",{}]"), client.link.take());
        assertEquals(0, registry.listeners(new TopicKey("t", false, "a")));
    }

    @Test
    void joinErrorsWaitForTheBackOffAndSomeDisconnect() {
        backoff = Duration.ofSeconds(5);
        tenant.set(null);
        Client client = new Client();
        client.join("1", "realtime:a", "{}");
        assertNull(client.last(), "nothing before the back-off");
        long delay = scheduler.pending().get(0).delayMillis;
        // the back-off counts from the join's arrival, so the time the checks took is already spent
        assertTrue(delay > 4000 && delay <= 5000, "back-off left: " + delay);
        scheduler.runDue(5000);
        assertEquals(error("1", "realtime:a", "TenantNotFound: Tenant with the given ID does not exist"), client.last());
        assertEquals(1000, client.link.closeCode);
    }

    @Test
    void everyLimitOfTheJoinSequence() {
        tenant.set(tenant(1, 1000, 2, 1000));
        Client first = new Client();
        first.join("1", "realtime:a", "{}").join("2", "realtime:b", "{}");
        first.link.take();
        first.join("3", "realtime:c", "{}");
        assertEquals(error("3", "realtime:c", "ChannelRateLimitReached: Too many channels"), first.last());

        Client second = new Client();
        second.join("1", "realtime:a", "{}");
        assertEquals(error("1", "realtime:a", "ConnectionRateLimitReached: Too many connected users"), second.last());
        first.channels.socketClosed();
        second.join("2", "realtime:a", "{}");
        assertEquals(ok("2", "realtime:a"), second.last(), "the first socket's user left");

        tenant.set(new ChannelTenant("t", false, true, 10, 1000, 3, 1000, 1000, 1, 5, Duration.ofSeconds(30)));
        second.join("3", "realtime:b", "{}");
        assertEquals(error("3", "realtime:b", "PrivateOnly: This project only allows private channels"), second.last());

        tenant.set(tenant(10, 1000, 100, 1));
        Client third = new Client();
        for (int i = 0; i < 5; i++) {
            third.join("j" + i, "realtime:j" + i, "{}");
        }
        assertEquals(error("j4", "realtime:j4", "ClientJoinRateLimitReached: Too many joins per second"), third.last());
        assertEquals(1000, third.link.closeCode, "the socket is disconnected");
    }

    @Test
    void aSuspendedTenantRefusesJoinsWithUpstreamsReasonAndAcceptsThemAgainWhenUnsuspended() {
        ChannelTenant open = tenant(10, 1000, 3, 1000);
        tenant.set(new ChannelTenant("t", false, false, 10, 1000, 3, 1000, 1000, 1, 5, Duration.ofSeconds(30), true));
        Client client = new Client();
        client.join("1", "realtime:a", "{}");
        assertEquals(error("1", "realtime:a", "RealtimeDisabledForTenant: Realtime disabled for this tenant"), client.last());
        assertEquals(0, registry.activity("t").connectedUsers(), "a refused join counts no user");
        tenant.set(open);
        client.join("2", "realtime:a", "{}");
        assertEquals(ok("2", "realtime:a"), client.last());
    }

    @Test
    void tokenAndTopicErrors() {
        Client client = new Client();
        client.send("[\"1\",\"1\",\"realtime:a\",\"phx_join\",{\"config\":{},\"access_token\":\"forged\"}]");
        assertEquals(error("1", "realtime:a", "MalformedJWT: The token provided is not a valid JWT"), client.last());
        client.send("[\"2\",\"2\",\"realtime:a\",\"phx_join\",{\"config\":{},\"access_token\":\"sb_publishable_x\"}]");
        assertEquals(ok("2", "realtime:a"), client.last(), "API keys fall back to the connect token");
        client.join("3", "realtime:", "{}");
        assertEquals(error("3", "realtime:", "TopicNameRequired: You must provide a topic name"), client.last());
        client.join("4", "realtime:r", "{\"broadcast\":{\"replay\":{\"since\":1}}}");
        assertEquals(error("4", "realtime:r", "UnableToReplayMessages: Replay is not allowed for public channels"), client.last());
    }

    @Test
    void privateJoinsFollowThePoliciesAndNeverMeetPublicOnes() {
        Client client = new Client();
        permissions.set(new TopicPermissions(false, false, false, false));
        client.join("1", "realtime:p", "{\"private\":true}");
        assertEquals(error("1", "realtime:p", "Unauthorized: You do not have permissions to read from this Channel topic: p"),
                client.last());
        permissions.set(new ChannelAuthorizationException(JoinError.UNABLE_TO_CONNECT.reason(), "x", null));
        client.join("2", "realtime:p", "{\"private\":true}");
        assertEquals(error("2", "realtime:p", JoinError.UNABLE_TO_CONNECT.reason()), client.last());

        permissions.set(new TopicPermissions(true, false, false, false));
        client.join("3", "realtime:p", "{\"private\":true,\"broadcast\":{\"ack\":true,\"self\":true}}");
        assertEquals(ok("3", "realtime:p"), client.last());
        Client publicClient = new Client().join("1", "realtime:p", "{\"broadcast\":{\"self\":true}}");
        publicClient.link.take();
        publicClient.send("[\"1\",\"2\",\"realtime:p\",\"broadcast\",{\"type\":\"broadcast\",\"event\":\"e\",\"payload\":{}}]");
        assertEquals(1, publicClient.link.take().size(), "only the public sender itself got the public broadcast");
        assertNull(client.last());
        client.send("[\"3\",\"4\",\"realtime:p\",\"broadcast\",{\"type\":\"broadcast\",\"event\":\"e\",\"payload\":{}}]");
        assertNull(client.last(), "without the write policy the broadcast is dropped silently, even with ack");
    }

    @Test
    void aBroadcastSentOnceTheJoinReplyArrivedReachesTheNewMember() {
        Client sender = new Client().join("1", "realtime:race", "{}");
        Client receiver = new Client();
        // The sender broadcasts the moment the receiver's join reply goes out, as a test does
        // that waits for SUBSCRIBED and then sends: the receiver must already be listening.
        receiver.link.onNextFrame = () -> sender.send(
                "[\"1\",\"2\",\"realtime:race\",\"broadcast\",{\"type\":\"broadcast\",\"event\":\"e\",\"payload\":{}}]");
        receiver.join("1", "realtime:race", "{}");
        assertEquals(List.of(ok("1", "realtime:race"),
                "[null,null,\"realtime:race\",\"broadcast\",{\"type\":\"broadcast\",\"event\":\"e\",\"payload\":{}}]"),
                receiver.link.take());
    }

    @Test
    void broadcastSelfAckPayloadLimitAndEventLimit() {
        Client sender = new Client().join("1", "realtime:b", "{\"broadcast\":{\"ack\":true}}");
        Client receiver = new Client().join("1", "realtime:b", "{}");
        sender.link.take();
        receiver.link.take();
        sender.send("[\"1\",\"2\",\"realtime:b\",\"broadcast\",{\"type\":\"broadcast\",\"event\":\"e\",\"payload\":{\"n\":1}}]");
        assertEquals(List.of("[\"1\",\"2\",\"realtime:b\",\"phx_reply\",{\"status\":\"ok\",\"response\":{}}]"), sender.link.take());
        assertEquals(List.of("[null,null,\"realtime:b\",\"broadcast\",{\"type\":\"broadcast\",\"event\":\"e\",\"payload\":{\"n\":1}}]"),
                receiver.link.take());

        String big = "x".repeat(1001);
        sender.send("[\"1\",\"3\",\"realtime:b\",\"broadcast\",{\"type\":\"broadcast\",\"event\":\"e\",\"payload\":\"" + big + "\"}]");
        assertEquals(List.of("[\"1\",\"3\",\"realtime:b\",\"phx_reply\",{\"status\":\"error\",\"response\":{\"error\":\"payload_size_exceeded\"}}]"),
                sender.link.take());
        assertEquals(List.of(), receiver.link.take());

        tenant.set(tenant(10, 1, 3, 1000));
        Client limited = new Client().join("1", "realtime:b", "{}");
        limited.link.take();
        registry.activity("t").events().add(100);
        limited.send("[\"1\",\"2\",\"realtime:b\",\"broadcast\",{\"type\":\"broadcast\",\"event\":\"e\",\"payload\":{}}]");
        assertEquals(List.of("[\"1\",null,\"realtime:b\",\"system\",{\"extension\":\"system\",\"status\":\"error\","
                + "\"message\":\"Too many messages per second\",\"channel\":\"b\"}]", "[\"1\",\"1\",\"realtime:b\",\"phx_close\",{}]"),
                limited.link.take());
    }

    @Test
    void presenceStateDiffsAndTheirLimits() {
        Client watcher = new Client().join("1", "realtime:p", "{\"presence\":{\"enabled\":true}}");
        assertEquals("[\"1\",null,\"realtime:p\",\"presence_state\",{}]", watcher.last());
        Client member = new Client().join("1", "realtime:p", "{\"presence\":{\"key\":\"ana\"}}");
        member.link.take();

        member.send("[\"1\",\"2\",\"realtime:p\",\"presence\",{\"type\":\"presence\",\"event\":\"track\",\"payload\":\"no\"}]");
        assertEquals("[\"1\",\"2\",\"realtime:p\",\"phx_reply\",{\"status\":\"error\",\"response\":{\"reason\":\"Presence track payload must be a map\"}}]",
                member.last());
        member.send("[\"1\",\"3\",\"realtime:p\",\"presence\",{\"type\":\"presence\",\"event\":\"TRACK\",\"payload\":{\"s\":1}}]");
        List<String> memberFrames = member.link.take();
        assertEquals("[\"1\",\"3\",\"realtime:p\",\"phx_reply\",{\"status\":\"ok\",\"response\":{}}]", memberFrames.get(0));
        assertEquals("[\"1\",null,\"realtime:p\",\"presence_state\",{}]", memberFrames.get(1),
                "tracking enabled presence: the state comes first");
        assertTrue(memberFrames.get(2).matches("\\[null,null,\"realtime:p\",\"presence_diff\",\\{\"joins\":\\{\"ana\":\\{\"metas\":"
                + "\\[\\{\"phx_ref\":\"[^\"]+\",\"s\":1}]}},\"leaves\":\\{}}]"), memberFrames.get(2));
        assertEquals(memberFrames.get(2), watcher.last(), "everyone gets the same diff");

        member.channels.socketClosed();
        assertTrue(watcher.last().matches(".*\"joins\":\\{},\"leaves\":\\{\"ana\":.*"), "a closed socket leaves");

        Client chatty = new Client().join("1", "realtime:q", "{}");
        chatty.link.take();
        for (int i = 0; i < 4; i++) {
            chatty.send("[\"1\",\"t" + i + "\",\"realtime:q\",\"presence\",{\"type\":\"presence\",\"event\":\"track\",\"payload\":{\"i\":" + i + "}}]");
        }
        chatty.send("[\"1\",\"u\",\"realtime:q\",\"presence\",{\"type\":\"presence\",\"event\":\"untrack\"}]");
        chatty.link.take();
        chatty.send("[\"1\",\"x\",\"realtime:q\",\"presence\",{\"type\":\"presence\",\"event\":\"track\",\"payload\":{}}]");
        assertEquals(List.of("[\"1\",null,\"realtime:q\",\"system\",{\"extension\":\"system\",\"status\":\"error\","
                + "\"message\":\"Client presence rate limit exceeded\",\"channel\":\"q\"}]", "[\"1\",\"1\",\"realtime:q\",\"phx_close\",{}]"),
                chatty.link.take());

        Client big = new Client().join("1", "realtime:r", "{}");
        big.link.take();
        big.send("[\"1\",\"2\",\"realtime:r\",\"presence\",{\"type\":\"presence\",\"event\":\"track\",\"payload\":{\"b\":\"" + "y".repeat(1000) + "\"}}]");
        assertTrue(big.link.take().get(0).contains("\"message\":\"Track message size exceeded\""));
    }

    @Test
    void tokenRefreshIgnoresTheSameTokenAndApiKeysAndClosesOnABadOne() {
        Client client = new Client().join("1", "realtime:a", "{}");
        client.link.take();
        client.send("[\"1\",\"2\",\"realtime:a\",\"access_token\",{\"access_token\":\"valid-connect-token\"}]");
        client.send("[\"1\",\"3\",\"realtime:a\",\"access_token\",{\"access_token\":\"sb_publishable_x\"}]");
        client.send("[\"1\",\"4\",\"realtime:a\",\"access_token\",{\"access_token\":\"valid-new\"}]");
        assertEquals(List.of(), client.link.take(), "no reply on success");
        client.send("[\"1\",\"5\",\"realtime:a\",\"access_token\",{\"access_token\":\"forged\"}]");
        assertEquals(List.of("[\"1\",null,\"realtime:a\",\"system\",{\"extension\":\"system\",\"status\":\"error\","
                + "\"message\":\"The token provided is not a valid JWT\",\"channel\":\"a\"}]", "[\"1\",\"1\",\"realtime:a\",\"phx_close\",{}]"),
                client.link.take());
        assertEquals(0, registry.listeners(new TopicKey("t", false, "a")));
    }

    @Test
    void serverRequestedDisconnectTellsEveryJoinedChannel() {
        Client client = new Client().join("1", "realtime:a", "{}").join("2", "realtime:b", "{}");
        client.link.take();
        client.channels.serverRequestedDisconnect();
        assertEquals(List.of(
                "[\"1\",null,\"realtime:a\",\"system\",{\"extension\":\"system\",\"status\":\"ok\",\"message\":\"Server requested disconnect\",\"channel\":\"a\"}]",
                "[\"2\",null,\"realtime:b\",\"system\",{\"extension\":\"system\",\"status\":\"ok\",\"message\":\"Server requested disconnect\",\"channel\":\"b\"}]"),
                client.link.take().stream().sorted().toList());
    }

    @Test
    void privateReplayPushesStoredBroadcastsAfterTheJoinReply() {
        Client client = new Client();
        client.join("1", "realtime:r", "{\"private\":true,\"broadcast\":{\"replay\":{\"since\":\"yesterday\"}}}");
        assertEquals(error("1", "realtime:r", "UnableToReplayMessages: Replay params are not valid"), client.last());
        client.join("2", "realtime:r", "{\"private\":true,\"broadcast\":{\"replay\":{\"since\":1000,\"limit\":500}}}");
        List<String> frames = client.link.take();
        assertEquals(List.of("r|1000|25"), replayed, "the limit is clamped to 25");
        assertEquals(ok("2", "realtime:r"), frames.get(0));
        assertEquals(List.of("binary:" + (5 + "realtime:r".length() + 3 + "{\"id\":\"m1\",\"replayed\":true}".length() + 7),
                "binary:" + (5 + "realtime:r".length() + 11 + "{\"id\":\"m2\",\"replayed\":true}".length() + 1)),
                frames.subList(1, 3), "kind-4 frames carrying meta {id, replayed}, oldest first");
    }

    private static String bindings(int n) {
        return "{\"postgres_changes\":[" + String.join(",",
                java.util.Collections.nCopies(n, "{\"event\":\"*\",\"schema\":\"public\"}")) + "]}";
    }

    @Test
    void topicsAndBindingsAreCappedWithDocumentedJoinErrors() {
        Client client = new Client();
        String longest = "realtime:" + "é".repeat(ChannelCaps.MAX_TOPIC_BYTES / 2) + "x";
        client.join("1", longest, "{}");
        assertEquals(ok("1", longest), client.last(), "255 bytes is still a topic");
        String tooLong = "realtime:" + "é".repeat(ChannelCaps.MAX_TOPIC_BYTES / 2 + 1);
        client.join("2", tooLong, "{}");
        assertEquals(error("2", tooLong, "TopicNameTooLong: Topic names are limited to 255 bytes"), client.last());

        Client greedy = new Client();
        greedy.join("1", "realtime:b1", bindings(ChannelCaps.MAX_BINDINGS_PER_CHANNEL + 1));
        assertEquals(error("1", "realtime:b1", "TooManyPostgresChanges: At most 100 postgres_changes bindings per channel"),
                greedy.last());
        greedy.join("2", "realtime:b2", bindings(ChannelCaps.MAX_BINDINGS_PER_CHANNEL));
        greedy.join("3", "realtime:b3", bindings(ChannelCaps.MAX_BINDINGS_PER_SOCKET - ChannelCaps.MAX_BINDINGS_PER_CHANNEL));
        assertEquals(2, greedy.channels.channelCount(), "200 bindings across two channels are allowed");
        greedy.link.take();
        greedy.join("4", "realtime:b4", bindings(1));
        assertEquals(error("4", "realtime:b4", "TooManyPostgresChanges: At most 200 postgres_changes bindings per connection"),
                greedy.last());
        greedy.join("5", "realtime:b3", bindings(ChannelCaps.MAX_BINDINGS_PER_SOCKET - ChannelCaps.MAX_BINDINGS_PER_CHANNEL));
        assertTrue(greedy.link.take().get(1).contains("\"status\":\"ok\""), "a rejoin replaces its own bindings");
    }

    @Test
    void presenceEntriesAreCappedInSizeWhateverTheTenantAllows() {
        tenant.set(new ChannelTenant("t", false, false, 10, 1000, 3, 1000, 1000, 3000, 5, Duration.ofSeconds(30)));
        Client member = new Client().join("1", "realtime:big", "{\"presence\":{\"key\":\"k\"}}");
        member.link.take();
        String fits = "y".repeat(ChannelCaps.MAX_PRESENCE_ENTRY_BYTES - 200);
        member.send("[\"1\",\"2\",\"realtime:big\",\"presence\",{\"type\":\"presence\",\"event\":\"track\",\"payload\":{\"b\":\"" + fits + "\"}}]");
        assertTrue(member.link.take().get(0).contains("\"status\":\"ok\""));
        String over = "y".repeat(ChannelCaps.MAX_PRESENCE_ENTRY_BYTES);
        member.send("[\"1\",\"3\",\"realtime:big\",\"presence\",{\"type\":\"presence\",\"event\":\"track\",\"payload\":{\"b\":\"" + over + "\"}}]");
        List<String> frames = member.link.take();
        assertTrue(frames.get(0).contains("\"message\":\"Track message size exceeded\""), frames.get(0));
        assertEquals("[\"1\",\"1\",\"realtime:big\",\"phx_close\",{}]", frames.get(1));
    }

    /** A relay that records what the registry asks of it, with subscriptions confirmed by the test. */
    private static final class RecordingRelay implements TopicRelay {
        final List<String> calls = new java.util.ArrayList<>();
        final java.util.concurrent.CompletableFuture<Void> confirmed = new java.util.concurrent.CompletableFuture<>();

        @Override
        public synchronized Listening listen(TopicKey key) {
            calls.add("listen " + key);
            return new Listening() {
                @Override
                public java.util.concurrent.CompletionStage<Void> live() {
                    return confirmed;
                }

                @Override
                public void close() {
                    synchronized (RecordingRelay.this) {
                        calls.add("close " + key);
                    }
                }
            };
        }

        @Override
        public synchronized void publish(TopicKey key, io.mudrock.realtime.protocol.UserBroadcast broadcast, String storedId) {
            calls.add("publish " + key + " " + broadcast.event() + (storedId == null ? "" : " stored " + storedId));
        }

        @Override
        public synchronized void publishPresence(TopicKey key, PresenceChange change) {
            calls.add("presence " + key + " left " + change.left().size() + " joined "
                    + change.joined().stream().map(m -> m.key() + "=" + m.payloadJson()).toList());
        }

        @Override
        public synchronized void opened(TopicKey key) {
            calls.add("opened " + key);
        }

        @Override
        public synchronized void publishPresenceState(TopicKey key, List<PresenceMeta> state) {
            calls.add("state " + key + " " + state.stream().map(m -> m.key() + "=" + m.payloadJson()).toList());
        }

        synchronized List<String> take() {
            List<String> taken = new java.util.ArrayList<>(calls);
            calls.clear();
            return taken;
        }
    }

    @Test
    void withOtherNodesTheJoinReplyWaitsForTheSubscriptionAndEachBroadcastIsPublishedOnce() {
        RecordingRelay relay = new RecordingRelay();
        registry.relay(relay);
        TopicKey key = new TopicKey("t", false, "x");
        Client sender = new Client().join("1", "realtime:x", "{\"broadcast\":{\"self\":false}}");
        assertEquals(List.of("listen " + key), relay.take());
        assertNull(sender.last(), "no reply before the node hears the topic from the other nodes");
        relay.confirmed.complete(null);
        assertEquals(1, registry.listeners(key), "the join completed when the subscription went live");
        assertEquals(List.of(ok("1", "realtime:x")), sender.link.take());
        Client receiver = new Client().join("1", "realtime:x", "{}");
        assertEquals(List.of(ok("1", "realtime:x")), receiver.link.take(), "a live topic replies at once");
        relay.take();

        sender.send("[\"1\",\"2\",\"realtime:x\",\"broadcast\",{\"type\":\"broadcast\",\"event\":\"e\",\"payload\":{}}]");
        assertEquals(List.of("publish " + key + " e"), relay.take(), "one publish, whatever the number of receivers");
        assertEquals(1, receiver.link.take().size());
        assertNull(sender.last(), "self: false");

        registry.deliverRelayed(key, io.mudrock.realtime.protocol.UserBroadcast.textFramed("remote", "{}", null), null);
        assertEquals(1, sender.link.take().size(), "another node's broadcast reaches even the local sender of self: false");
        assertEquals(1, receiver.link.take().size());
        assertEquals(List.of(), relay.take(), "what came from the bus is not published again");

        sender.send("[\"1\",\"3\",\"realtime:x\",\"phx_leave\",{}]");
        receiver.channels.socketClosed();
        assertEquals(List.of("close " + key, "close " + key), relay.take(), "each member lets go of the topic once");
    }

    @Test
    void presenceOfOtherNodesJoinsLeavesAndIsPartOfTheStateAJoinerGets() {
        RecordingRelay relay = new RecordingRelay();
        relay.confirmed.complete(null);
        registry.relay(relay);
        TopicKey key = new TopicKey("t", false, "p");
        Client local = new Client().join("1", "realtime:p", "{\"presence\":{\"key\":\"ana\"}}");
        local.link.take();
        local.send("[\"1\",\"2\",\"realtime:p\",\"presence\",{\"type\":\"presence\",\"event\":\"track\",\"payload\":{\"s\":1}}]");
        local.link.take();
        assertEquals(List.of("listen " + key, "opened " + key, "presence " + key + " left 0 joined [ana={\"s\":1}]"), relay.take(),
                "the topic's first channel asks the other nodes once it is open; a local track goes to them");

        registry.presenceFrom("node-b", key, new PresenceChange(List.of(),
                List.of(new PresenceMeta("bob", "bref1", null, "{\"s\":2}"))));
        assertEquals(List.of("[null,null,\"realtime:p\",\"presence_diff\",{\"joins\":{\"bob\":{\"metas\":[{\"phx_ref\":\"bref1\",\"s\":2}]}},\"leaves\":{}}]"),
                local.link.take());
        assertEquals(List.of(), relay.take(), "another node's change is not published again");

        Client joiner = new Client().join("1", "realtime:p", "{\"presence\":{\"enabled\":true}}");
        List<String> frames = joiner.link.take();
        assertTrue(frames.get(1).contains("\"ana\"") && frames.get(1).contains("\"bob\":{\"metas\":[{\"phx_ref\":\"bref1\",\"s\":2}]}"),
                "presence_state lists the metas of every node: " + frames.get(1));

        registry.announcePresence(key);
        assertEquals(List.of("listen " + key, "state " + key + " [ana={\"s\":1}]"), relay.take(),
                "asked, this node tells only its own metas");

        registry.presenceStateFrom("node-b", key, List.of(new PresenceMeta("bob", "bref2", "bref1", "{\"s\":3}")));
        String replaced = joiner.last();
        assertTrue(replaced.contains("\"joins\":{\"bob\":{\"metas\":[{\"phx_ref\":\"bref2\",\"phx_ref_prev\":\"bref1\",\"s\":3}]}}")
                && replaced.contains("\"leaves\":{\"bob\":{\"metas\":[{\"phx_ref\":\"bref1\""), replaced);
        local.link.take();

        registry.presenceNodeGone("node-b");
        assertTrue(joiner.last().contains("\"joins\":{},\"leaves\":{\"bob\""), "a gone node's metas leave");
        registry.presenceNodeGone("node-b");
        assertNull(joiner.last(), "and only once");
        local.link.take();

        local.channels.socketClosed();
        assertEquals(List.of("close " + key, "presence " + key + " left 1 joined []"), relay.take(),
                "the channel lets go of the topic, and its meta leaves on the other nodes");
    }

    @Test
    void usersAndRatesOnOtherNodesCountTowardsTheTenantsLimits() {
        tenant.set(tenant(2, 1000, 3, 1000));
        registry.activity("t").elsewhere(new TenantLoad(1, 0, 0, 0));
        Client first = new Client().join("1", "realtime:a", "{}");
        assertEquals(List.of(ok("1", "realtime:a")), first.link.take());
        Client second = new Client().join("1", "realtime:a", "{}");
        assertEquals(error("1", "realtime:a", "ConnectionRateLimitReached: Too many connected users"), second.last(),
                "one user here and one on another node fill max_concurrent_users of 2");
        registry.activity("t").elsewhere(new TenantLoad(0, 0, 0, 0));
        second.join("2", "realtime:a", "{}");
        assertEquals(ok("2", "realtime:a"), second.last(), "the other node's user left");
        assertEquals(2, registry.activity("t").connectedUsers());
        assertEquals(2, registry.localLoads().get("t").users());

        registry.activity("t").elsewhere(new TenantLoad(0, 1000, 0, 0));
        first.join("3", "realtime:b", "{}");
        scheduler.runDue(0);
        assertEquals(error("3", "realtime:b", "ClientJoinRateLimitReached: Too many joins per second"), first.last(),
                "the other nodes' joins fill max_joins_per_second");
    }
}
