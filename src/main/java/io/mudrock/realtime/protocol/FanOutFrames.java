package io.mudrock.realtime.protocol;

import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicReferenceArray;
import java.util.function.Function;

/**
 * The frames of one message sent to many sockets on one topic, encoded lazily at most once per
 * {@link Serializer} and then shared by every receiver using that format. Thread-safe: receivers
 * on different threads may ask concurrently and all get the same instance.
 *
 * <p>Create one per message and topic with {@link FrameEncoder#broadcast}, {@link FrameEncoder#fanOut}
 * or {@link FrameEncoder#postgresChanges}, then call {@link #frameFor(Serializer)} for each receiver.
 */
public final class FanOutFrames {

    private final Function<Serializer, OutboundFrame> encoder;
    private final AtomicReferenceArray<Optional<OutboundFrame>> cache =
            new AtomicReferenceArray<>(Serializer.values().length);

    /**
     * @param encoder builds the frame for one format, or returns {@code null} when the message
     *     cannot be delivered in that format; called at most once per format
     */
    FanOutFrames(Function<Serializer, OutboundFrame> encoder) {
        this.encoder = Objects.requireNonNull(encoder, "encoder");
    }

    /**
     * The frame for receivers using {@code serializer}.
     *
     * @param serializer the receiver's format
     * @return the shared frame, or empty when this message is not delivered in that format
     *     (binary broadcast payloads to vsn 1.0.0 sockets)
     */
    public Optional<OutboundFrame> frameFor(Serializer serializer) {
        int slot = serializer.ordinal();
        Optional<OutboundFrame> frame = cache.get(slot);
        if (frame == null) {
            // Locked so that a burst of receivers encodes once instead of racing to encode.
            synchronized (this) {
                frame = cache.get(slot);
                if (frame == null) {
                    frame = Optional.ofNullable(encoder.apply(serializer));
                    cache.set(slot, frame);
                }
            }
        }
        return frame;
    }
}
