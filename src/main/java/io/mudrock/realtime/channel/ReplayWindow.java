package io.mudrock.realtime.channel;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.Optional;

/**
 * What {@code config.broadcast.replay} asks for: messages inserted since a time, at most
 * {@code limit} of them (missing: 25; clamped to 1..25, as upstream).
 *
 * @param sinceMillis Unix milliseconds
 * @param limit 1 to 25
 */
public record ReplayWindow(long sinceMillis, int limit) {

    private static final int MAX_LIMIT = 25;

    /**
     * @param replay the {@code replay} object of a join
     * @return the window, or empty when {@code since} is not a non-negative integer or
     *     {@code limit} is present but not an integer ({@code Replay params are not valid})
     */
    public static Optional<ReplayWindow> parse(JsonNode replay) {
        JsonNode since = replay.path("since");
        JsonNode limit = replay.path("limit");
        if (!since.isIntegralNumber() || since.asLong() < 0 || !(limit.isMissingNode() || limit.isNull()
                || limit.isIntegralNumber())) {
            return Optional.empty();
        }
        int count = limit.isIntegralNumber() ? (int) Math.max(1, Math.min(MAX_LIMIT, limit.asLong())) : MAX_LIMIT;
        return Optional.of(new ReplayWindow(since.asLong(), count));
    }
}
