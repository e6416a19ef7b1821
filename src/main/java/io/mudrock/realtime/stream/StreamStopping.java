package io.mudrock.realtime.stream;

/**
 * Thrown inside a stream task when it was asked to stop while waiting (for an event budget or a
 * slow subscriber), so the task unwinds at once without treating it as a failure.
 */
final class StreamStopping extends RuntimeException {

    StreamStopping() {
        super("the change stream is stopping", null, false, false);
    }
}
