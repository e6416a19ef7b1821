package io.mudrock.realtime.it;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.WebSocket;
import java.nio.ByteBuffer;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.function.Predicate;

/**
 * A raw WebSocket client for protocol-level tests: sends frames as given and collects every
 * frame received (text as strings, binary as byte arrays), so tests can assert exact wire shapes.
 */
public final class PhoenixSocket implements WebSocket.Listener, AutoCloseable {

    private static final HttpClient HTTP = HttpClient.newHttpClient();

    private final LinkedBlockingQueue<Object> received = new LinkedBlockingQueue<>();
    private final List<Object> seen = new ArrayList<>();
    private final CompletableFuture<Integer> closed = new CompletableFuture<>();
    private volatile String closeReason;
    private final StringBuilder text = new StringBuilder();
    private java.io.ByteArrayOutputStream binary = new java.io.ByteArrayOutputStream();
    private WebSocket socket;

    private PhoenixSocket() {
    }

    /**
     * Opens a socket on the test server.
     *
     * @param pathAndQuery e.g. {@code /realtime/v1/websocket?apikey=...&vsn=2.0.0}
     */
    public static PhoenixSocket open(String pathAndQuery) {
        return open(pathAndQuery, null);
    }

    /**
     * Opens a socket with a chosen Host header, which selects the tenant (needs the system
     * property {@code jdk.httpclient.allowRestrictedHeaders=host}, which failsafe sets).
     *
     * @param pathAndQuery e.g. {@code /realtime/v1/websocket?apikey=...&vsn=2.0.0}
     * @param host e.g. {@code flood.localhost}, or {@code null} for the default
     */
    public static PhoenixSocket open(String pathAndQuery, String host) {
        return open(pathAndQuery, host, null);
    }

    /**
     * Opens a socket as a browser does, with an {@code Origin} header (Java's client sends none).
     *
     * @param pathAndQuery e.g. {@code /realtime/v1/websocket?apikey=...&vsn=2.0.0}
     * @param host the Host header, or {@code null} for the default
     * @param origin e.g. {@code http://localhost:9082}
     */
    public static PhoenixSocket openFromBrowser(String pathAndQuery, String host, String origin) {
        return open(pathAndQuery, host, origin);
    }

    private static PhoenixSocket open(String pathAndQuery, String host, String origin) {
        PhoenixSocket client = new PhoenixSocket();
        WebSocket.Builder builder = HTTP.newWebSocketBuilder().connectTimeout(Duration.ofSeconds(10));
        if (host != null) {
            builder.header("Host", host);
        }
        if (origin != null) {
            builder.header("Origin", origin);
        }
        client.socket = builder
                .buildAsync(URI.create("ws://localhost:" + TestServer.HTTP_PORT + pathAndQuery), client)
                .orTimeout(15, TimeUnit.SECONDS).join();
        return client;
    }

    /** Sends a text frame. */
    public PhoenixSocket send(String frame) {
        socket.sendText(frame, true).join();
        return this;
    }

    /** Sends a binary frame. */
    public PhoenixSocket send(byte[] frame) {
        socket.sendBinary(ByteBuffer.wrap(frame), true).join();
        return this;
    }

    /**
     * Waits for the first received frame (not yet taken) that matches.
     *
     * @return the frame: a String for text, a byte[] for binary
     */
    public Object await(String what, Predicate<Object> matches) throws InterruptedException {
        long end = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        synchronized (seen) {
            for (Object frame : seen) {
                if (matches.test(frame)) {
                    seen.remove(frame);
                    return frame;
                }
            }
        }
        while (System.nanoTime() < end) {
            Object frame = received.poll(100, TimeUnit.MILLISECONDS);
            if (frame == null) {
                continue;
            }
            if (matches.test(frame)) {
                return frame;
            }
            synchronized (seen) {
                seen.add(frame);
            }
        }
        throw new AssertionError("Timed out waiting for " + what + "; received meanwhile: " + describe());
    }

    /** Waits for a text frame containing every fragment. */
    public String awaitText(String... fragments) throws InterruptedException {
        return (String) await(String.join(" & ", fragments), f -> f instanceof String s
                && java.util.Arrays.stream(fragments).allMatch(s::contains));
    }

    /** Frames received and not yet taken by an await, for failure messages and negative checks. */
    public List<Object> pending() {
        List<Object> all = new ArrayList<>();
        synchronized (seen) {
            all.addAll(seen);
        }
        received.drainTo(all);
        synchronized (seen) {
            seen.clear();
            seen.addAll(all);
        }
        return all;
    }

    /** @return the close code the server sent, once it closed */
    public CompletableFuture<Integer> closed() {
        return closed;
    }

    /** @return the close reason the server sent, once it closed */
    public String closeReason() {
        return closeReason;
    }

    private String describe() {
        return pending().stream().map(f -> f instanceof byte[] b ? "binary(" + b.length + ")" : f.toString()).toList()
                .toString();
    }

    @Override
    public CompletionStage<?> onText(WebSocket webSocket, CharSequence data, boolean last) {
        text.append(data);
        if (last) {
            received.add(text.toString());
            text.setLength(0);
        }
        webSocket.request(1);
        return null;
    }

    @Override
    public CompletionStage<?> onBinary(WebSocket webSocket, ByteBuffer data, boolean last) {
        byte[] chunk = new byte[data.remaining()];
        data.get(chunk);
        binary.writeBytes(chunk);
        if (last) {
            received.add(binary.toByteArray());
            binary = new java.io.ByteArrayOutputStream();
        }
        webSocket.request(1);
        return null;
    }

    @Override
    public CompletionStage<?> onClose(WebSocket webSocket, int statusCode, String reason) {
        closeReason = reason;
        closed.complete(statusCode);
        return null;
    }

    @Override
    public void onError(WebSocket webSocket, Throwable error) {
        closed.completeExceptionally(error);
    }

    @Override
    public void close() {
        if (!socket.isOutputClosed()) {
            socket.sendClose(WebSocket.NORMAL_CLOSURE, "").orTimeout(5, TimeUnit.SECONDS).exceptionally(e -> null).join();
        }
        socket.abort();
    }
}
