package io.mudrock.realtime.protocol;

import java.util.Objects;

/**
 * A frame that could not be decoded; the caller logs it and drops the frame.
 *
 * @param reason what was wrong, for logs, e.g. {@code "unknown binary kind 7"}
 */
public record MalformedFrame(String reason) implements DecodeResult {
    /**
     * Requires a reason: an unexplained drop cannot be diagnosed.
     *
     * @param reason what was wrong
     */
    public MalformedFrame {
        Objects.requireNonNull(reason, "reason");
    }
}
