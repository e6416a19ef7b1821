package io.mudrock.realtime.it;

import org.jboss.arquillian.container.test.api.Deployment;
import org.jboss.arquillian.container.test.api.RunAsClient;
import org.jboss.arquillian.junit5.ArquillianExtension;
import org.jboss.shrinkwrap.api.spec.WebArchive;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

import java.net.http.WebSocketHandshakeException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * What only the transport decides, checked on whichever one this run deploys ({@code mvn verify}
 * runs the integration tests on the default Jakarta WebSocket transport and again, in a second
 * failsafe run, on the servlet-upgrade one): the server really is on that transport, a message
 * over upstream's 5,000,000-byte limit closes the socket with 1009, one just under it is read,
 * a burst of broadcasts arrives whole and in order (binary frames: {@code RealtimeSocketIT}), and a
 * browser's refused handshake is upgraded and told over the socket (join error reply, 44xx close).
 */
@ExtendWith(ArquillianExtension.class)
@RunAsClient
class WebSocketTransportIT {

    private static final String V2 = "/realtime/v1/websocket?vsn=2.0.0&apikey=";
    private static final int MAX_MESSAGE_BYTES = 5_000_000;

    @Deployment(testable = false)
    static WebArchive deployment() {
        return Deployments.realtime();
    }

    @BeforeAll
    static void ready() throws Exception {
        Await.until("/health/ready UP", Duration.ofSeconds(60),
                () -> TestServer.get("/health/ready").statusCode() == 200);
        TestTenants.ensure("flood", "\"max_events_per_second\":100000");
    }

    @Test
    void theServerRunsOnTheTransportThisRunAsksFor() throws Exception {
        Path log = TestServer.serverDir().resolve("logs/messages.log");
        List<String> lines = Files.readAllLines(log, StandardCharsets.UTF_8).stream()
                .filter(line -> line.contains("Realtime sockets on the ")).toList();
        assertFalse(lines.isEmpty(), "the handshake servlet names its transport in " + log);
        assertTrue(lines.get(lines.size() - 1).contains("Realtime sockets on the " + TestServer.WEBSOCKET_TRANSPORT
                + " WebSocket transport"), lines.get(lines.size() - 1));
    }

    @Test
    void aMessageOverTheLimitClosesWith1009AndOneUnderItIsRead() throws Exception {
        try (PhoenixSocket socket = PhoenixSocket.open(V2 + Tokens.anon())) {
            // Just under the limit: a heartbeat padded with JSON whitespace is still a heartbeat. The
            // JDK client sends a message this long in many frames, so the limit is per message.
            String heartbeat = "[null,\"h1\",\"phoenix\",\"heartbeat\",{}]";
            socket.send(heartbeat.substring(0, heartbeat.length() - 1)
                    + " ".repeat(MAX_MESSAGE_BYTES - heartbeat.length()) + "]");
            socket.awaitText("\"h1\"", "phx_reply", "\"ok\"");
            socket.send("[null,\"h2\",\"phoenix\",\"heartbeat\",{\"pad\":\"" + "x".repeat(MAX_MESSAGE_BYTES) + "\"}]");
            assertEquals(1009, socket.closed().get(20, TimeUnit.SECONDS));
        }
    }

    @Test
    void aBurstOfBroadcastsArrivesWholeAndInOrder() throws Exception {
        String topic = "realtime:burst-" + System.nanoTime();
        try (PhoenixSocket receiver = PhoenixSocket.open(V2 + Tokens.anon(), "flood.localhost");
                PhoenixSocket sender = PhoenixSocket.open(V2 + Tokens.anon(), "flood.localhost")) {
            String join = "[\"1\",\"1\",\"" + topic + "\",\"phx_join\",{\"config\":{\"broadcast\":{\"ack\":true}}}]";
            receiver.send(join);
            receiver.awaitText("\"1\",\"1\"", "phx_reply", "\"ok\"");
            sender.send(join);
            sender.awaitText("\"1\",\"1\"", "phx_reply", "\"ok\"");
            int messages = 300;
            for (int i = 0; i < messages; i++) {
                sender.send("[\"1\",\"b" + i + "\",\"" + topic + "\",\"broadcast\",{\"type\":\"broadcast\",\"event\":\"n\","
                        + "\"payload\":{\"i\":" + i + "}}]");
            }
            for (int i = 0; i < messages; i++) {
                String expected = "{\"i\":" + i + "}";
                Object frame = receiver.await("broadcast " + i, f -> f instanceof String s && s.contains("\"broadcast\""));
                assertTrue(frame.toString().contains(expected), "broadcast " + i + " in order: " + frame);
            }
            sender.awaitText("\"b" + (messages - 1) + "\"", "phx_reply", "\"ok\"");
            assertFalse(receiver.closed().isDone());
        }
    }

    @Test
    void aBrowsersBadTokenIsToldAsAJoinErrorThenA4401Close() throws Exception {
        String badToken = Tokens.sign(Map.of("role", "anon"), 600, "another-secret-of-at-least-thirty-two-bytes");
        try (PhoenixSocket socket = PhoenixSocket.openFromBrowser(V2 + badToken, null, TestServer.baseUrl())) {
            socket.send("[\"1\",\"1\",\"realtime:refused-a\",\"phx_join\",{\"config\":{}}]");
            socket.send("[\"2\",\"2\",\"realtime:refused-b\",\"phx_join\",{\"config\":{}}]");
            for (String topic : List.of("realtime:refused-a", "realtime:refused-b")) {
                socket.awaitText("\"" + topic + "\",\"phx_reply\"", "\"status\":\"error\"",
                        "\"reason\":\"Failed to validate JWT signature\"");
            }
            assertEquals(4401, socket.closed().get(10, TimeUnit.SECONDS));
            assertEquals("Failed to validate JWT signature", socket.closeReason());
        }
    }

    @Test
    void aBrowsersUnknownTenantIsToldOverTheSocketWithA4404Close() throws Exception {
        try (PhoenixSocket socket = PhoenixSocket.openFromBrowser(V2 + Tokens.anon(), "nobody.example.com",
                "http://nobody.example.com")) {
            socket.send("[\"1\",\"1\",\"realtime:lost\",\"phx_join\",{\"config\":{}}]");
            socket.awaitText("\"phx_reply\"", "\"status\":\"error\"", "\"reason\":\"Tenant not found\"");
            assertEquals(4404, socket.closed().get(10, TimeUnit.SECONDS));
            assertEquals("Tenant not found", socket.closeReason());
        }
    }

    @Test
    void aRefusedBrowserSocketThatNeverJoinsIsClosedWithTheReasonAnyway() throws Exception {
        long opened = System.nanoTime();
        try (PhoenixSocket socket = PhoenixSocket.openFromBrowser("/realtime/v1/websocket?vsn=2.0.0", null,
                TestServer.baseUrl())) {
            assertEquals(4401, socket.closed().get(15, TimeUnit.SECONDS));
            assertEquals("API key is missing", socket.closeReason());
            assertTrue(System.nanoTime() - opened < TimeUnit.SECONDS.toNanos(12), "closed within the join wait");
        }
        try (PhoenixSocket socket = PhoenixSocket.openFromBrowser("/realtime/v1/websocket?vsn=3.0.0&apikey="
                + Tokens.anon(), null, TestServer.baseUrl())) {
            assertEquals(4403, socket.closed().get(10, TimeUnit.SECONDS), "an unknown vsn is told by the close alone");
            assertEquals("Unsupported protocol version (vsn) '3.0.0': use 1.0.0 or 2.0.0", socket.closeReason());
        }
    }

    @Test
    void withoutOriginTheRefusalStaysAnHttpAnswer() {
        String badToken = Tokens.sign(Map.of("role", "anon"), 600, "another-secret-of-at-least-thirty-two-bytes");
        Throwable refused = assertThrows(Exception.class, () -> PhoenixSocket.open(V2 + badToken));
        while (!(refused instanceof WebSocketHandshakeException) && refused.getCause() != null) {
            refused = refused.getCause();
        }
        WebSocketHandshakeException handshake = assertInstanceOf(WebSocketHandshakeException.class, refused);
        assertEquals(401, handshake.getResponse().statusCode(), "a client without Origin gets the HTTP refusal");
    }
}
