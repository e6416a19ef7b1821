package io.mudrock.realtime.stream;

import io.mudrock.realtime.channel.ClientLink;
import io.mudrock.realtime.channel.PostgresChangesTarget;
import io.mudrock.realtime.channel.RateCounter;
import io.mudrock.realtime.channel.SubscriberQueue;
import io.mudrock.realtime.protocol.FanOutFrames;
import io.mudrock.realtime.protocol.FrameEncoder;
import io.mudrock.realtime.protocol.OutboundFrame;
import io.mudrock.realtime.protocol.Serializer;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.locks.LockSupport;
import java.util.function.Predicate;

/**
 * A client socket as the change stream reaches it in the server: channels whose changes go
 * through the socket's real {@link SubscriberQueue} to a link that records when each frame
 * arrived. The link can stop reading (its send queue stays "more than half full"), and records
 * the close the queue asks for.
 */
final class TestSocket implements ClientLink {

    private static int ids;

    private final String id = "test-socket-" + (++ids);
    private final String tenantId;
    private final SubscriberQueue queue;
    private final int budget;
    private final List<String> frames = new ArrayList<>();
    private final List<Long> arrivals = new ArrayList<>();
    private final List<String> statuses = new ArrayList<>();
    private volatile boolean reading = true;
    private volatile boolean closed;
    private volatile String closedWith;

    /**
     * @param tenantId  the tenant
     * @param scheduler the queue's drain timer
     * @param budget    {@code max_events_per_second}, this socket's budget of changes
     * @param limits    how much the socket's queue may hold
     */
    TestSocket(String tenantId, ScheduledExecutorService scheduler, int budget, SubscriberQueue.Limits limits) {
        this.tenantId = tenantId;
        this.budget = budget;
        this.queue = new SubscriberQueue(this, tenantId, scheduler, this::status, limits, new RateCounter());
    }

    /** A channel of this socket. */
    PostgresChangesTarget channel(String subTopic) {
        return new Channel(subTopic);
    }

    /** The client stops reading: its send queue stays deep. */
    void stopReading() {
        reading = false;
    }

    void startReading() {
        reading = true;
    }

    SubscriberQueue queue() {
        return queue;
    }

    boolean closed() {
        return closed;
    }

    String closedWith() {
        return closedWith;
    }

    synchronized int count() {
        return frames.size();
    }

    /** The frames received so far (vsn 2.0.0 text). */
    synchronized List<String> frames() {
        return new ArrayList<>(frames);
    }

    /** {@link System#nanoTime()} at which each frame arrived. */
    synchronized List<Long> arrivals() {
        return new ArrayList<>(arrivals);
    }

    synchronized List<String> statuses() {
        return new ArrayList<>(statuses);
    }

    /** Waits until {@code count} frames arrived. */
    void awaitCount(int count, Duration timeout) {
        long end = System.nanoTime() + timeout.toNanos();
        while (count() < count) {
            if (System.nanoTime() > end) {
                throw new AssertionError("expected " + count + " frames on " + id + " within " + timeout + ", got "
                        + count() + "; statuses " + statuses());
            }
            LockSupport.parkNanos(1_000_000);
        }
    }

    /** Waits for a status matching {@code matches}. */
    String awaitStatus(Predicate<String> matches, Duration timeout) {
        long end = System.nanoTime() + timeout.toNanos();
        while (true) {
            for (String status : statuses()) {
                if (matches.test(status)) {
                    return status;
                }
            }
            if (System.nanoTime() > end) {
                throw new AssertionError("no matching status on " + id + " within " + timeout + "; got " + statuses());
            }
            LockSupport.parkNanos(1_000_000);
        }
    }

    private synchronized void status(boolean ok, String message) {
        statuses.add((ok ? "ok: " : "error: ") + message);
    }

    @Override
    public String id() {
        return id;
    }

    @Override
    public Serializer serializer() {
        return Serializer.V2;
    }

    @Override
    public synchronized void send(OutboundFrame frame) {
        frames.add(((OutboundFrame.Text) frame).text());
        arrivals.add(System.nanoTime());
    }

    @Override
    public void publishThenSend(Runnable publish, OutboundFrame frame) {
        publish.run();
        send(frame);
    }

    @Override
    public boolean congested() {
        return !reading;
    }

    @Override
    public void close(int code, String reason) {
        closedWith = code + " " + reason;
        closed = true;
    }

    /** One channel: what {@code ChannelMember} does with a change, without the rest of a join. */
    private final class Channel implements PostgresChangesTarget {
        private final String subTopic;

        Channel(String subTopic) {
            this.subTopic = subTopic;
        }

        @Override
        public String tenantId() {
            return tenantId;
        }

        @Override
        public String topic() {
            return "realtime:" + subTopic;
        }

        @Override
        public String subTopic() {
            return subTopic;
        }

        @Override
        public boolean isOpen() {
            return !closed;
        }

        @Override
        public boolean deliver(long[] ids, String dataJson) {
            return deliver(FrameEncoder.postgresChanges(topic(), ids, dataJson));
        }

        @Override
        public boolean deliver(FanOutFrames frames) {
            queue.offer(frames.frameFor(Serializer.V2).orElseThrow(), budget);
            return true;
        }

        @Override
        public void postgresChangesStatus(boolean ok, String message) {
            status(ok, message);
        }
    }
}
