package io.mudrock.realtime.channel;

import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.concurrent.atomic.AtomicLong;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

class RateCounterTest {

    private static final long SECOND = 1_000_000_000L;
    private final AtomicLong now = new AtomicLong(1_000 * SECOND);

    @Test
    void aYoungCounterAveragesOverAtLeastFiveSeconds() {
        RateCounter counter = new RateCounter(now::get);
        counter.add(50);
        assertEquals(10.0, counter.perSecond(), 1e-9);
        assertFalse(counter.reached(11));
        assertTrue(counter.reached(10), "the limit is reached at the average, not above it");
    }

    @Test
    void theAverageSpansTheCountersLifetimeUpToSixtySeconds() {
        RateCounter counter = new RateCounter(now::get);
        for (int second = 0; second < 10; second++) {
            counter.add(30);
            now.addAndGet(SECOND);
        }
        // 300 events over the 10 s lived so far (the 11th second just began).
        assertEquals(300.0 / 11, counter.perSecond(), 1e-9);
        now.addAndGet(100 * SECOND);
        counter.add(60);
        assertEquals(1.0, counter.perSecond(), 1e-9, "older events left the 60 s window");
    }

    @Test
    void tryAddStopsAtTheLimitAndCountsOnlyWhatItAllowed() {
        RateCounter counter = new RateCounter(now::get);
        int allowed = 0;
        for (int i = 0; i < 100; i++) {
            if (counter.tryAdd(2)) {
                allowed++;
            }
        }
        assertEquals(10, allowed, "2/s averaged over the minimum 5 s span");
        now.addAndGet(70 * SECOND);
        assertTrue(counter.tryAdd(2), "a minute later the window is empty again");
    }

    @Test
    void callWindowAllowsNCallsPerSlidingWindow() {
        CallWindow window = new CallWindow(now::get);
        Duration thirtySeconds = Duration.ofSeconds(30);
        for (int i = 0; i < 5; i++) {
            assertTrue(window.tryCall(5, thirtySeconds));
            now.addAndGet(SECOND);
        }
        assertFalse(window.tryCall(5, thirtySeconds), "a sixth call within 30 s");
        now.addAndGet(25 * SECOND + 1);
        assertTrue(window.tryCall(5, thirtySeconds), "the first call left the window");
        assertFalse(window.tryCall(5, thirtySeconds));
    }
}
