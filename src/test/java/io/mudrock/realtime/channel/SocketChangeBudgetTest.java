package io.mudrock.realtime.channel;

import io.mudrock.realtime.protocol.FrameDecoder;
import io.mudrock.realtime.protocol.FrameEncoder;
import io.mudrock.realtime.protocol.InboundMessage;
import io.mudrock.realtime.protocol.Serializer;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Changes reach joined channels through their socket's queue: the channels of one socket share
 * that socket's budget and are told together, another socket of the same tenant is not touched.
 */
class SocketChangeBudgetTest {

    private static final long IN_AN_HOUR = System.currentTimeMillis() / 1000 + 3600;

    private final ChannelRegistry registry = new ChannelRegistry();
    private final ManualScheduler scheduler = new ManualScheduler();
    /** The targets the change stream would be handed, in join order. */
    private final List<PostgresChangesTarget> targets = new ArrayList<>();

    private ChannelServices services() {
        ChannelTenant tenant = new ChannelTenant("t", false, false, 10, 5, 10, 1000, 1000, 1, 5, Duration.ofSeconds(30));
        PostgresChangesGateway gateway = (target, bindings, claims) -> {
            targets.add(target);
            return CompletableFuture.completedFuture(NoPostgresChangesSubscription.INSTANCE);
        };
        TokenVerifier tokens = (tenantId, token) ->
                new TokenVerdict.Accepted(new ClientClaims(token, "anon", IN_AN_HOUR, null, "{\"role\":\"anon\"}"));
        return new ChannelServices(registry, id -> Optional.of(tenant), tokens,
                (tenantId, subTopic, claims, deadline) -> TopicPermissions.PUBLIC,
                (tenantId, subTopic, since, limit, deadline) -> List.of(), gateway, scheduler, scheduler, Duration.ZERO,
                Duration.ofSeconds(5));
    }

    /** A subscription with nothing behind it: the test plays the stream. */
    private enum NoPostgresChangesSubscription implements PostgresChangesSubscription {
        INSTANCE;

        @Override
        public void updateClaims(ClientClaims claims) {
        }

        @Override
        public void close() {
        }
    }

    private SocketChannels socket(RecordingLink link, String... topics) {
        SocketChannels channels = new SocketChannels(link, "t", "valid", services());
        int ref = 0;
        for (String topic : topics) {
            ref++;
            channels.handle((InboundMessage) FrameDecoder.decodeText(Serializer.V2, "[\"" + ref + "\",\"" + ref
                    + "\",\"realtime:" + topic + "\",\"phx_join\",{\"config\":{\"postgres_changes\":"
                    + "[{\"event\":\"*\",\"schema\":\"public\",\"table\":\"t\"}]}}]"));
        }
        link.take();
        return channels;
    }

    private static long changesIn(List<String> frames) {
        return frames.stream().filter(f -> f.contains("\"postgres_changes\",{\"ids\"")).count();
    }

    @Test
    void aSocketsChannelsShareItsBudgetAndAreToldTogetherWhileAnotherSocketIsUntouched() {
        RecordingLink wide = new RecordingLink(Serializer.V2);
        socket(wide, "a", "b");
        RecordingLink other = new RecordingLink(Serializer.V2);
        socket(other, "c");
        assertEquals(3, targets.size());

        // max_events_per_second 5: a young socket takes 25 changes at once. 20 changes on two channels are 40.
        for (int n = 1; n <= 20; n++) {
            String data = "{\"n\":" + n + "}";
            for (PostgresChangesTarget target : targets) {
                target.deliver(FrameEncoder.postgresChanges(target.topic(), new long[] {1}, data));
            }
        }
        List<String> wideFrames = wide.take();
        assertEquals(25, changesIn(wideFrames), "the two channels of one socket spend one budget");
        List<String> notices = wideFrames.stream().filter(f -> f.contains("\"system\"")).toList();
        assertEquals(2, notices.size(), "each channel with bindings is told once: " + notices);
        assertTrue(notices.get(0).contains("Event budget exceeded: too many database changes for this client"));
        assertTrue(notices.get(0).contains("\"extension\":\"postgres_changes\""));
        List<String> otherFrames = other.take();
        assertEquals(20, changesIn(otherFrames), "another socket of the tenant gets all of its changes at once");
        assertTrue(otherFrames.stream().noneMatch(f -> f.contains("\"system\"")));
    }

    @Test
    void aClosedSocketDropsWhatItHeld() {
        RecordingLink link = new RecordingLink(Serializer.V2);
        SocketChannels channels = socket(link, "a");
        link.congested = true;
        targets.get(0).deliver(FrameEncoder.postgresChanges(targets.get(0).topic(), new long[] {1}, "{}"));
        channels.socketClosed();
        link.congested = false;
        for (ManualScheduler.Task task : scheduler.pending()) {
            task.runnable.run();
        }
        assertEquals(0, changesIn(link.take()));
    }
}
