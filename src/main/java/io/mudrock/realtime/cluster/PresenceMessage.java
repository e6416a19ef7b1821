package io.mudrock.realtime.cluster;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.mudrock.realtime.channel.PresenceChange;
import io.mudrock.realtime.channel.PresenceMeta;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * The presence messages of a topic's channel between nodes, beside {@link RelayedBroadcast}: a
 * kind byte, then JSON. A node announces each change of its channels' presence, answers an
 * {@link Kind#ASK} with its full {@link Kind#STATE}, and asks when it starts hearing a topic or
 * comes back to Redis.
 *
 * @param kind what the message says
 * @param origin the node that sent it
 * @param change for {@link Kind#CHANGE}, else {@code null}
 * @param state for {@link Kind#STATE}, else empty
 */
public record PresenceMessage(Kind kind, String origin, PresenceChange change, List<PresenceMeta> state) {

    /** What a presence message says, with its kind byte. */
    public enum Kind {
        /** Some of the origin's metas left or joined. */
        CHANGE(2),
        /** Everything the origin tracks on the topic, replacing what receivers held of it. */
        STATE(3),
        /** The origin asks every other node for its {@link #STATE}. */
        ASK(4);

        final byte wire;

        Kind(int wire) {
            this.wire = (byte) wire;
        }
    }

    private static final ObjectMapper JSON = new ObjectMapper();

    /**
     * Copies the state.
     *
     * @param kind kind
     * @param origin origin
     * @param change change
     * @param state state
     */
    public PresenceMessage {
        state = List.copyOf(state);
    }

    static PresenceMessage change(String origin, PresenceChange change) {
        return new PresenceMessage(Kind.CHANGE, origin, change, List.of());
    }

    static PresenceMessage state(String origin, List<PresenceMeta> state) {
        return new PresenceMessage(Kind.STATE, origin, null, state);
    }

    static PresenceMessage ask(String origin) {
        return new PresenceMessage(Kind.ASK, origin, null, List.of());
    }

    /** @return the message bytes */
    public byte[] encode() {
        ObjectNode body = JSON.createObjectNode().put("o", origin);
        if (kind == Kind.CHANGE) {
            ArrayNode left = body.putArray("l");
            change.left().forEach(left::add);
            metas(body.putArray("j"), change.joined());
        } else if (kind == Kind.STATE) {
            metas(body.putArray("s"), state);
        }
        byte[] json = body.toString().getBytes(StandardCharsets.UTF_8);
        byte[] out = new byte[json.length + 1];
        out[0] = kind.wire;
        System.arraycopy(json, 0, out, 1, json.length);
        return out;
    }

    /**
     * @param message bytes of a topic's channel
     * @return the presence message, or empty if they are not one
     */
    public static Optional<PresenceMessage> decode(byte[] message) {
        if (message.length < 2) {
            return Optional.empty();
        }
        Kind kind = null;
        for (Kind k : Kind.values()) {
            if (k.wire == message[0]) {
                kind = k;
            }
        }
        if (kind == null) {
            return Optional.empty();
        }
        try {
            JsonNode body = JSON.readTree(new String(message, 1, message.length - 1, StandardCharsets.UTF_8));
            if (body == null || !body.path("o").isTextual()) {
                return Optional.empty();
            }
            String origin = body.get("o").textValue();
            return switch (kind) {
                case CHANGE -> {
                    List<String> left = new ArrayList<>();
                    body.path("l").forEach(ref -> left.add(ref.asText()));
                    yield Optional.of(change(origin, new PresenceChange(left, metas(body.path("j")))));
                }
                case STATE -> Optional.of(state(origin, metas(body.path("s"))));
                case ASK -> Optional.of(ask(origin));
            };
        } catch (IOException | RuntimeException e) {
            return Optional.empty();
        }
    }

    private static void metas(ArrayNode out, List<PresenceMeta> metas) {
        for (PresenceMeta meta : metas) {
            ObjectNode entry = out.addObject().put("k", meta.key()).put("r", meta.phxRef());
            if (meta.phxRefPrev() != null) {
                entry.put("p", meta.phxRefPrev());
            }
            entry.put("m", meta.payloadJson());
        }
    }

    private static List<PresenceMeta> metas(JsonNode array) {
        List<PresenceMeta> metas = new ArrayList<>();
        for (JsonNode entry : array) {
            JsonNode prev = entry.get("p");
            metas.add(new PresenceMeta(entry.path("k").asText(), entry.path("r").asText(),
                    prev == null ? null : prev.asText(), entry.path("m").asText("{}")));
        }
        return metas;
    }
}
