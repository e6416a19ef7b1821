package io.mudrock.realtime.protocol;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

class FanOutFramesTest {

    @Test
    void encodesLazilyAndOncePerFormat() {
        AtomicInteger calls = new AtomicInteger();
        FanOutFrames frames = new FanOutFrames(s -> {
            calls.incrementAndGet();
            return s == Serializer.V1 ? null : new OutboundFrame.Text("v2");
        });
        assertEquals(0, calls.get(), "nothing is encoded before a receiver asks");
        for (int i = 0; i < 3; i++) {
            assertEquals(Optional.of(new OutboundFrame.Text("v2")), frames.frameFor(Serializer.V2));
            assertTrue(frames.frameFor(Serializer.V1).isEmpty());
        }
        assertEquals(2, calls.get(), "an undeliverable format is remembered too");
    }

    @Test
    void concurrentReceiversShareOneEncoding() throws Exception {
        int threads = 8;
        AtomicInteger calls = new AtomicInteger();
        FanOutFrames frames = new FanOutFrames(s -> {
            calls.incrementAndGet();
            return new OutboundFrame.Text(s.vsn() + "#" + calls.get());
        });
        CountDownLatch start = new CountDownLatch(1);
        ExecutorService pool = Executors.newFixedThreadPool(threads);
        try {
            List<Future<OutboundFrame>> results = new ArrayList<>();
            for (int i = 0; i < threads * 4; i++) {
                Serializer s = Serializer.values()[i % 2];
                Callable<OutboundFrame> task = () -> {
                    start.await();
                    return frames.frameFor(s).orElseThrow();
                };
                results.add(pool.submit(task));
            }
            start.countDown();
            OutboundFrame[] first = new OutboundFrame[2];
            for (int i = 0; i < results.size(); i++) {
                OutboundFrame f = results.get(i).get();
                int slot = i % 2;
                if (first[slot] == null) {
                    first[slot] = f;
                }
                assertSame(first[slot], f);
            }
            assertEquals(2, calls.get());
        } finally {
            pool.shutdownNow();
        }
    }
}
