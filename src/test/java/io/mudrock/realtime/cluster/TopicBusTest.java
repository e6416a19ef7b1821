package io.mudrock.realtime.cluster;

import io.mudrock.realtime.channel.PresenceChange;
import io.mudrock.realtime.channel.PresenceMeta;
import io.mudrock.realtime.channel.TenantLoad;
import io.mudrock.realtime.channel.TopicRelay;
import io.mudrock.realtime.channel.TopicKey;
import io.mudrock.realtime.protocol.UserBroadcast;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The topic bus of several nodes over an in-JVM publish/subscribe that behaves like Redis's. */
class TopicBusTest {

    private static final TopicKey ROOM = new TopicKey("t", false, "room");
    private static final TopicKey PRIVATE_ROOM = new TopicKey("t", true, "room");
    private static final TopicKey OTHER_TENANT_ROOM = new TopicKey("u", false, "room");

    /** Redis publish/subscribe in one JVM: channels to subscribed nodes, delivered in publish order. */
    static final class FakeRedis {
        final Map<String, Set<Node>> subscribers = new ConcurrentHashMap<>();
        final List<String> commands = new CopyOnWriteArrayList<>();
        volatile boolean down;
        /** When set, subscriptions are confirmed only when the test completes this future. */
        volatile CompletableFuture<Void> confirmation;

        final class Node implements PubSubPort {
            TopicBus bus;

            @Override
            public CompletionStage<Void> subscribe(String channel) {
                commands.add("SUBSCRIBE " + channel);
                if (down) {
                    return CompletableFuture.failedFuture(new IllegalStateException("connection refused"));
                }
                subscribers.computeIfAbsent(channel, c -> ConcurrentHashMap.newKeySet()).add(this);
                CompletableFuture<Void> pending = confirmation;
                return pending != null ? pending : CompletableFuture.completedFuture(null);
            }

            @Override
            public void unsubscribe(String channel) {
                commands.add("UNSUBSCRIBE " + channel);
                Set<Node> nodes = subscribers.get(channel);
                if (nodes != null) {
                    nodes.remove(this);
                }
            }

            @Override
            public CompletionStage<Void> publish(String channel, byte[] message) {
                commands.add("PUBLISH " + channel);
                if (down) {
                    return CompletableFuture.failedFuture(new IllegalStateException("connection refused"));
                }
                for (Node node : subscribers.getOrDefault(channel, Set.of())) {
                    if (channel.endsWith(":nodes")) {
                        node.bus.receivedOnNodesChannel(message);
                    } else {
                        node.bus.received(channel, message);
                    }
                }
                return CompletableFuture.completedFuture(null);
            }
        }

        long count(String prefix) {
            return commands.stream().filter(c -> c.startsWith(prefix)).count();
        }
    }

    /** What one node's registry received from the bus. */
    record Delivery(TopicKey key, String event) {
    }

    private final java.util.concurrent.atomic.AtomicLong now = new java.util.concurrent.atomic.AtomicLong();

    private final FakeRedis redis = new FakeRedis();

    private final class TestNode implements TopicReceiver {
        final List<Delivery> received = new CopyOnWriteArrayList<>();
        final List<String> presence = new CopyOnWriteArrayList<>();
        final Map<String, Map<String, TenantLoad>> loads = new ConcurrentHashMap<>();
        final TopicBus bus;
        final FakeRedis.Node port = redis.new Node();

        TestNode(String id) {
            bus = new TopicBus(port, id, "0", this, Duration.ofMillis(200), now::get);
            port.bus = bus;
            port.subscribe(bus.nodesChannel());
        }

        @Override
        public void broadcast(TopicKey key, UserBroadcast broadcast, String storedId) {
            received.add(new Delivery(key, broadcast.event() + (storedId == null ? "" : " stored " + storedId)));
        }

        @Override
        public void presenceChange(String node, TopicKey key, PresenceChange change) {
            presence.add("change from " + node + " on " + key + ": left " + change.left() + " joined "
                    + change.joined().stream().map(PresenceMeta::phxRef).toList());
        }

        @Override
        public void presenceState(String node, TopicKey key, List<PresenceMeta> state) {
            presence.add("state of " + node + " on " + key + ": " + state.stream().map(PresenceMeta::phxRef).toList());
        }

        @Override
        public void announcePresence(TopicKey key) {
            presence.add("asked on " + key);
        }

        @Override
        public void loadReported(String node, Map<String, TenantLoad> loads) {
            this.loads.put(node, loads);
        }

        @Override
        public void nodeGone(String node) {
            presence.add("gone " + node);
        }
    }

    private static UserBroadcast message(String event) {
        return UserBroadcast.textFramed(event, "{}", null);
    }

    @Test
    void aBroadcastReachesEveryOtherNodeWithMembersOnceAndNeverItsOrigin() {
        TestNode a = new TestNode("a");
        TestNode b = new TestNode("b");
        TestNode c = new TestNode("c");
        TestNode idle = new TestNode("idle");
        a.bus.listen(ROOM);
        b.bus.listen(ROOM);
        b.bus.listen(ROOM); // a second member on b: still one subscription
        c.bus.listen(ROOM);
        a.bus.publish(ROOM, message("hello"), null);
        assertEquals(List.of(), a.received, "the origin delivered locally already");
        assertEquals(List.of(new Delivery(ROOM, "hello")), b.received);
        assertEquals(List.of(new Delivery(ROOM, "hello")), c.received);
        assertEquals(List.of(), idle.received, "a node without members is not subscribed");
        assertEquals(1, redis.count("PUBLISH mudrock:0:topic:1:t:public:room"), "one publish per broadcast, not per receiver");
        assertEquals(3, redis.count("SUBSCRIBE mudrock:0:topic"));
    }

    @Test
    void publicPrivateAndOtherTenantsTopicsOfOneNameNeverMix() {
        TestNode a = new TestNode("a");
        TestNode b = new TestNode("b");
        b.bus.listen(ROOM);
        a.bus.publish(PRIVATE_ROOM, message("private"), null);
        a.bus.publish(OTHER_TENANT_ROOM, message("other"), null);
        a.bus.publish(new TopicKey("t:", false, "room"), message("colon"), null);
        assertEquals(List.of(), b.received);
        a.bus.publish(ROOM, message("public"), null);
        assertEquals(List.of(new Delivery(ROOM, "public")), b.received);
        a.bus.publish(ROOM, message("db"), "m-1");
        assertEquals(new Delivery(ROOM, "db stored m-1"), b.received.get(1), "a stored message keeps its id across nodes");
        assertFalse(b.bus.channelName(new TopicKey("t:1", false, "x")).equals(b.bus.channelName(new TopicKey("t", false, "1:x"))));
    }

    @Test
    void theLastMemberToLeaveUnsubscribesAndClosingTwiceCountsOnce() {
        TestNode a = new TestNode("a");
        TestNode b = new TestNode("b");
        TopicRelay.Listening first = b.bus.listen(ROOM);
        TopicRelay.Listening second = b.bus.listen(ROOM);
        first.close();
        first.close();
        assertEquals(0, redis.count("UNSUBSCRIBE"), "one member is still there");
        assertEquals(1, redis.count("SUBSCRIBE mudrock:0:topic"));
        a.bus.publish(ROOM, message("still"), null);
        second.close();
        assertEquals(1, redis.count("UNSUBSCRIBE"));
        assertEquals(0, b.bus.topics());
        a.bus.publish(ROOM, message("gone"), null);
        assertEquals(List.of(new Delivery(ROOM, "still")), b.received);
        b.bus.listen(ROOM);
        assertEquals(2, redis.count("SUBSCRIBE mudrock:0:topic"), "a later join subscribes again");
    }

    @Test
    void aJoinIsLiveOnlyOnceRedisConfirmedTheSubscription() throws Exception {
        TestNode b = new TestNode("b");
        CompletableFuture<Void> confirmation = new CompletableFuture<>();
        redis.confirmation = confirmation;
        CompletableFuture<Void> live = b.bus.listen(ROOM).live().toCompletableFuture();
        CompletableFuture<Void> sameTopic = b.bus.listen(ROOM).live().toCompletableFuture();
        assertFalse(live.isDone());
        assertFalse(sameTopic.isDone(), "a second member waits for the same subscription");
        confirmation.complete(null);
        live.get(1, TimeUnit.SECONDS);
        sameTopic.get(1, TimeUnit.SECONDS);
    }

    @Test
    void aSubscriptionRedisNeverConfirmsHoldsTheJoinOnlyForTheBound() throws Exception {
        TestNode b = new TestNode("b");
        redis.confirmation = new CompletableFuture<>();
        long start = System.nanoTime();
        b.bus.listen(ROOM).live().toCompletableFuture().get(5, TimeUnit.SECONDS);
        long waited = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - start);
        assertTrue(waited >= 150, "waited for the bound: " + waited + " ms");
    }

    @Test
    void whileRedisIsDownEachNodeGoesOnAloneAndResubscribesWhenItIsBack() throws Exception {
        TestNode a = new TestNode("a");
        TestNode b = new TestNode("b");
        redis.down = true;
        b.bus.listen(ROOM).live().toCompletableFuture().get(1, TimeUnit.SECONDS);
        assertFalse(b.bus.reachable());
        a.bus.publish(ROOM, message("lost while down"), null);
        assertFalse(a.bus.reachable());
        redis.down = false;
        b.bus.resubscribeAll();
        assertTrue(b.bus.reachable());
        a.bus.publish(ROOM, message("after"), null);
        assertTrue(a.bus.reachable());
        assertEquals(List.of(new Delivery(ROOM, "after")), b.received);
    }

    @Test
    void unreadableMessagesOnOurChannelAreIgnored() {
        TestNode b = new TestNode("b");
        b.bus.listen(ROOM);
        List<String> errors = new ArrayList<>();
        try {
            b.bus.received(b.bus.channelName(ROOM), new byte[] {42});
        } catch (RuntimeException e) {
            errors.add(e.toString());
        }
        assertEquals(List.of(), errors);
        assertEquals(List.of(), b.received);
    }

    private static PresenceMeta meta(String ref) {
        return new PresenceMeta("user", ref, null, "{\"name\":\"ä\"}");
    }

    @Test
    void presenceChangesReachTheOtherNodesAndAFirstListenerAsksForTheirState() {
        TestNode a = new TestNode("a");
        TestNode b = new TestNode("b");
        a.bus.listen(ROOM);
        a.bus.opened(ROOM);
        assertEquals(List.of(), a.presence, "nobody else to answer");
        b.bus.listen(ROOM);
        assertEquals(List.of(), a.presence, "listening alone asks nothing: the topic is not open here yet");
        b.bus.opened(ROOM);
        assertEquals(List.of("asked on " + ROOM), a.presence, "b's first channel, once open, makes b ask the others");
        a.presence.clear();
        b.bus.publishPresenceState(ROOM, List.of(meta("r1")));
        a.bus.publishPresence(ROOM, new PresenceChange(List.of("r0"), List.of(meta("r2"))));
        assertEquals(List.of("state of b on " + ROOM + ": [r1]"), a.presence);
        assertEquals(List.of("change from a on " + ROOM + ": left [r0] joined [r2]"), b.presence);
    }

    @Test
    void aNodeThatSaysGoodbyeOrFallsSilentLeavesAndOneThatReturnsIsAskedAgain() {
        TestNode a = new TestNode("a");
        TestNode b = new TestNode("b");
        TestNode c = new TestNode("c");
        a.bus.listen(ROOM);
        b.bus.hello(Map.of());
        c.bus.hello(Map.of());
        a.bus.hello(Map.of());
        c.bus.goodbye();
        assertEquals(List.of("gone c"), a.presence);
        assertEquals(List.of("gone c"), b.presence);
        a.presence.clear();
        now.addAndGet(TopicBus.NODE_TIMEOUT.toNanos() - 1);
        a.bus.hello(Map.of());
        assertEquals(List.of(), a.presence, "b is not silent for longer than the timeout yet");
        now.addAndGet(2);
        a.bus.hello(Map.of());
        assertEquals(List.of("gone b"), a.presence, "b has been silent too long");
        a.bus.hello(Map.of());
        assertEquals(List.of("gone b"), a.presence, "reported once");
        long published = redis.count("PUBLISH mudrock:0:topic");
        b.bus.hello(Map.of());
        assertEquals(published + 1, redis.count("PUBLISH mudrock:0:topic"), "a's hearing b again makes a ask on its topics");
        b.bus.hello(Map.of());
        assertEquals(published + 1, redis.count("PUBLISH mudrock:0:topic"), "once");
    }

    @Test
    void afterAnOutageANodeRetractsOrRestoresItsPresenceAndAsksAgain() {
        TestNode a = new TestNode("a");
        TestNode b = new TestNode("b");
        a.bus.listen(ROOM);
        redis.down = true;
        b.bus.listen(ROOM);
        redis.down = false;
        a.presence.clear();
        b.bus.resubscribeAll();
        assertEquals(List.of("asked on " + ROOM), b.presence, "b announces its own state");
        assertEquals(List.of("asked on " + ROOM), a.presence, "and asks the others for theirs");
    }

    @Test
    void eachHelloCarriesTheNodesTenantLoadToTheOthers() {
        TestNode a = new TestNode("a");
        TestNode b = new TestNode("b");
        a.bus.hello(Map.of("t", new TenantLoad(3, 1.5, 20, 0.25), "ü:x", new TenantLoad(1, 0, 0, 0)));
        assertEquals(Map.of("a", Map.of("t", new TenantLoad(3, 1.5, 20, 0.25), "ü:x", new TenantLoad(1, 0, 0, 0))), b.loads);
        assertEquals(Map.of(), a.loads, "not to itself");
    }

    @Test
    void loadsAreSummedPerTenantAndANodeThatLeavesNoLongerCounts() {
        ClusterLoads loads = new ClusterLoads();
        assertEquals(Map.of("t", new TenantLoad(3, 1, 2, 0)), loads.reported("a", Map.of("t", new TenantLoad(3, 1, 2, 0))));
        assertEquals(Map.of("t", new TenantLoad(5, 1, 2, 0), "u", new TenantLoad(1, 0, 0, 0)),
                loads.reported("b", Map.of("t", new TenantLoad(2, 0, 0, 0), "u", new TenantLoad(1, 0, 0, 0))));
        assertEquals(Map.of("t", new TenantLoad(2, 0, 0, 0)), loads.reported("a", Map.of()),
                "a tenant a node no longer reports drops to the others' sum");
        assertEquals(Map.of("t", TenantLoad.NONE, "u", TenantLoad.NONE), loads.forget("b"));
        assertEquals(Map.of(), loads.forget("b"));
    }
}
