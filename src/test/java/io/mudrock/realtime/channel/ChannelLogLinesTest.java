package io.mudrock.realtime.channel;

import io.mudrock.realtime.protocol.FrameDecoder;
import io.mudrock.realtime.protocol.InboundMessage;
import io.mudrock.realtime.protocol.LogText;
import io.mudrock.realtime.protocol.Serializer;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.logging.Handler;
import java.util.logging.LogRecord;
import java.util.logging.Logger;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Pins the form of our log lines, {@code tenant=<id> channel=<topic> socket=<id>: what happened},
 * on lines a real socket's channel table writes, so a log shipper's two patterns keep working.
 */
class ChannelLogLinesTest {

    /** The patterns README "## Logs" gives log shippers. */
    private static final Pattern TENANT = Pattern.compile("tenant=(\\S+)");
    private static final Pattern CHANNEL = Pattern.compile("channel=(\\S+)");

    private static final long IN_AN_HOUR = System.currentTimeMillis() / 1000 + 3600;
    private final Logger logger = Logger.getLogger(SocketChannels.class.getName());
    private final List<String> lines = new CopyOnWriteArrayList<>();
    private final Handler capture = new Handler() {
        @Override
        public void publish(LogRecord record) {
            lines.add(record.getMessage());
        }

        @Override
        public void flush() {
        }

        @Override
        public void close() {
        }
    };

    @BeforeEach
    void listen() {
        logger.addHandler(capture);
    }

    @AfterEach
    void stopListening() {
        logger.removeHandler(capture);
    }

    private static ChannelServices services() {
        ChannelTenant tenant = new ChannelTenant("acme", false, false, 10, 1000, 3, 1000, 1000, 1, 5, Duration.ofSeconds(30));
        TokenVerifier tokens = (tenantId, token) -> new TokenVerdict.Accepted(
                new ClientClaims(token, "anon", IN_AN_HOUR, null, "{\"role\":\"anon\"}"));
        ChannelAuthorizer authorizer = (tenantId, subTopic, claims, deadline) -> TopicPermissions.PUBLIC;
        BroadcastReplay replay = (tenantId, subTopic, since, limit, deadline) -> List.of();
        ManualScheduler scheduler = new ManualScheduler();
        return new ChannelServices(new ChannelRegistry(), id -> Optional.of(tenant), tokens, authorizer, replay,
                NoPostgresChanges.INSTANCE, scheduler, scheduler, Duration.ZERO, Duration.ofSeconds(5));
    }

    private static void send(SocketChannels channels, String frame) {
        channels.handle((InboundMessage) FrameDecoder.decodeText(Serializer.V2, frame));
    }

    private static String field(Pattern pattern, String line) {
        Matcher m = pattern.matcher(line);
        assertTrue(m.find(), line);
        return m.group(1);
    }

    @Test
    void joinLeaveAndRefusalLinesCarryTenantChannelAndSocketFirst() {
        RecordingLink link = new RecordingLink(Serializer.V2);
        SocketChannels channels = new SocketChannels(link, "acme", "token", services());
        send(channels, "[\"1\",\"1\",\"realtime:room-1\",\"phx_join\",{\"config\":{}}]");
        send(channels, "[\"1\",\"2\",\"realtime:room-1\",\"phx_leave\",{}]");
        send(channels, "[\"3\",\"3\",\"realtime:two words\\n[INFO] forged\",\"phx_join\",{\"config\":{\"private\":true,"
                + "\"postgres_changes\":[" + "{\"event\":\"*\"},".repeat(100) + "{\"event\":\"*\"}]}}]");

        String socket = " socket=" + link.id() + ": ";
        assertEquals("tenant=acme channel=realtime:room-1" + socket + "joined as role anon", lines.get(0));
        assertEquals("tenant=acme channel=realtime:room-1" + socket + "left", lines.get(1));
        String refused = lines.get(2);
        assertTrue(refused.startsWith("tenant=acme channel=realtime:two\\u0020words\\u000a[INFO]\\u0020forged" + socket
                + "join refused, TooManyPostgresChanges: "), refused);
        for (String line : lines) {
            assertEquals("acme", field(TENANT, line));
            assertTrue(field(CHANNEL, line).startsWith("realtime:"), line);
            assertTrue(line.indexOf('\n') < 0, line);
        }
    }

    @Test
    void fieldValuesEndAtTheNextSpaceAndStayOneLine() {
        assertEquals("tenant=acme", LogText.tenant("acme"));
        assertEquals("tenant=a\\u0020b channel=realtime:x\\u000dy", LogText.channel("a b", "realtime:x\ry"));
        assertEquals("tenant=null", LogText.tenant(null));
        String cut = LogText.value("x".repeat(LogText.MAX_CHARS + 5));
        assertEquals("x".repeat(LogText.MAX_CHARS) + "...(5\\u0020more)", cut);
    }
}
