package io.mudrock.realtime.it;

import org.jboss.arquillian.container.test.api.Deployment;
import org.jboss.arquillian.container.test.api.RunAsClient;
import org.jboss.arquillian.junit5.ArquillianExtension;
import org.jboss.shrinkwrap.api.spec.WebArchive;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

import java.time.Duration;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The deliberate delays before refusals ({@code CONNECT_ERROR_BACKOFF_MS},
 * {@code CHANNEL_ERROR_BACKOFF_MS}) hold no thread: the refused handshake still answers with its
 * status and body, and a socket waiting for a join error keeps answering heartbeats at once.
 */
@ExtendWith(ArquillianExtension.class)
@RunAsClient
class ErrorBackoffIT {

    private static final long BACKOFF_MS = 1500;

    @Deployment(testable = false)
    static WebArchive deployment() {
        return Deployments.realtimeWith(Map.of(
                "CONNECT_ERROR_BACKOFF_MS", Long.toString(BACKOFF_MS),
                "CHANNEL_ERROR_BACKOFF_MS", Long.toString(BACKOFF_MS)));
    }

    @BeforeAll
    static void ready() throws Exception {
        Await.until("/health/ready UP", Duration.ofSeconds(60),
                () -> TestServer.get("/health/ready").statusCode() == 200);
    }

    @Test
    void aRefusedHandshakeAnswersAfterTheConnectBackOff() throws Exception {
        long started = System.nanoTime();
        RealtimeSocketIT.HttpAnswer answer = RealtimeSocketIT.upgrade("localhost",
                "/realtime/v1/websocket?vsn=2.0.0&apikey=" + Tokens.sign(Map.of("role", "anon"), -10, TestServer.TENANT_JWT_SECRET), "");
        long elapsedMs = (System.nanoTime() - started) / 1_000_000;
        assertEquals(401, answer.status(), answer.toString());
        assertEquals("{\"error\":\"Token has expired\"}", answer.body());
        assertTrue(elapsedMs >= BACKOFF_MS, "answered after " + elapsedMs + " ms");
    }

    @Test
    void aJoinErrorWaitsForTheChannelBackOffWhileHeartbeatsAnswerAtOnce() throws Exception {
        try (PhoenixSocket socket = PhoenixSocket.open("/realtime/v1/websocket?vsn=2.0.0&apikey=" + Tokens.anon())) {
            long started = System.nanoTime();
            socket.send("[\"1\",\"1\",\"realtime:\",\"phx_join\",{\"config\":{}}]");
            socket.send("[null,\"2\",\"phoenix\",\"heartbeat\",{}]");
            socket.awaitText("\"2\"", "phx_reply");
            long heartbeatMs = (System.nanoTime() - started) / 1_000_000;
            String reply = socket.awaitText("\"1\",\"1\"", "phx_reply");
            long joinMs = (System.nanoTime() - started) / 1_000_000;
            assertTrue(reply.contains("TopicNameRequired: You must provide a topic name"), reply);
            assertTrue(heartbeatMs < BACKOFF_MS, "heartbeat answered after " + heartbeatMs + " ms");
            assertTrue(joinMs >= BACKOFF_MS, "join error answered after " + joinMs + " ms");
        }
    }
}
