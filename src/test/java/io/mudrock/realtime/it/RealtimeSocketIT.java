package io.mudrock.realtime.it;

import org.jboss.arquillian.container.test.api.Deployment;
import org.jboss.arquillian.container.test.api.RunAsClient;
import org.jboss.arquillian.junit5.ArquillianExtension;
import org.jboss.shrinkwrap.api.spec.WebArchive;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The WebSocket protocol on the wire, frame by frame, against the packaged server: handshake
 * refusals as HTTP answers, heartbeats, joins and their replies, unmatched topics, malformed
 * frames, leaves, duplicate joins, and broadcasts across frame formats.
 */
@ExtendWith(ArquillianExtension.class)
@RunAsClient
class RealtimeSocketIT {

    private static final String V2 = "/realtime/v1/websocket?vsn=2.0.0&apikey=";
    private static final String V1 = "/socket/websocket?apikey=";

    @Deployment(testable = false)
    static WebArchive deployment() {
        return Deployments.realtime();
    }

    @BeforeAll
    static void ready() throws Exception {
        Await.until("/health/ready UP", Duration.ofSeconds(60),
                () -> TestServer.get("/health/ready").statusCode() == 200);
        // With a single tenant every Host selects it; a second one makes unknown hosts unknown.
        TestTenants.ensure("socket-it", "");
    }

    @Test
    void refusedHandshakesAreHttpAnswersWithTheDocumentedStatusAndMessage() throws Exception {
        String path = "/realtime/v1/websocket?vsn=2.0.0&apikey=";
        assertRefused(401, "API key is missing", "localhost", "/realtime/v1/websocket?vsn=2.0.0");
        assertRefused(401, "Failed to validate JWT signature", "localhost",
                path + Tokens.sign(Map.of("role", "anon"), 600, "another-secret-of-at-least-thirty-two-bytes"));
        assertRefused(401, "Token has expired", "localhost", path + Tokens.sign(Map.of("role", "anon"), -60,
                TestServer.TENANT_JWT_SECRET));
        assertRefused(401, "Fields `role` and `exp` are required in JWT", "localhost",
                path + Tokens.sign(Map.of("sub", "x"), 600, TestServer.TENANT_JWT_SECRET));
        assertRefused(401, "The token provided is not a valid JWT", "localhost", path + "not-a-jwt");
        // An opaque key the tenant never registered (upstream cannot read these keys at all: see README, Opaque API keys).
        assertRefused(401, "Unknown API key: no such key is registered for this tenant", "localhost", path + "sb_publishable_abc");
        assertRefused(404, "Tenant not found", "nobody.example.com", path + Tokens.anon());
        assertRefused(403, "Unsupported protocol version (vsn) '3.0.0': use 1.0.0 or 2.0.0", "localhost",
                "/socket/websocket?vsn=3.0.0&apikey=" + Tokens.anon());
    }

    @Test
    void theApiKeyHeaderOverridesTheQueryParameter() throws Exception {
        HttpAnswer answer = upgrade("localhost", "/socket/websocket?vsn=2.0.0&apikey=" + Tokens.anon(),
                "x-api-key: not-a-jwt\r\n");
        assertEquals(401, answer.status, answer.toString());
        assertEquals("{\"error\":\"The token provided is not a valid JWT\"}", answer.body);
    }

    @Test
    void heartbeatJoinReplyAndUnmatchedTopic() throws Exception {
        try (PhoenixSocket socket = PhoenixSocket.open(V2 + Tokens.anon())) {
            socket.send("[null,\"1\",\"phoenix\",\"heartbeat\",{}]");
            assertEquals("[null,\"1\",\"phoenix\",\"phx_reply\",{\"status\":\"ok\",\"response\":{}}]",
                    socket.awaitText("\"1\"", "phx_reply"));

            socket.send("[\"2\",\"2\",\"realtime:room-a\",\"phx_join\",{\"config\":{\"broadcast\":{\"ack\":false,\"self\":false},"
                    + "\"presence\":{\"key\":\"\",\"enabled\":true},\"postgres_changes\":[{\"event\":\"INSERT\",\"schema\":\"public\","
                    + "\"table\":\"wells\"},{\"event\":\"*\",\"schema\":\"public\",\"table\":\"wells\",\"filter\":\"id=eq.1\","
                    + "\"select\":[\"id\"]}],\"private\":false},\"access_token\":\"" + Tokens.anon() + "\"}]");
            String reply = socket.awaitText("\"2\",\"2\"", "phx_reply");
            Matcher ids = Pattern.compile("\\{\"event\":\"INSERT\",\"schema\":\"public\",\"table\":\"wells\",\"id\":(\\d+)},"
                    + "\\{\"event\":\"\\*\",\"schema\":\"public\",\"table\":\"wells\",\"filter\":\"id=eq.1\",\"select\":\\[\"id\"],"
                    + "\"id\":(\\d+)}").matcher(reply);
            assertTrue(ids.find(), reply);
            assertTrue(reply.startsWith("[\"2\",\"2\",\"realtime:room-a\",\"phx_reply\",{\"status\":\"ok\""), reply);
            assertFalse(ids.group(1).equals(ids.group(2)), reply);
            assertEquals("[\"2\",null,\"realtime:room-a\",\"presence_state\",{}]", socket.awaitText("presence_state"));

            socket.send("[\"9\",\"3\",\"realtime:never-joined\",\"broadcast\",{\"type\":\"broadcast\",\"event\":\"x\",\"payload\":{}}]");
            assertEquals("[null,\"3\",\"realtime:never-joined\",\"phx_reply\",{\"status\":\"error\",\"response\":{\"reason\":\"unmatched topic\"}}]",
                    socket.awaitText("\"3\"", "unmatched topic"));
        }
    }

    @Test
    void malformedFramesAreDroppedAndTheSocketStaysUp() throws Exception {
        try (PhoenixSocket socket = PhoenixSocket.open(V2 + Tokens.anon())) {
            socket.send("{not json").send("[1,2]").send(new byte[] {7, 1, 2});
            socket.send("[null,\"5\",\"phoenix\",\"heartbeat\",{}]");
            socket.awaitText("\"5\"", "phx_reply");
            assertFalse(socket.closed().isDone());
        }
    }

    @Test
    void leaveRepliesThenClosesAndADuplicateJoinClosesTheOldInstance() throws Exception {
        try (PhoenixSocket socket = PhoenixSocket.open(V2 + Tokens.anon())) {
            socket.send(join("1", "realtime:dup", "{}"));
            socket.awaitText("[\"1\",\"1\",\"realtime:dup\",\"phx_reply\",{\"status\":\"ok\"");
            socket.send(join("2", "realtime:dup", "{}"));
            assertEquals("[\"1\",\"1\",\"realtime:dup\",\"phx_close\",{}]", socket.awaitText("phx_close"));
            socket.awaitText("[\"2\",\"2\",\"realtime:dup\",\"phx_reply\",{\"status\":\"ok\"");
            socket.send("[\"2\",\"3\",\"realtime:dup\",\"phx_leave\",{}]");
            assertEquals("[\"2\",\"3\",\"realtime:dup\",\"phx_reply\",{\"status\":\"ok\",\"response\":{}}]",
                    socket.awaitText("\"3\"", "phx_reply"));
            assertEquals("[\"2\",\"2\",\"realtime:dup\",\"phx_close\",{}]", socket.awaitText("phx_close"));
        }
    }

    @Test
    void broadcastsCrossFrameFormatsAndBinaryNeverReachesVsn1() throws Exception {
        try (PhoenixSocket sender = PhoenixSocket.open(V2 + Tokens.anon());
                PhoenixSocket v2 = PhoenixSocket.open(V2 + Tokens.anon());
                PhoenixSocket v1 = PhoenixSocket.open(V1 + Tokens.anon())) {
            sender.send(join("1", "realtime:mixed", "{\"broadcast\":{\"ack\":true}}"));
            sender.awaitText("\"1\",\"1\"", "\"ok\"");
            v2.send(join("1", "realtime:mixed", "{}"));
            v2.awaitText("\"1\",\"1\"", "\"ok\"");
            v1.send("{\"topic\":\"realtime:mixed\",\"event\":\"phx_join\",\"payload\":{\"config\":{}},\"ref\":\"1\",\"join_ref\":\"1\"}");
            assertEquals("{\"topic\":\"realtime:mixed\",\"event\":\"phx_reply\",\"payload\":{\"status\":\"ok\",\"response\":"
                    + "{\"postgres_changes\":[]}},\"ref\":\"1\"}", v1.awaitText("phx_reply"));

            byte[] topic = "realtime:mixed".getBytes(StandardCharsets.UTF_8);
            sender.send(kind3("1", "2", topic, "json-evt", 1, "{\"n\":\"é\"}".getBytes(StandardCharsets.UTF_8)));
            sender.awaitText("\"1\",\"2\"", "phx_reply", "\"ok\"");
            byte[] forV2 = (byte[]) v2.await("kind 4 broadcast", f -> f instanceof byte[]);
            assertEquals(4, forV2[0]);
            assertEquals("{\"n\":\"é\"}", new String(forV2, forV2.length - "{\"n\":\"é\"}".getBytes(StandardCharsets.UTF_8).length,
                    "{\"n\":\"é\"}".getBytes(StandardCharsets.UTF_8).length, StandardCharsets.UTF_8));
            assertEquals("{\"topic\":\"realtime:mixed\",\"event\":\"broadcast\",\"payload\":{\"event\":\"json-evt\","
                    + "\"payload\":{\"n\":\"é\"},\"type\":\"broadcast\"},\"ref\":null}", v1.awaitText("json-evt"));

            sender.send(kind3("1", "3", topic, "bin-evt", 0, new byte[] {0, 1, 2, (byte) 255}));
            sender.awaitText("\"1\",\"3\"", "phx_reply");
            byte[] binary = (byte[]) v2.await("binary payload", f -> f instanceof byte[] b && b.length > 4 && b[b.length - 1] == (byte) 255);
            assertArrayEquals(new byte[] {0, 1, 2, (byte) 255}, java.util.Arrays.copyOfRange(binary, binary.length - 4, binary.length));
            // A later JSON broadcast arrives at vsn 1.0.0 with nothing before it: the binary one was skipped.
            sender.send("[\"1\",\"4\",\"realtime:mixed\",\"broadcast\",{\"type\":\"broadcast\",\"event\":\"after\",\"payload\":{}}]");
            v1.awaitText("\"after\"");
            assertTrue(v1.pending().stream().noneMatch(f -> f.toString().contains("bin-evt")), v1.pending().toString());
        }
    }

    @Test
    void joinErrorsCarryTheDocumentedReasons() throws Exception {
        try (PhoenixSocket socket = PhoenixSocket.open(V2 + Tokens.anon())) {
            socket.send(join("1", "realtime:", "{}"));
            assertTrue(socket.awaitText("\"1\",\"1\"").contains("\"status\":\"error\",\"response\":{\"reason\":"
                    + "\"TopicNameRequired: You must provide a topic name\"}"));
            socket.send("[\"2\",\"2\",\"realtime:x\",\"phx_join\",{\"config\":{},\"access_token\":\""
                    + Tokens.sign(Map.of("role", "anon"), -30, TestServer.TENANT_JWT_SECRET) + "\"}]");
            String expired = socket.awaitText("\"2\",\"2\"");
            assertTrue(expired.matches(".*InvalidJWTToken: Token has expired \\d+ seconds ago.*"), expired);
            socket.send("[\"3\",\"3\",\"realtime:x\",\"phx_join\",{\"config\":{\"broadcast\":{\"replay\":{\"since\":0}}}}]");
            assertTrue(socket.awaitText("\"3\",\"3\"").contains("UnableToReplayMessages: Replay is not allowed for public channels"));
        }
    }

    private static String join(String ref, String topic, String config) {
        return "[\"" + ref + "\",\"" + ref + "\",\"" + topic + "\",\"phx_join\",{\"config\":" + config + "}]";
    }

    private static byte[] kind3(String joinRef, String ref, byte[] topic, String event, int encoding, byte[] payload) {
        byte[] j = joinRef.getBytes(StandardCharsets.UTF_8);
        byte[] r = ref.getBytes(StandardCharsets.UTF_8);
        byte[] e = event.getBytes(StandardCharsets.UTF_8);
        java.io.ByteArrayOutputStream out = new java.io.ByteArrayOutputStream();
        out.writeBytes(new byte[] {3, (byte) j.length, (byte) r.length, (byte) topic.length, (byte) e.length, 0,
                (byte) encoding});
        out.writeBytes(j);
        out.writeBytes(r);
        out.writeBytes(topic);
        out.writeBytes(e);
        out.writeBytes(payload);
        return out.toByteArray();
    }

    private static void assertRefused(int status, String message, String host, String pathAndQuery) throws IOException {
        HttpAnswer answer = upgrade(host, pathAndQuery, "");
        assertEquals(status, answer.status, answer.toString());
        assertTrue(answer.head.toLowerCase().contains("content-type: application/json"), answer.toString());
        assertEquals("{\"error\":\"" + message.replace("\"", "\\\"") + "\"}", answer.body, answer.toString());
    }

    /** A WebSocket upgrade request over a plain socket, so the Host header is ours to choose. */
    static HttpAnswer upgrade(String host, String pathAndQuery, String extraHeaders) throws IOException {
        try (Socket socket = new Socket("localhost", TestServer.HTTP_PORT)) {
            socket.setSoTimeout((int) TimeUnit.SECONDS.toMillis(20));
            OutputStream out = socket.getOutputStream();
            out.write(("GET " + pathAndQuery + " HTTP/1.1\r\nHost: " + host + "\r\nUpgrade: websocket\r\n"
                    + "Connection: Upgrade\r\nSec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nSec-WebSocket-Version: 13\r\n"
                    + extraHeaders + "\r\n").getBytes(StandardCharsets.ISO_8859_1));
            out.flush();
            InputStream in = socket.getInputStream();
            java.io.ByteArrayOutputStream head = new java.io.ByteArrayOutputStream();
            while (!head.toString(StandardCharsets.ISO_8859_1).endsWith("\r\n\r\n")) {
                int b = in.read();
                if (b < 0) {
                    break;
                }
                head.write(b);
            }
            String headers = head.toString(StandardCharsets.ISO_8859_1).trim();
            Matcher length = Pattern.compile("(?im)^content-length:\\s*(\\d+)").matcher(headers);
            String body = length.find()
                    ? new String(in.readNBytes(Integer.parseInt(length.group(1))), StandardCharsets.UTF_8) : "";
            return new HttpAnswer(Integer.parseInt(headers.substring(9, 12)), headers, body);
        }
    }

    record HttpAnswer(int status, String head, String body) {
    }
}
