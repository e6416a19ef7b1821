package io.mudrock.realtime.protocol;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.Objects;

/** The payload of an {@link InboundMessage}: a JSON value, or a broadcast from a binary frame. */
public sealed interface InboundPayload permits InboundPayload.Json, InboundPayload.BinaryBroadcast {

    /**
     * The payload of a text frame.
     *
     * @param value the JSON value, possibly a {@code NullNode}, never Java {@code null}
     */
    record Json(JsonNode value) implements InboundPayload {
        /**
         * Requires a value; JSON {@code null} is a {@code NullNode}.
         *
         * @param value the JSON value
         */
        public Json {
            Objects.requireNonNull(value, "value");
        }
    }

    /**
     * The payload of a binary kind-3 (user broadcast push) frame.
     *
     * @param broadcast the broadcast, ready for fan-out (without the client's metadata)
     * @param metadataJson the frame's metadata JSON text as sent, or {@code null} when empty;
     *     kept for inspection only, since upstream does not forward client metadata either
     */
    record BinaryBroadcast(UserBroadcast broadcast, String metadataJson) implements InboundPayload {
        /**
         * Requires the broadcast.
         *
         * @param broadcast the broadcast
         * @param metadataJson the metadata as sent, or {@code null}
         */
        public BinaryBroadcast {
            Objects.requireNonNull(broadcast, "broadcast");
        }
    }
}
