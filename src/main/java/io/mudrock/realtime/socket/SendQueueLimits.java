package io.mudrock.realtime.socket;

/**
 * How much a socket's send queue may hold before the socket is closed as too slow.
 *
 * @param maxFrames frames waiting while the output is busy (a frame written at once is not counted)
 * @param maxBytes their total size (UTF-16 units for text, bytes for binary)
 */
public record SendQueueLimits(int maxFrames, long maxBytes) {

    /**
     * Bounds that absorb a burst of thousands of small messages, or several payloads of the
     * largest size a tenant allows (3 MB by default), without letting one stalled client hold
     * unbounded memory.
     */
    public static final SendQueueLimits DEFAULT = new SendQueueLimits(4096, 32L * 1024 * 1024);
}
