package io.mudrock.realtime.channel;

import java.util.function.LongSupplier;

/**
 * Events per second of one tenant-wide limit, averaged like upstream's rate counters: over the
 * last 60 seconds, or over the counter's lifetime while it is younger (but at least 5 seconds,
 * upstream's tick, so one burst right after start-up is not mistaken for a sustained rate).
 * A limit is reached while the average is at or above it.
 *
 * <p>One-second buckets in a ring, so the average is always current (upstream's only moves every
 * 5 s). Thread-safe; the critical sections are a few array operations.
 */
public final class RateCounter {

    private static final int WINDOW_SECONDS = 60;
    private static final int MIN_SPAN_SECONDS = 5;
    private static final long NANOS_PER_SECOND = 1_000_000_000L;

    private final LongSupplier nanoClock;
    private final long[] counts = new long[WINDOW_SECONDS];
    private final long[] seconds = new long[WINDOW_SECONDS];
    private final long startSecond;
    // The same counter's rate on the other nodes of a cluster, as they last reported it.
    private volatile double elsewhere;

    /** A counter on the system's monotonic clock. */
    public RateCounter() {
        this(System::nanoTime);
    }

    /**
     * A counter on a given clock, for tests.
     *
     * @param nanoClock monotonic nanoseconds
     */
    public RateCounter(LongSupplier nanoClock) {
        this.nanoClock = nanoClock;
        this.startSecond = Math.floorDiv(nanoClock.getAsLong(), NANOS_PER_SECOND);
        java.util.Arrays.fill(seconds, Long.MIN_VALUE);
    }

    /**
     * Counts events.
     *
     * @param events how many, at least 0
     */
    public synchronized void add(long events) {
        long now = currentSecond();
        int slot = slot(now);
        if (seconds[slot] != now) {
            seconds[slot] = now;
            counts[slot] = 0;
        }
        counts[slot] += events;
    }

    /** @return the average events per second over the current span, on this node and the others */
    public double perSecond() {
        return localPerSecond() + elsewhere;
    }

    /**
     * Sets what the other nodes of a cluster last reported for the same counter.
     *
     * @param perSecond their events per second, summed
     */
    public void elsewhere(double perSecond) {
        elsewhere = perSecond;
    }

    /** @return the average events per second over the current span, on this node alone */
    public synchronized double localPerSecond() {
        long now = currentSecond();
        long total = 0;
        for (int i = 0; i < WINDOW_SECONDS; i++) {
            if (seconds[i] > now - WINDOW_SECONDS) {
                total += counts[i];
            }
        }
        long span = Math.max(MIN_SPAN_SECONDS, Math.min(WINDOW_SECONDS, now - startSecond + 1));
        return (double) total / span;
    }

    /**
     * @param limit events per second
     * @return true while the average is at or above {@code limit}
     */
    public boolean reached(int limit) {
        return perSecond() >= limit;
    }

    /**
     * Counts one event unless the limit is reached, as one step so concurrent callers cannot
     * all slip under the limit together.
     *
     * @param limit events per second
     * @return true if counted, false if the limit is reached
     */
    public synchronized boolean tryAdd(int limit) {
        if (reached(limit)) {
            return false;
        }
        add(1);
        return true;
    }

    private long currentSecond() {
        return Math.floorDiv(nanoClock.getAsLong(), NANOS_PER_SECOND);
    }

    private static int slot(long second) {
        return (int) Math.floorMod(second, (long) WINDOW_SECONDS);
    }
}
