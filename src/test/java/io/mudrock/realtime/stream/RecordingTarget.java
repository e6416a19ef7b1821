package io.mudrock.realtime.stream;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.mudrock.realtime.channel.PostgresChangesTarget;
import io.mudrock.realtime.protocol.FanOutFrames;
import io.mudrock.realtime.protocol.FrameEncoder;
import io.mudrock.realtime.protocol.OutboundFrame;
import io.mudrock.realtime.protocol.Serializer;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.locks.LockSupport;
import java.util.function.Predicate;

/** A channel that records what the stream delivers to it, as vsn 2.0.0 text frames. */
final class RecordingTarget implements PostgresChangesTarget {

    private static final ObjectMapper JSON = new ObjectMapper();

    private final String tenantId;
    private final String subTopic;
    private final List<String> frames = new ArrayList<>();
    private final List<JsonNode> parsed = new ArrayList<>();
    private final List<String> statuses = new ArrayList<>();
    private volatile boolean open = true;

    RecordingTarget(String tenantId, String subTopic) {
        this.tenantId = tenantId;
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
        return open;
    }

    void close() {
        open = false;
    }

    @Override
    public boolean deliver(long[] ids, String dataJson) {
        return deliver(FrameEncoder.postgresChanges(topic(), ids, dataJson));
    }

    @Override
    public boolean deliver(FanOutFrames frames) {
        String text = ((OutboundFrame.Text) frames.frameFor(Serializer.V2).orElseThrow()).text();
        synchronized (this) {
            this.frames.add(text); // parsed when a test reads it, so parsing does not slow the stream down
        }
        return true;
    }

    @Override
    public synchronized void postgresChangesStatus(boolean ok, String message) {
        statuses.add((ok ? "ok: " : "error: ") + message);
    }

    /** The {@code {"ids":..,"data":..}} payloads received so far. */
    synchronized List<JsonNode> changes() {
        for (int i = parsed.size(); i < frames.size(); i++) {
            try {
                parsed.add(JSON.readTree(frames.get(i)).get(4));
            } catch (Exception e) {
                throw new AssertionError(frames.get(i), e);
            }
        }
        return new ArrayList<>(parsed);
    }

    /** How many changes arrived. */
    synchronized int count() {
        return frames.size();
    }

    synchronized List<String> statuses() {
        return new ArrayList<>(statuses);
    }

    /** Waits until {@code count} changes arrived; returns them. */
    List<JsonNode> awaitChanges(int count, Duration timeout) {
        long end = System.nanoTime() + timeout.toNanos();
        while (count() < count) {
            if (System.nanoTime() > end) {
                throw new AssertionError("expected " + count + " changes on " + topic() + " within " + timeout + ", got "
                        + count() + "; statuses " + statuses());
            }
            LockSupport.parkNanos(2_000_000);
        }
        return changes();
    }

    /** Waits for a status message matching {@code matches}. */
    String awaitStatus(Predicate<String> matches, Duration timeout) {
        long end = System.nanoTime() + timeout.toNanos();
        while (true) {
            for (String status : statuses()) {
                if (matches.test(status)) {
                    return status;
                }
            }
            if (System.nanoTime() > end) {
                throw new AssertionError("no matching status on " + topic() + " within " + timeout + "; got " + statuses());
            }
            LockSupport.parkNanos(2_000_000);
        }
    }
}
