package io.mudrock.realtime.channel;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.mudrock.realtime.protocol.FrameDecoder;
import io.mudrock.realtime.protocol.InboundMessage;
import io.mudrock.realtime.protocol.Serializer;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Test;

/** Broadcast from Database in the channel layer: routing by the private flag, policies, replay de-duplication, replication_ready. */
class DatabaseBroadcastsTest {

    private static final long IN_AN_HOUR = System.currentTimeMillis() / 1000 + 3600;

    private final ChannelRegistry registry = new ChannelRegistry();
    private final DatabaseBroadcasts broadcasts = new DatabaseBroadcasts(registry);
    private final ManualScheduler scheduler = new ManualScheduler();
    private final AtomicReference<TopicPermissions> permissions = new AtomicReference<>(TopicPermissions.PUBLIC);
    private final List<ChannelMember> joins = new ArrayList<>();

    DatabaseBroadcastsTest() {
        registry.joinListener(joins::add);
    }

    private ChannelServices services() {
        ChannelAuthorizer authorizer = (tenantId, subTopic, claims, deadline) -> permissions.get();
        TokenVerifier tokens = (tenantId, token) -> new TokenVerdict.Accepted(
                new ClientClaims(token, "authenticated", IN_AN_HOUR, "u1", "{\"role\":\"authenticated\"}"));
        BroadcastReplay replay = (tenantId, subTopic, since, limit, deadline) ->
                List.of(new StoredBroadcast("m1", "stored", "{\"n\":1}", null));
        ChannelTenant tenant = new ChannelTenant("t", false, false, 10, 1000, 10, 1000, 1000, 1, 5, Duration.ofSeconds(30));
        return new ChannelServices(registry, id -> Optional.of(tenant), tokens, authorizer, replay,
                NoPostgresChanges.INSTANCE, scheduler, scheduler, Duration.ZERO, Duration.ofSeconds(5));
    }

    /** A vsn 1.0.0 socket, so broadcasts are readable JSON text. */
    private final class Client {
        final RecordingLink link = new RecordingLink(Serializer.V1);
        final SocketChannels channels = new SocketChannels(link, "t", "valid", services());

        Client join(String topic, String config) {
            channels.handle((InboundMessage) FrameDecoder.decodeText(Serializer.V1, "{\"topic\":\"" + topic
                    + "\",\"event\":\"phx_join\",\"payload\":{\"config\":" + config + "},\"ref\":\"1\",\"join_ref\":\"1\"}"));
            return this;
        }

        List<String> take() {
            return link.take();
        }
    }

    private static String broadcast(String topic, String event, String payload, String meta) {
        return "{\"topic\":\"" + topic + "\",\"event\":\"broadcast\",\"payload\":{\"event\":\"" + event
                + "\",\"payload\":" + payload + ",\"type\":\"broadcast\",\"meta\":" + meta + "},\"ref\":null}";
    }

    @Test
    void thePrivateFlagChoosesPublicOrPrivateChannelsAndMetaIdIsSet() {
        Client open = new Client().join("realtime:room", "{}");
        Client closed = new Client().join("realtime:room", "{\"private\":true}");
        open.take();
        closed.take();
        assertEquals(1, broadcasts.deliver("t", "room", false, "id-1", "hello", "{\"text\":\"grüß\"}", null));
        assertEquals(1, broadcasts.deliver("t", "room", true, "id-2", "secret", "{}", null));
        assertEquals(0, broadcasts.deliver("other-tenant", "room", false, "id-3", "hello", "{}", null));
        assertEquals(List.of(broadcast("realtime:room", "hello", "{\"text\":\"grüß\"}", "{\"id\":\"id-1\"}")), open.take());
        assertEquals(List.of(broadcast("realtime:room", "secret", "{}", "{\"id\":\"id-2\"}")), closed.take());
    }

    @Test
    void aPrivateChannelWithoutBroadcastReadGetsNothing() {
        permissions.set(new TopicPermissions(false, false, true, false)); // presence only
        Client presenceOnly = new Client().join("realtime:room", "{\"private\":true,\"presence\":{\"enabled\":true}}");
        assertTrue(presenceOnly.take().get(0).contains("\"status\":\"ok\""));
        assertEquals(0, broadcasts.deliver("t", "room", true, "id-1", "secret", "{}", null));
        assertTrue(presenceOnly.take().stream().noneMatch(f -> f.contains("secret")));
    }

    @Test
    void aReplayedMessageIsNotDeliveredAgainLive() {
        Client client = new Client().join("realtime:r", "{\"private\":true,\"broadcast\":{\"replay\":{\"since\":1}}}");
        List<String> frames = client.take();
        assertEquals(2, frames.size(), frames.toString()); // the reply, then the replayed message
        assertTrue(frames.get(1).contains("\"replayed\":true"), frames.get(1));
        assertEquals(0, broadcasts.deliver("t", "r", true, "m1", "stored", "{\"n\":1}", null));
        assertEquals(1, broadcasts.deliver("t", "r", true, "m2", "stored", "{\"n\":2}", null));
        assertEquals(List.of(broadcast("realtime:r", "stored", "{\"n\":2}", "{\"id\":\"m2\"}")), client.take());
    }

    @Test
    void replicationReadyFollowsTheJoinReply() {
        Client client = new Client();
        client.join("realtime:ready", "{\"broadcast\":{\"replication_ready\":true}}");
        assertEquals(1, joins.size());
        ChannelMember member = joins.get(0);
        assertTrue(DatabaseBroadcasts.wantsReplicationReady(member));
        DatabaseBroadcasts.replicationReady(member);
        List<String> frames = client.take();
        assertTrue(frames.get(0).contains("\"phx_reply\""), frames.toString());
        assertEquals("{\"topic\":\"realtime:ready\",\"event\":\"system\",\"payload\":{\"extension\":\"system\",\"status\":\"ok\","
                + "\"message\":\"Replication connection established\",\"channel\":\"ready\"},\"ref\":null}", frames.get(1));
        Client plain = new Client().join("realtime:plain", "{}");
        assertTrue(!DatabaseBroadcasts.wantsReplicationReady(joins.get(1)));
        plain.take();
    }
}
