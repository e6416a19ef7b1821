package io.mudrock.realtime.stream;

import io.mudrock.realtime.channel.PostgresChangesTarget;
import io.mudrock.realtime.channel.RateCounter;
import io.mudrock.realtime.metrics.RealtimeMetrics;
import java.util.Collections;
import java.util.IdentityHashMap;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;
import java.util.logging.Logger;

/**
 * Where the stream thread may wait before handing a change on, and the only places it does:
 * <ul>
 *   <li><b>Event budget.</b> Changes delivered per second are counted per tenant against its
 *       {@code max_events_per_second}. Over it, the stream waits (the WAL stays in the slot, since
 *       nothing past it is confirmed) instead of skipping changes as upstream does, and every
 *       subscriber is told once per episode, and again when the delayed changes are all out. The
 *       counter is the stream's own, so a burst of changes never gets broadcasting channels closed
 *       for "Too many messages per second", nor the other way round.</li>
 *   <li><b>Slow subscribers.</b> Before queuing for a channel whose send queue is more than half
 *       full, the stream waits for it to drain, at most {@link #SLOW_SUBSCRIBER_WAIT_NANOS}. A
 *       channel that does not drain in that time is not waited for again until it has caught up:
 *       if its queue then overflows, the socket layer closes it (close code 1013), so one stalled
 *       client delays the others by a bounded amount once, not forever.</li>
 * </ul>
 * While it waits, the replication connection is kept alive. Used by one stream thread only.
 */
final class DeliveryGate {

    private static final Logger LOG = Logger.getLogger(DeliveryGate.class.getName());
    static final long SLOW_SUBSCRIBER_WAIT_NANOS = TimeUnit.SECONDS.toNanos(5);
    private static final long BUDGET_POLL_NANOS = TimeUnit.MILLISECONDS.toNanos(20);
    private static final long DRAIN_POLL_NANOS = TimeUnit.MILLISECONDS.toNanos(1);

    /** What the gate needs from its stream while it waits. */
    interface Stream {
        /** Keeps the replication connection alive (a status update) during a long wait. */
        void keepAlive();

        /** Whether the stream was asked to stop. */
        boolean stopping();

        /** Tells every live subscriber something (a {@code system} message). */
        void tellSubscribers(boolean ok, String message);

        /** The tenant, for logs. */
        String tenantId();

        /** The tenant's current {@code max_events_per_second} (admin changes apply while waiting). */
        int maxEventsPerSecond();
    }

    private final RateCounter delivered;
    private final Stream stream;
    private final Set<PostgresChangesTarget> slow = Collections.newSetFromMap(new IdentityHashMap<>());
    private boolean throttled;
    private long delayedSince;
    private int limit; // 0 until first read
    private long limitReadAt;

    /**
     * @param delivered the tenant's counter of delivered changes (kept across reconnections)
     * @param stream    the stream being gated
     */
    DeliveryGate(RateCounter delivered, Stream stream) {
        this.delivered = delivered;
        this.stream = stream;
    }

    /**
     * Counts {@code events} deliveries of one change, first waiting while the budget is spent.
     *
     * @throws StreamStopping if the stream is asked to stop meanwhile
     */
    void pace(int events) {
        long started = System.nanoTime();
        if (limit == 0 || started - limitReadAt > TimeUnit.SECONDS.toNanos(1)) {
            limit = limit(); // read once a second, not per change: admin changes apply within a second
            limitReadAt = started;
        }
        if (delivered.reached(limit)) {
            if (!throttled) {
                throttled = true;
                delayedSince = System.nanoTime();
                int reached = limit;
                LOG.info(() -> "Change stream of tenant " + stream.tenantId() + " delayed: max_events_per_second ("
                        + reached + ") reached");
                stream.tellSubscribers(false, StreamNotices.budgetExceeded(reached));
            }
            long lastKeepAlive = System.nanoTime();
            long lastLimit = lastKeepAlive;
            while (delivered.reached(limit)) {
                if (stream.stopping()) {
                    throw new StreamStopping();
                }
                long now = System.nanoTime();
                if (now - lastKeepAlive > TimeUnit.SECONDS.toNanos(5)) {
                    stream.keepAlive();
                    lastKeepAlive = now;
                }
                if (now - lastLimit > TimeUnit.SECONDS.toNanos(1)) {
                    limit = limit(); // an operator may raise the budget meanwhile
                    lastLimit = now;
                    limitReadAt = now;
                }
                LockSupport.parkNanos(BUDGET_POLL_NANOS);
            }
            RealtimeMetrics.tenant(stream.tenantId()).budgetDelayed(System.nanoTime() - started);
        }
        delivered.add(events);
    }

    private int limit() {
        return Math.max(1, stream.maxEventsPerSecond());
    }

    /** The stream has nothing left to read: delayed changes, if any, are all out. */
    void idle() {
        slow.removeIf(target -> !target.isOpen());
        if (throttled) {
            throttled = false;
            long seconds = TimeUnit.NANOSECONDS.toSeconds(System.nanoTime() - delayedSince);
            LOG.info(() -> "Change stream of tenant " + stream.tenantId() + " caught up after " + seconds
                    + " s of delay for max_events_per_second");
            stream.tellSubscribers(true, StreamNotices.BUDGET_CAUGHT_UP);
        }
    }

    /**
     * Waits, within bounds, until a channel's send queue has room.
     *
     * @throws StreamStopping if the stream is asked to stop meanwhile
     */
    void awaitRoom(PostgresChangesTarget target) {
        if (!target.congested()) {
            slow.remove(target);
            return;
        }
        if (slow.contains(target)) {
            return;
        }
        long deadline = System.nanoTime() + SLOW_SUBSCRIBER_WAIT_NANOS;
        long lastKeepAlive = System.nanoTime();
        while (target.congested() && target.isOpen()) {
            if (stream.stopping()) {
                throw new StreamStopping();
            }
            if (System.nanoTime() > deadline) {
                slow.add(target);
                LOG.info(() -> "Change stream of tenant " + stream.tenantId() + " stops waiting for slow subscriber "
                        + target.topic() + ": its send queue did not drain in 5 s");
                return;
            }
            if (System.nanoTime() - lastKeepAlive > TimeUnit.SECONDS.toNanos(5)) {
                stream.keepAlive();
                lastKeepAlive = System.nanoTime();
            }
            LockSupport.parkNanos(DRAIN_POLL_NANOS);
        }
    }
}
