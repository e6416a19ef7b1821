package io.mudrock.realtime.socket;

import io.mudrock.realtime.protocol.OutboundFrame;
import jakarta.websocket.SendHandler;
import jakarta.websocket.SendResult;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

class SendChainTest {

    private static List<OutboundFrame> frames(int from, int count) {
        List<OutboundFrame> frames = new ArrayList<>();
        for (int i = from; i < from + count; i++) {
            frames.add(new OutboundFrame.Text("f" + i));
        }
        return frames;
    }

    @Test
    void aBatchCompletedInlineIsDoneWithinStartWithoutRecursing() {
        List<String> sent = new ArrayList<>();
        AtomicInteger depth = new AtomicInteger();
        AtomicInteger deepest = new AtomicInteger();
        AtomicInteger done = new AtomicInteger();
        SendChain chain = new SendChain((frame, handler) -> {
            deepest.accumulateAndGet(depth.incrementAndGet(), Math::max);
            sent.add(((OutboundFrame.Text) frame).text());
            handler.onResult(new SendResult());
            depth.decrementAndGet();
        }, done::incrementAndGet, e -> { throw new AssertionError(e); });

        assertTrue(chain.start(frames(0, 1000)));
        assertFalse(chain.busy());
        assertEquals(1000, sent.size());
        assertEquals("f999", sent.get(999));
        assertEquals(1, deepest.get(), "each send returned before the next began");
        assertEquals(0, done.get(), "a batch done within start() is reported by its return value");
    }

    @Test
    void completionsOnOtherThreadsSendOneFrameAtATimeInOrderAndReportEachBatch() throws Exception {
        ExecutorService completer = Executors.newFixedThreadPool(3);
        List<String> sent = java.util.Collections.synchronizedList(new ArrayList<>());
        AtomicInteger outstanding = new AtomicInteger();
        AtomicInteger overlaps = new AtomicInteger();
        AtomicReference<CountDownLatch> batchOut = new AtomicReference<>();
        SendChain[] holder = new SendChain[1];
        holder[0] = new SendChain((frame, handler) -> {
            if (outstanding.incrementAndGet() != 1) {
                overlaps.incrementAndGet();
            }
            sent.add(((OutboundFrame.Text) frame).text());
            Runnable complete = () -> {
                outstanding.decrementAndGet();
                handler.onResult(new SendResult());
            };
            // Like Liberty mostly (completion on another thread), sometimes inline like other containers.
            if (ThreadLocalRandom.current().nextInt(4) == 0) {
                complete.run();
            } else {
                completer.execute(complete);
            }
        }, () -> batchOut.get().countDown(), e -> { throw new AssertionError(e); });
        try {
            int sentSoFar = 0;
            for (int batch = 0; batch < 200; batch++) {
                int size = 1 + batch % 17;
                batchOut.set(new CountDownLatch(1));
                if (!holder[0].start(frames(sentSoFar, size))) {
                    assertTrue(batchOut.get().await(10, TimeUnit.SECONDS), "batch " + batch + " reported done");
                }
                assertFalse(holder[0].busy());
                sentSoFar += size;
            }
            assertEquals(0, overlaps.get(), "never two sends outstanding");
            assertEquals(sentSoFar, sent.size());
            for (int i = 0; i < sentSoFar; i++) {
                assertEquals("f" + i, sent.get(i));
            }
        } finally {
            completer.shutdownNow();
        }
    }

    @Test
    void aFailedSendStopsTheChainAndStaysBusy() {
        List<String> sent = new ArrayList<>();
        AtomicReference<Throwable> failure = new AtomicReference<>();
        IOException broken = new IOException("broken pipe");
        SendHandler[] last = new SendHandler[1];
        SendChain chain = new SendChain((frame, handler) -> {
            sent.add(((OutboundFrame.Text) frame).text());
            last[0] = handler;
        }, () -> { throw new AssertionError("not done"); }, failure::set);

        assertFalse(chain.start(frames(0, 3)));
        last[0].onResult(new SendResult());
        last[0].onResult(new SendResult(broken));
        assertSame(broken, failure.get());
        assertEquals(List.of("f0", "f1"), sent);
        assertTrue(chain.busy(), "nothing more may be written to a connection that failed");
    }
}
