package io.mudrock.bench;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;

/** Phoenix (vsn 2.0.0) pieces shared by the workloads: URLs, tokens, join payloads, matchers. */
public final class Subscriber {

    private Subscriber() {
    }

    /** The event slot of a fan-out frame: {@code [null,null,"realtime:x","postgres_changes",{...}]}. */
    public static final byte[] PG_CHANGES_EVENT = "\",\"postgres_changes\",".getBytes(StandardCharsets.US_ASCII);
    /** Rows written by the latency load carry their commit time here: {@code "name":"L<epoch µs>"}. */
    public static final byte[] NAME_L = "\"name\":\"L".getBytes(StandardCharsets.US_ASCII);

    public static String socketPath() {
        String apikey = Jwt.hs256(ServerProcess.JWT_SECRET, "anon", null, 24 * 3600);
        return "/realtime/v1/websocket?apikey=" + apikey + "&vsn=2.0.0";
    }

    /** realtime-js 2.119.1's join payload with one postgres_changes binding on public.wells. */
    public static String wellsJoin(String accessToken) {
        return "{\"config\":{\"broadcast\":{\"ack\":false,\"self\":false},\"presence\":{\"key\":\"\",\"enabled\":false},"
                + "\"postgres_changes\":[{\"event\":\"*\",\"schema\":\"public\",\"table\":\"wells\"}],\"private\":false},"
                + "\"access_token\":\"" + accessToken + "\",\"version\":\"realtime-js/2.119.1\"}";
    }

    /** A broadcast-only join (no postgres_changes), self off: the sender does not hear itself. */
    public static String broadcastJoin(String accessToken) {
        return "{\"config\":{\"broadcast\":{\"ack\":false,\"self\":false},\"presence\":{\"key\":\"\",\"enabled\":false},"
                + "\"postgres_changes\":[],\"private\":false},"
                + "\"access_token\":\"" + accessToken + "\",\"version\":\"realtime-js/2.119.1\"}";
    }

    public static boolean isPostgresChange(ByteBuffer b, int pos, int len) {
        // the event name sits right after the topic, within the first ~100 bytes
        return WsClient.indexOf(b, pos, Math.min(pos + len, pos + 160), PG_CHANGES_EVENT) >= 0;
    }

    /**
     * Opens one connection and waits for its join; throws with what the server answered when the
     * socket endpoint or the join is not there.
     */
    public static WsClient.Conn joinOne(WsClient client, String topic, String payload, long timeoutMs)
            throws IOException, InterruptedException {
        int before = client.conns().size();
        client.openAndJoin(1, 1, i -> topic, i -> payload, timeoutMs);
        WsClient.Conn c = client.conns().get(before);
        if (c.state() != WsClient.JOINED) {
            throw new IOException(c.failure() != null ? c.failure() : "no join reply within " + timeoutMs + " ms");
        }
        return c;
    }
}
