package io.mudrock.realtime.it;

import io.mudrock.realtime.auth.TokenSigner;
import org.jboss.arquillian.container.test.api.Deployment;
import org.jboss.arquillian.container.test.api.RunAsClient;
import org.jboss.arquillian.junit5.ArquillianExtension;
import org.jboss.shrinkwrap.api.spec.WebArchive;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.jupiter.api.extension.ExtendWith;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * How sockets end: a receiver that cannot keep up is closed alone, a tenant reload drains its
 * sockets with the documented notice, and a silent client is closed after the idle timeout while
 * one that only receives broadcasts is not kept alive by them. The idle sockets are opened first
 * and checked last so their wait overlaps the other tests. The default run keeps Phoenix's 60 s;
 * the second transport's run, whose sockets are the same, waits a shorter configured timeout.
 */
@ExtendWith(ArquillianExtension.class)
@RunAsClient
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class SocketLifecycleIT {

    private static final String V2 = "/realtime/v1/websocket?vsn=2.0.0&apikey=";
    private static final boolean DEFAULT_RUN = TestServer.WEBSOCKET_TRANSPORT.equals(TestServer.DEFAULT_WEBSOCKET_TRANSPORT);
    /** The idle timeout of this run: the default (unset) or {@code SOCKET_IDLE_TIMEOUT_MS}; the talker ticks every 5 s. */
    private static final int IDLE_SECONDS = DEFAULT_RUN ? 60 : 15;
    private static PhoenixSocket silent;
    private static PhoenixSocket onlyReceiving;
    private static PhoenixSocket talking;
    private static CompletableFuture<Void> ticking;

    @Deployment(testable = false)
    static WebArchive deployment() {
        return DEFAULT_RUN ? Deployments.realtime()
                : Deployments.realtimeWith(Map.of("SOCKET_IDLE_TIMEOUT_MS", Integer.toString(IDLE_SECONDS * 1000)));
    }

    @BeforeAll
    static void openIdleSockets() throws Exception {
        Await.until("/health/ready UP", Duration.ofSeconds(60),
                () -> TestServer.get("/health/ready").statusCode() == 200);
        TestTenants.ensure("flood", "\"max_events_per_second\":100000");
        TestTenants.ensure("drain", "");
        silent = PhoenixSocket.open(V2 + Tokens.anon());
        // Joined, or the unjoined-socket deadline (30 s) would close it first.
        silent.send("[\"1\",\"1\",\"realtime:silent\",\"phx_join\",{\"config\":{}}]");
        silent.awaitText("\"1\",\"1\"", "phx_reply");
        onlyReceiving = PhoenixSocket.open(V2 + Tokens.anon());
        onlyReceiving.send("[\"1\",\"1\",\"realtime:idle\",\"phx_join\",{\"config\":{}}]");
        onlyReceiving.awaitText("\"1\",\"1\"", "phx_reply");
        talking = PhoenixSocket.open(V2 + Tokens.anon());
        talking.send("[\"1\",\"1\",\"realtime:idle\",\"phx_join\",{\"config\":{}}]");
        talking.awaitText("\"1\",\"1\"", "phx_reply");
        // The talking socket broadcasts every 5 s, like a client heartbeating; the receiving one never speaks.
        ticking = CompletableFuture.runAsync(() -> {
            for (int i = 0; i < 16 && !talking.closed().isDone(); i++) {
                talking.send("[\"1\",\"t" + i + "\",\"realtime:idle\",\"broadcast\",{\"type\":\"broadcast\",\"event\":\"tick\",\"payload\":{}}]");
                java.util.concurrent.locks.LockSupport.parkNanos(TimeUnit.SECONDS.toNanos(5));
            }
        });
    }

    @AfterAll
    static void closeIdleSockets() {
        for (PhoenixSocket socket : new PhoenixSocket[] {silent, onlyReceiving, talking}) {
            if (socket != null) {
                socket.close();
            }
        }
    }

    @Test
    @Order(1)
    void aReceiverThatCannotKeepUpIsClosedAloneAndTheOthersGetEverything() throws Exception {
        String host = "flood.localhost";
        String payload = "x".repeat(100_000);
        int messages = 800;
        try (StalledClient stalled = new StalledClient(host, V2 + Tokens.anon());
                PhoenixSocket healthy = PhoenixSocket.open(V2 + Tokens.anon(), host);
                PhoenixSocket sender = PhoenixSocket.open(V2 + Tokens.anon(), host)) {
            stalled.sendText("[\"1\",\"1\",\"realtime:flood\",\"phx_join\",{\"config\":{}}]");
            healthy.send("[\"1\",\"1\",\"realtime:flood\",\"phx_join\",{\"config\":{}}]");
            healthy.awaitText("\"1\",\"1\"", "phx_reply", "\"ok\"");
            sender.send("[\"1\",\"1\",\"realtime:flood\",\"phx_join\",{\"config\":{\"broadcast\":{\"ack\":true}}}]");
            sender.awaitText("\"1\",\"1\"", "phx_reply", "\"ok\"");

            for (int i = 0; i < messages; i++) {
                sender.send("[\"1\",\"b" + i + "\",\"realtime:flood\",\"broadcast\",{\"type\":\"broadcast\",\"event\":\"n\","
                        + "\"payload\":{\"i\":" + i + ",\"pad\":\"" + payload + "\"}}]");
            }
            sender.awaitText("\"b" + (messages - 1) + "\"", "phx_reply", "\"ok\"");
            for (int i = 0; i < messages; i++) {
                String expected = "{\"i\":" + i + ",";
                healthy.await("broadcast " + i, f -> f instanceof String s && s.contains(expected));
            }

            StalledClient.Drained drained = stalled.readUntilClose();
            assertEquals(1013, drained.closeCode());
            assertEquals("send queue overflow: client too slow", drained.closeReason());
            assertTrue(drained.textFrames() < messages, "it was closed before getting everything: " + drained);
            assertFalse(healthy.closed().isDone());
            assertFalse(sender.closed().isDone());
        }
    }

    @Test
    @Order(2)
    void aTenantReloadDrainsItsSocketsWithTheDocumentedNotice() throws Exception {
        try (PhoenixSocket socket = PhoenixSocket.open(V2 + Tokens.anon(), "drain.localhost")) {
            socket.send("[\"1\",\"1\",\"realtime:one\",\"phx_join\",{\"config\":{}}]");
            socket.awaitText("\"1\",\"1\"", "phx_reply");
            socket.send("[\"2\",\"2\",\"realtime:two\",\"phx_join\",{\"config\":{}}]");
            socket.awaitText("\"2\",\"2\"", "phx_reply");

            Instant now = Instant.now();
            String admin = new TokenSigner(TestServer.API_JWT_SECRET)
                    .sign(Map.of("iat", now.getEpochSecond(), "exp", now.plusSeconds(60).getEpochSecond()));
            HttpResponse<String> reload = HttpClient.newHttpClient().send(
                    HttpRequest.newBuilder(URI.create(TestServer.baseUrl() + "/api/tenants/drain/reload"))
                            .header("Authorization", "Bearer " + admin)
                            .POST(HttpRequest.BodyPublishers.noBody()).build(),
                    HttpResponse.BodyHandlers.ofString());
            assertEquals(204, reload.statusCode(), reload.body());

            for (String topic : List.of("one", "two")) {
                socket.awaitText("\"realtime:" + topic + "\",\"system\",{\"extension\":\"system\",\"status\":\"ok\","
                        + "\"message\":\"Server requested disconnect\",\"channel\":\"" + topic + "\"}");
            }
            assertEquals(1012, socket.closed().get(10, TimeUnit.SECONDS));
        }
    }

    @Test
    @Order(3)
    void aSilentClientIsClosedAfterTheIdleTimeoutEvenIfItReceivesTraffic() throws Exception {
        assertEquals(1000, silent.closed().get(IDLE_SECONDS + 15, TimeUnit.SECONDS));
        assertEquals("no message from the client for " + IDLE_SECONDS + " s", silent.closeReason());
        assertEquals(1000, onlyReceiving.closed().get(15, TimeUnit.SECONDS));
        assertTrue(onlyReceiving.pending().stream().anyMatch(f -> f.toString().contains("\"tick\"")),
                "it received broadcasts while silent");
        assertFalse(talking.closed().isDone(), "a client that talks stays");
        ticking.cancel(true);
    }
}
