package io.mudrock.realtime.channel;

import io.mudrock.realtime.metrics.RealtimeMetrics;
import io.mudrock.realtime.protocol.LogText;
import io.mudrock.realtime.protocol.OutboundFrame;
import java.util.ArrayDeque;
import java.util.Objects;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.logging.Logger;

/**
 * One socket's database changes on their way to its send queue, and what they cost: every change
 * frame queued for one of the socket's channels counts one event against the socket's own
 * {@link RateCounter}, compared with the tenant's {@code max_events_per_second}. So a socket's
 * subscriptions cost that socket, never the tenant's stream nor anybody else.
 *
 * <p>A frame goes straight to the socket when nothing is held, the socket's send queue is less
 * than half full and the socket is within its budget. Otherwise it is <b>held</b> here, in order,
 * and a timer on the scheduler releases held frames as the send queue drains and the budget
 * allows. The change stream therefore never waits for a subscriber: handing a frame to this queue
 * is the same to it as writing it. Going over the budget is told once per episode (a
 * {@code system} error on the socket's {@code postgres_changes} channels), and again with status
 * ok when the held frames are all out. Nothing is dropped silently: when more is held than
 * {@link Limits} allow, the held frames are dropped, the channels are told and the socket is
 * closed with 1013, so the client reconnects and reads the rows afresh instead of missing some.
 *
 * <p>Thread-safe: the stream thread of the socket's tenant offers, the scheduler drains; both
 * under this object's lock, which is also held while handing frames to the socket (whose
 * {@code send} never blocks), so frames reach it in the order they were offered. The lock is
 * never held while telling the channels.
 */
public final class SubscriberQueue {

    private static final Logger LOG = Logger.getLogger(SubscriberQueue.class.getName());
    /** Close code when too much is held: "try again later", as for a send queue overflow. */
    public static final int CLOSE_TRY_AGAIN_LATER = 1013;
    /** The close reason when too much is held (at most 123 bytes). */
    public static final String CLOSE_REASON = "too many database changes for this client";
    /** How often held frames are looked at while the socket's send queue is deep. */
    private static final long CONGESTED_POLL_MILLIS = 5;
    /** How often held frames are looked at while only the budget holds them (it moves per second). */
    private static final long BUDGET_POLL_MILLIS = 50;
    /** Frames one drain run hands on at most, so a scheduler thread is never kept long; it runs again at once. */
    private static final int MAX_RELEASED_PER_DRAIN = 1024;

    /**
     * How much one socket may have held before it is closed.
     *
     * @param maxFrames held frames
     * @param maxBytes their total size (UTF-16 units for text, bytes for binary), an upper bound of their memory
     */
    public record Limits(int maxFrames, long maxBytes) {

        /**
         * Room for a bulk write of tens of thousands of rows to a client that reads more slowly
         * than the stream decodes, on top of the socket's own send queue; about as much memory as
         * that queue may hold.
         */
        public static final Limits DEFAULT = new Limits(50_000, 32L * 1024 * 1024);
    }

    /** Where the queue tells the socket's {@code postgres_changes} channels something. */
    @FunctionalInterface
    public interface Channels {
        /**
         * Pushes a {@code system} message (extension {@code postgres_changes}) to each channel of
         * the socket that has bindings.
         *
         * @param ok true for status ok, false for error
         * @param message the message
         */
        void tell(boolean ok, String message);
    }

    private final ClientLink link;
    private final String tenantId;
    private final ScheduledExecutorService scheduler;
    private final Channels channels;
    private final Limits limits;
    private final RateCounter delivered;

    // Guarded by this.
    private final ArrayDeque<OutboundFrame> held = new ArrayDeque<>();
    private long heldBytes;
    private int limit = Integer.MAX_VALUE;
    private boolean drainScheduled;
    private boolean overBudgetTold;
    private boolean closed;
    private long overBudgetSince;

    /**
     * @param link      the socket
     * @param tenantId  its tenant, for logs
     * @param scheduler runs the short drain task
     * @param channels  how the socket's channels are told
     * @param limits    how much may be held
     * @param delivered the socket's counter of delivered changes
     */
    public SubscriberQueue(ClientLink link, String tenantId, ScheduledExecutorService scheduler, Channels channels,
            Limits limits, RateCounter delivered) {
        this.link = Objects.requireNonNull(link, "link");
        this.tenantId = tenantId;
        this.scheduler = Objects.requireNonNull(scheduler, "scheduler");
        this.channels = Objects.requireNonNull(channels, "channels");
        this.limits = Objects.requireNonNull(limits, "limits");
        this.delivered = Objects.requireNonNull(delivered, "delivered");
    }

    /**
     * Queues one change frame for the socket, or holds it (see the class comment). Returns at once.
     *
     * @param frame             the frame, for the socket's serializer
     * @param maxEventsPerSecond the tenant's {@code max_events_per_second}, this socket's budget of changes
     */
    public void offer(OutboundFrame frame, int maxEventsPerSecond) {
        boolean tellOverBudget = false;
        boolean overflow = false;
        synchronized (this) {
            if (closed) {
                return;
            }
            limit = Math.max(1, maxEventsPerSecond);
            if (held.isEmpty() && !link.congested() && !delivered.reached(limit)) {
                delivered.add(1);
                link.send(frame);
                return;
            }
            held.addLast(frame);
            heldBytes += sizeOf(frame);
            if (held.size() > limits.maxFrames() || heldBytes > limits.maxBytes()) {
                overflow = true;
                closed = true;
            } else {
                if (!overBudgetTold && delivered.reached(limit)) {
                    overBudgetTold = true;
                    overBudgetSince = System.nanoTime();
                    tellOverBudget = true;
                }
                scheduleDrain();
            }
        }
        if (overflow) {
            overflow();
        } else if (tellOverBudget) {
            int reached = limit;
            LOG.info(() -> LogText.tenant(tenantId) + " socket=" + link.id() + ": database changes delayed, over "
                    + "max_events_per_second (" + reached + ") for this connection");
            channels.tell(false, overBudget(reached));
        }
    }

    /** The socket closed: whatever is held is dropped with it. */
    public void close() {
        synchronized (this) {
            closed = true;
            held.clear();
            heldBytes = 0;
        }
    }

    /** @return how many frames are held (for tests and diagnostics) */
    public synchronized int held() {
        return held.size();
    }

    /** With the lock held: the drain task runs soon, once. */
    private void scheduleDrain() {
        scheduleDrain(link.congested() ? CONGESTED_POLL_MILLIS : BUDGET_POLL_MILLIS);
    }

    private void scheduleDrain(long delay) {
        if (drainScheduled) {
            return;
        }
        try {
            scheduler.schedule(this::drain, delay, TimeUnit.MILLISECONDS);
            drainScheduled = true;
        } catch (RejectedExecutionException e) {
            // the server is stopping: the socket closes with it
        }
    }

    private void drain() {
        boolean caughtUp = false;
        long delayedNanos = 0;
        synchronized (this) {
            drainScheduled = false;
            if (closed) {
                return;
            }
            int released = 0;
            while (!held.isEmpty() && released < MAX_RELEASED_PER_DRAIN && !link.congested()
                    && !delivered.reached(limit)) {
                OutboundFrame frame = held.pollFirst();
                heldBytes -= sizeOf(frame);
                delivered.add(1);
                link.send(frame);
                released++;
            }
            if (released == MAX_RELEASED_PER_DRAIN && !held.isEmpty()) {
                scheduleDrain(0);
            } else if (!held.isEmpty()) {
                scheduleDrain();
            } else if (overBudgetTold) {
                overBudgetTold = false;
                caughtUp = true;
                delayedNanos = System.nanoTime() - overBudgetSince;
            }
        }
        if (caughtUp) {
            RealtimeMetrics.tenant(tenantId).budgetDelayed(delayedNanos);
            long millis = TimeUnit.NANOSECONDS.toMillis(delayedNanos);
            LOG.info(() -> LogText.tenant(tenantId) + " socket=" + link.id() + ": delayed database changes all delivered"
                    + " after " + millis + " ms");
            channels.tell(true, CAUGHT_UP);
        }
    }

    private void overflow() {
        int dropped;
        synchronized (this) {
            dropped = held.size();
            held.clear();
            heldBytes = 0;
        }
        LOG.info(() -> LogText.tenant(tenantId) + " socket=" + link.id() + ": closing the socket, " + dropped
                + " database changes held, more than it may hold (" + limits.maxFrames() + " frames or "
                + limits.maxBytes() + " bytes)");
        channels.tell(false, tooMany(dropped));
        link.close(CLOSE_TRY_AGAIN_LATER, CLOSE_REASON);
    }

    /** Status error: the socket went over its budget; its changes wait, in order. */
    static String overBudget(int maxEventsPerSecond) {
        return "Event budget exceeded: too many database changes for this client (over this project's "
                + "max_events_per_second (" + maxEventsPerSecond + ") per connection), so they are delayed "
                + "(none are dropped) and arrive in order as its budget allows";
    }

    /** Status ok: the changes held for the budget are all out. */
    static final String CAUGHT_UP = "Event budget: delayed database changes have all been delivered";

    /** Status error, then close 1013: more was held than the socket may hold. */
    static String tooMany(int held) {
        return "Too many database changes for this client: " + held + " were waiting for it, more than one "
                + "connection may hold, so the connection is closed; reconnect and read the current rows again";
    }

    private static long sizeOf(OutboundFrame frame) {
        return frame instanceof OutboundFrame.Text text ? text.text().length() : frame.wireBytes().length;
    }
}
