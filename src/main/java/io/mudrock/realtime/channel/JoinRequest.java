package io.mudrock.realtime.channel;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;

/**
 * The payload of a {@code phx_join} (§4.1), read as leniently as upstream: booleans may be
 * {@code true}/{@code false} or those words as strings in any case; a malformed part falls back
 * to its default instead of failing the join.
 *
 * @param legacy true when the payload has no {@code config} (the v1 supabase-js API)
 * @param broadcastSelf {@code config.broadcast.self}: the sender receives its own broadcasts
 * @param broadcastAck {@code config.broadcast.ack}: broadcasts are acknowledged with a reply
 * @param presenceKey {@code config.presence.key}, or a generated UUID when missing or empty
 * @param presenceEnabled {@code config.presence.enabled}
 * @param privateChannel {@code config.private}
 * @param postgresChanges the {@code config.postgres_changes} entries, in order, nulls removed
 * @param accessToken {@code access_token} (or legacy {@code user_token}), or {@code null}
 * @param replay {@code config.broadcast.replay}, or {@code null} when absent
 * @param replicationReady {@code config.broadcast.replication_ready}: send a {@code system} message once
 *     the tenant's Broadcast from Database stream is established
 */
public record JoinRequest(
        boolean legacy,
        boolean broadcastSelf,
        boolean broadcastAck,
        String presenceKey,
        boolean presenceEnabled,
        boolean privateChannel,
        List<JsonNode> postgresChanges,
        String accessToken,
        JsonNode replay,
        boolean replicationReady) {

    /**
     * Copies the binding list so the request stays immutable.
     *
     * @param legacy legacy API
     * @param broadcastSelf self
     * @param broadcastAck ack
     * @param presenceKey presence key
     * @param presenceEnabled presence enabled
     * @param privateChannel private
     * @param postgresChanges bindings
     * @param accessToken token
     * @param replay replay
     * @param replicationReady replication ready
     */
    public JoinRequest {
        postgresChanges = List.copyOf(postgresChanges);
    }

    /**
     * Reads a join payload.
     *
     * @param payload the {@code phx_join} payload
     * @return the request, never {@code null}
     */
    public static JoinRequest parse(JsonNode payload) {
        JsonNode config = payload.path("config");
        JsonNode broadcast = config.path("broadcast");
        JsonNode presence = config.path("presence");
        List<JsonNode> bindings = new ArrayList<>();
        for (JsonNode binding : config.path("postgres_changes")) {
            if (!binding.isNull()) {
                bindings.add(binding);
            }
        }
        JsonNode replay = broadcast.path("replay");
        return new JoinRequest(
                !config.isObject(),
                bool(broadcast.path("self")),
                bool(broadcast.path("ack")),
                presenceKey(presence.path("key")),
                bool(presence.path("enabled")),
                bool(config.path("private")),
                bindings,
                token(payload),
                replay.isMissingNode() || replay.isNull() ? null : replay,
                bool(broadcast.path("replication_ready")));
    }

    private static boolean bool(JsonNode value) {
        if (value.isBoolean()) {
            return value.booleanValue();
        }
        return value.isTextual() && value.textValue().equalsIgnoreCase("true");
    }

    private static String presenceKey(JsonNode key) {
        String text = key.isValueNode() && !key.isNull() ? key.asText() : "";
        return text.isEmpty() ? UUID.randomUUID().toString() : text;
    }

    private static String token(JsonNode payload) {
        for (String field : new String[] {"access_token", "user_token"}) {
            JsonNode value = payload.path(field);
            if (value.isTextual() && !value.textValue().isBlank()) {
                return value.textValue();
            }
        }
        return null;
    }
}
