package io.mudrock.realtime.changes;

import java.util.Objects;

/**
 * A row inserted into {@code realtime.messages}, as Broadcast from Database delivers it: by
 * {@code realtime.send} (JSON payload) or {@code realtime.send_binary} (bytes).
 *
 * @param id the message id (sent as {@code meta.id})
 * @param topic the sub-topic
 * @param event the user event
 * @param privateMessage true: private channels only; false: public channels only
 * @param payloadJson the JSON payload text, or {@code null} for a binary message
 * @param binaryPayload the binary payload, or {@code null} for a JSON message
 */
public record DatabaseBroadcast(String id, String topic, String event, boolean privateMessage, String payloadJson,
                                byte[] binaryPayload) {

    /**
     * Requires an id, topic and event, and exactly one payload.
     *
     * @param id id
     * @param topic topic
     * @param event event
     * @param privateMessage private
     * @param payloadJson JSON payload or null
     * @param binaryPayload binary payload or null
     */
    public DatabaseBroadcast {
        Objects.requireNonNull(id, "id");
        Objects.requireNonNull(topic, "topic");
        Objects.requireNonNull(event, "event");
        if ((payloadJson == null) == (binaryPayload == null)) {
            throw new IllegalArgumentException("a message has a JSON or a binary payload");
        }
    }
}
