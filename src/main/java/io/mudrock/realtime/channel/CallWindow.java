package io.mudrock.realtime.channel;

import java.time.Duration;
import java.util.ArrayDeque;
import java.util.function.LongSupplier;

/**
 * At most N calls in any sliding window: the per-channel presence limit (upstream's
 * {@code max_client_presence_events_per_window} per {@code client_presence_window_ms}).
 * Not thread-safe: each channel's owner serializes its calls.
 */
public final class CallWindow {

    private final LongSupplier nanoClock;
    private final ArrayDeque<Long> calls = new ArrayDeque<>();

    /** A window on the system's monotonic clock. */
    public CallWindow() {
        this(System::nanoTime);
    }

    /**
     * A window on a given clock, for tests.
     *
     * @param nanoClock monotonic nanoseconds
     */
    public CallWindow(LongSupplier nanoClock) {
        this.nanoClock = nanoClock;
    }

    /**
     * Records a call if fewer than {@code maxCalls} happened within {@code window}.
     *
     * @param maxCalls calls allowed per window
     * @param window the window
     * @return true if allowed and recorded, false if over the limit (not recorded)
     */
    public boolean tryCall(int maxCalls, Duration window) {
        long now = nanoClock.getAsLong();
        long oldestAllowed = now - window.toNanos();
        while (!calls.isEmpty() && calls.peekFirst() - oldestAllowed <= 0) {
            calls.pollFirst();
        }
        if (calls.size() >= maxCalls) {
            return false;
        }
        calls.addLast(now);
        return true;
    }
}
