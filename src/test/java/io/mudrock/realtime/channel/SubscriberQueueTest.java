package io.mudrock.realtime.channel;

import io.mudrock.realtime.protocol.OutboundFrame;
import io.mudrock.realtime.protocol.Serializer;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** One socket's queue of database changes: its budget, its backlog and its close, on a clock the test moves. */
class SubscriberQueueTest {

    private static final long SECOND = 1_000_000_000L;

    private final AtomicLong now = new AtomicLong(1_000 * SECOND);
    private final RecordingLink link = new RecordingLink(Serializer.V2);
    private final ManualScheduler scheduler = new ManualScheduler();
    private final List<String> told = new ArrayList<>();

    private SubscriberQueue queue(SubscriberQueue.Limits limits) {
        return new SubscriberQueue(link, "t", scheduler, (ok, message) -> told.add((ok ? "ok: " : "error: ") + message),
                limits, new RateCounter(now::get));
    }

    /** Runs the timers due now once: the drain task reschedules itself while something is held. */
    private void tick() {
        for (ManualScheduler.Task task : scheduler.pending()) {
            task.done = true;
            scheduler.scheduled.remove(task);
            task.runnable.run();
        }
    }

    private static OutboundFrame change(int n) {
        return new OutboundFrame.Text("change " + n);
    }

    private static List<String> changes(int from, int to) {
        List<String> expected = new ArrayList<>();
        for (int n = from; n <= to; n++) {
            expected.add("change " + n);
        }
        return expected;
    }

    @Test
    void withinItsBudgetAndReadingChangesGoStraightToTheSocket() {
        SubscriberQueue queue = queue(SubscriberQueue.Limits.DEFAULT);
        for (int n = 1; n <= 40; n++) {
            queue.offer(change(n), 10);
        }
        assertEquals(changes(1, 40), link.take(), "a young socket may take 5 s worth of its budget at once");
        assertEquals(0, queue.held());
        assertTrue(scheduler.pending().isEmpty());
        assertTrue(told.isEmpty());
    }

    @Test
    void overItsBudgetChangesWaitInOrderAreToldAndFollowAsTheBudgetAllows() {
        SubscriberQueue queue = queue(SubscriberQueue.Limits.DEFAULT);
        for (int n = 1; n <= 120; n++) {
            queue.offer(change(n), 10);
        }
        assertEquals(changes(1, 50), link.take(), "10 per second over the first 5 s");
        assertEquals(70, queue.held());
        assertEquals(List.of("error: " + SubscriberQueue.overBudget(10)), told, "told once, not per change");

        tick();
        assertEquals(List.of(), link.take(), "still over its budget in the same second");
        now.addAndGet(5 * SECOND); // the average now spans 6 s: 60 events fit
        tick();
        assertEquals(changes(51, 60), link.take(), "released in order as the budget allows");
        now.addAndGet(60 * SECOND); // the window forgot the burst
        tick();
        assertEquals(changes(61, 120), link.take());
        assertEquals(List.of("error: " + SubscriberQueue.overBudget(10), "ok: " + SubscriberQueue.CAUGHT_UP), told);
        assertTrue(scheduler.pending().isEmpty(), "no timer once nothing is held");
    }

    @Test
    void whileTheSocketIsCongestedChangesAreHeldThenFollowInOrderWithoutANotice() {
        SubscriberQueue queue = queue(SubscriberQueue.Limits.DEFAULT);
        queue.offer(change(1), 10_000);
        link.congested = true;
        for (int n = 2; n <= 30; n++) {
            queue.offer(change(n), 10_000);
        }
        tick();
        assertEquals(changes(1, 1), link.take(), "nothing is pushed at a socket whose send queue is deep");
        link.congested = false;
        queue.offer(change(31), 10_000);
        assertEquals(List.of(), link.take(), "a new change waits behind the held ones");
        tick();
        assertEquals(changes(2, 31), link.take());
        assertTrue(told.isEmpty(), "a slow reader within its budget is not an error");
    }

    @Test
    void aSocketThatFallsTooFarBehindIsToldAndClosedWith1013() {
        SubscriberQueue queue = queue(new SubscriberQueue.Limits(10, 1 << 20));
        link.congested = true;
        for (int n = 1; n <= 11; n++) {
            queue.offer(change(n), 10_000);
        }
        assertEquals(List.of("error: " + SubscriberQueue.tooMany(11)), told);
        assertEquals(1013, link.closeCode);
        assertEquals(SubscriberQueue.CLOSE_REASON, link.closeReason);
        assertEquals(0, queue.held());
        link.congested = false;
        queue.offer(change(12), 10_000);
        tick();
        assertEquals(List.of(), link.take(), "nothing after the close: the client reconnects and reads afresh");
    }

    @Test
    void theHeldBytesAreBoundedToo() {
        SubscriberQueue queue = queue(new SubscriberQueue.Limits(1_000, 100));
        link.congested = true;
        queue.offer(new OutboundFrame.Text("x".repeat(60)), 10_000);
        assertNull(link.closeCode);
        queue.offer(new OutboundFrame.Text("y".repeat(60)), 10_000);
        assertEquals(1013, link.closeCode);
    }

    @Test
    void aClosedSocketHoldsNothing() {
        SubscriberQueue queue = queue(SubscriberQueue.Limits.DEFAULT);
        link.congested = true;
        queue.offer(change(1), 10_000);
        queue.close();
        link.congested = false;
        tick();
        queue.offer(change(2), 10_000);
        assertEquals(0, queue.held());
        assertEquals(List.of(), link.take());
    }
}
