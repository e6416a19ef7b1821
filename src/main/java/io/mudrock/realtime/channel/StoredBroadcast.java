package io.mudrock.realtime.channel;

import java.util.Objects;

/**
 * A broadcast stored in {@code realtime.messages}, as replay reads it back.
 *
 * @param id the message id, sent as {@code meta.id}
 * @param event the user event
 * @param payloadJson the JSON payload, or {@code null} when the message is binary
 * @param binaryPayload the binary payload, or {@code null} when the message is JSON
 */
public record StoredBroadcast(String id, String event, String payloadJson, byte[] binaryPayload) {

    /**
     * Requires an id and an event.
     *
     * @param id the id
     * @param event the event
     * @param payloadJson JSON payload or null
     * @param binaryPayload binary payload or null
     */
    public StoredBroadcast {
        Objects.requireNonNull(id, "id");
        Objects.requireNonNull(event, "event");
    }
}
