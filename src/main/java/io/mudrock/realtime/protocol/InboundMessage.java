package io.mudrock.realtime.protocol;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.MissingNode;
import java.util.Objects;
import java.util.Optional;

/**
 * A decoded client message, whatever frame format it came in.
 *
 * @param joinRef the {@code join_ref}, or {@code null}
 * @param ref the {@code ref} (echoed in the reply), or {@code null}
 * @param topic the topic, e.g. {@code "realtime:room1"} or {@code "phoenix"}
 * @param event the event, e.g. {@code "phx_join"}; always {@code "broadcast"} for binary frames
 * @param payload the payload
 */
public record InboundMessage(String joinRef, String ref, String topic, String event, InboundPayload payload)
        implements DecodeResult {

    /** Event name of user broadcasts, in both directions. */
    public static final String BROADCAST = "broadcast";

    /**
     * Requires topic, event and payload, which every frame format carries.
     *
     * @param joinRef the {@code join_ref}, or {@code null}
     * @param ref the {@code ref}, or {@code null}
     * @param topic the topic
     * @param event the event
     * @param payload the payload
     */
    public InboundMessage {
        Objects.requireNonNull(topic, "topic");
        Objects.requireNonNull(event, "event");
        Objects.requireNonNull(payload, "payload");
    }

    /**
     * The JSON payload of a text frame. Binary frames only carry broadcasts, read with
     * {@link #userBroadcast()}; for them this is a {@link MissingNode}, which fails any shape check.
     *
     * @return the JSON payload, never {@code null}
     */
    public JsonNode json() {
        return payload instanceof InboundPayload.Json j ? j.value() : MissingNode.getInstance();
    }

    /**
     * The user broadcast this message carries, the same way for binary kind-3 frames and for text
     * {@code broadcast} pushes. Text payloads are converted on each call: call it once.
     *
     * @return the broadcast, or empty if this is not a {@code broadcast} event with a usable payload
     */
    public Optional<UserBroadcast> userBroadcast() {
        if (payload instanceof InboundPayload.BinaryBroadcast b) {
            return Optional.of(b.broadcast());
        }
        return BROADCAST.equals(event) ? UserBroadcast.fromTextPayload(json()) : Optional.empty();
    }
}
