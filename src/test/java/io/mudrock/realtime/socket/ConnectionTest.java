package io.mudrock.realtime.socket;

import io.mudrock.realtime.protocol.FanOutFrames;
import io.mudrock.realtime.protocol.FrameEncoder;
import io.mudrock.realtime.protocol.OutboundFrame;
import io.mudrock.realtime.protocol.Serializer;
import io.mudrock.realtime.protocol.UserBroadcast;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The send queue of one socket, against a fake output that becomes ready again when the test says. */
class ConnectionTest {

    /**
     * An output that records the frames written, one entry per frame, and goes not-ready after
     * each write unless told to complete inline; it fails the test if written while not ready.
     */
    private static final class FakeOutput implements SocketOutput {
        final List<String> written = new ArrayList<>();
        int writes;
        boolean ready = true;
        boolean completeInline;
        String closeFrame;
        boolean connectionClosed;
        boolean unflushed;
        boolean closedUnflushed;
        int flushes;
        int readyQuestions;
        Connection connection;

        @Override
        public boolean isReady() {
            readyQuestions++;
            return ready;
        }

        @Override
        public boolean write(OutboundBatch batch) {
            assertTrue(ready, "written while the output was not ready");
            assertNull(closeFrame, "nothing may follow the close frame");
            writes++;
            for (String frame : ServerFrames.describe(batch.wireBytes())) {
                if (frame.startsWith("close:")) {
                    closeFrame = frame.substring("close:".length());
                } else {
                    written.add(frame);
                }
            }
            ready = completeInline;
            unflushed = !ready;
            return ready;
        }

        @Override
        public void flush() {
            assertTrue(ready, "flushed while the output was not ready");
            assertTrue(unflushed, "flushed with nothing owed");
            unflushed = false;
            flushes++;
        }

        @Override
        public void close() {
            closedUnflushed = unflushed;
            connectionClosed = true;
        }

        boolean pending() {
            return !ready;
        }

        /** The container's onWritePossible after the write in flight finished. */
        void completeOne() {
            ready = true;
            connection.outputReady();
        }
    }

    private static Connection connection(FakeOutput fake, SendQueueLimits limits) {
        Connection connection = new Connection(fake, Serializer.V2, "t", limits, new ConnectionRegistry());
        fake.connection = connection;
        return connection;
    }

    private static OutboundFrame text(String s) {
        return new OutboundFrame.Text(s);
    }

    @Test
    void framesQueuedWhileTheOutputIsBusyLeaveTogetherInOrder() {
        FakeOutput fake = new FakeOutput();
        Connection connection = connection(fake, SendQueueLimits.DEFAULT);
        for (int i = 0; i < 5; i++) {
            connection.send(text("f" + i));
        }
        assertEquals(List.of("f0"), fake.written, "nothing is written while the output is not ready");
        while (fake.pending()) {
            fake.completeOne();
        }
        assertEquals(List.of("f0", "f1", "f2", "f3", "f4"), fake.written);
        assertEquals(2, fake.writes, "the four queued frames leave in one write");
    }

    @Test
    void theContainerIsAskedWhetherItIsReadyOnlyBeforeAWrite() {
        FakeOutput fake = new FakeOutput();
        fake.completeInline = true;
        Connection connection = connection(fake, SendQueueLimits.DEFAULT);
        for (int i = 0; i < 100; i++) {
            connection.send(text("f" + i));
        }
        assertEquals(100, fake.writes);
        assertEquals(100, fake.readyQuestions, "one isReady() per write, none to find the queue empty");
    }

    @Test
    void anOutputThatStaysReadyIsWrittenInALoopNotByRecursion() {
        FakeOutput fake = new FakeOutput();
        Connection connection = connection(fake, new SendQueueLimits(1_000_000, Long.MAX_VALUE));
        connection.send(text("first"));
        for (int i = 0; i < 100_000; i++) {
            connection.send(text("x"));
        }
        fake.completeInline = true;
        fake.completeOne();
        assertEquals(100_001, fake.written.size());
        for (int i = 0; i < 100_000; i++) {
            connection.send(text("y")); // written inline by the sender, no stack growth
        }
        assertEquals(200_001, fake.written.size());
    }

    @Test
    void aReceiverThatCannotKeepUpIsClosedWith1013AndTheSenderNeverWaits() {
        FakeOutput fake = new FakeOutput();
        Connection connection = connection(fake, new SendQueueLimits(3, Long.MAX_VALUE));
        for (int i = 0; i < 10; i++) {
            connection.send(text("f" + i)); // never blocks, even with nothing completing
        }
        assertNull(fake.closeFrame, "the close frame waits for the output like any frame");
        fake.completeOne();
        assertEquals("1013 send queue overflow: client too slow", fake.closeFrame);
        assertEquals(List.of("f0"), fake.written, "the dropped queue is not written after the close");
        assertFalse(fake.connectionClosed, "closed once the close frame is out");
        fake.completeOne();
        assertTrue(fake.connectionClosed);
    }

    @Test
    void theByteBoundCountsToo() {
        FakeOutput fake = new FakeOutput();
        Connection connection = connection(fake, new SendQueueLimits(100, 10));
        connection.send(text("in flight, not counted"));
        connection.send(text("12345"));
        fake.completeInline = true;
        connection.send(text("123456"));
        fake.completeOne();
        assertEquals("1013 send queue overflow: client too slow", fake.closeFrame);
        assertEquals(List.of("in flight, not counted"), fake.written);
    }

    @Test
    void aGracefulCloseWaitsForTheFramesQueuedBeforeIt() {
        FakeOutput fake = new FakeOutput();
        Connection connection = connection(fake, SendQueueLimits.DEFAULT);
        connection.send(text("reply"));
        connection.send(text("last words"));
        connection.close(1000, "bye");
        connection.send(text("too late"));
        assertNull(fake.closeFrame);
        fake.completeOne();
        assertEquals(List.of("reply", "last words"), fake.written);
        assertEquals("1000 bye", fake.closeFrame);
        assertFalse(fake.connectionClosed);
        fake.completeOne();
        assertTrue(fake.connectionClosed, "the connection closes once the close frame is written");
        assertFalse(fake.closedUnflushed, "and flushed");
    }

    @Test
    void aWriteThatDidNotFinishIsFlushedOnceTheOutputIsReady() {
        FakeOutput fake = new FakeOutput();
        Connection connection = connection(fake, SendQueueLimits.DEFAULT);
        connection.send(text("last"));
        assertTrue(fake.unflushed);
        fake.completeOne();
        assertEquals(1, fake.flushes, "the bytes of the last write do not stay in a buffer");
        assertFalse(fake.unflushed);
        fake.completeInline = true;
        connection.send(text("next"));
        assertEquals(List.of("last", "next"), fake.written);
        assertEquals(1, fake.flushes, "a write that finished at once was flushed with it");
    }

    @Test
    void terminateDropsTheQueueAndSendsOnlyTheCloseFrame() {
        FakeOutput fake = new FakeOutput();
        Connection connection = connection(fake, SendQueueLimits.DEFAULT);
        connection.send(text("a"));
        connection.send(text("b"));
        connection.terminate(1000, "idle");
        fake.completeOne();
        assertEquals(List.of("a"), fake.written);
        assertEquals("1000 idle", fake.closeFrame);
    }

    @Test
    void aCloseFrameTheClientNeverReadsIsGivenUpAfterTheDeadline() {
        FakeOutput fake = new FakeOutput();
        Connection connection = connection(fake, SendQueueLimits.DEFAULT);
        connection.send(text("a"));
        connection.terminate(1013, "stalled");
        long now = System.nanoTime();
        assertFalse(connection.abortIfCloseOverdue(now, TimeUnit.SECONDS.toNanos(30)));
        assertTrue(connection.abortIfCloseOverdue(now + TimeUnit.SECONDS.toNanos(31), TimeUnit.SECONDS.toNanos(30)));
        assertTrue(fake.connectionClosed);
        fake.completeOne();
        assertNull(fake.closeFrame, "nothing is written after the connection was closed");
    }

    @Test
    void pingsAreAnsweredAheadOfQueuedFrames() {
        FakeOutput fake = new FakeOutput();
        Connection connection = connection(fake, SendQueueLimits.DEFAULT);
        connection.send(text("a"));
        connection.send(text("b"));
        connection.pong(new byte[] {'h', 'i'});
        fake.completeOne();
        assertEquals(List.of("a", "pong:hi", "b"), fake.written);
    }

    @Test
    void sharedFramesAreEncodedOnceAndWrittenToEveryReceiver() {
        FanOutFrames frames = FrameEncoder.broadcast("realtime:r",
                UserBroadcast.binaryFramed("e", UserBroadcast.Encoding.BINARY, new byte[] {1, 2, 3}, null));
        OutboundFrame binary = frames.frameFor(Serializer.V2).orElseThrow();
        OutboundFrame shared = text("héllo");
        FakeOutput a = new FakeOutput();
        FakeOutput b = new FakeOutput();
        a.completeInline = true;
        b.completeInline = true;
        for (FakeOutput fake : List.of(a, b)) {
            Connection connection = connection(fake, SendQueueLimits.DEFAULT);
            connection.send(binary);
            connection.send(shared);
        }
        assertEquals(a.written, b.written);
        assertTrue(a.written.get(0).startsWith("binary:"));
        assertEquals("héllo", a.written.get(1));
        assertTrue(shared.wireBytes() == shared.wireBytes(), "the UTF-8 bytes are cached in the frame");
    }

    @Test
    void closeReasonsAreCutToTheProtocolLimitOnACharacterBoundary() {
        String reason = "é".repeat(100);
        String cut = Connection.truncate(reason);
        assertTrue(cut.getBytes(StandardCharsets.UTF_8).length <= 123);
        assertEquals(61, cut.length());
        FakeOutput fake = new FakeOutput();
        connection(fake, SendQueueLimits.DEFAULT).close(1000, reason);
        assertEquals("1000 " + cut, fake.closeFrame);
    }

    @Test
    void anOutputWaitingForTheClientIsVisibleToTheSweepUntilItIsReady() {
        FakeOutput fake = new FakeOutput();
        Connection connection = connection(fake, SendQueueLimits.DEFAULT);
        long now = System.nanoTime();
        assertEquals(0, connection.writeStalledForNanos(now), "nothing in flight");
        connection.send(text("pending"));
        long later = System.nanoTime() + TimeUnit.SECONDS.toNanos(31);
        assertTrue(connection.writeStalledForNanos(later) > ConnectionRegistry.SEND_STALL_TIMEOUT.toNanos());
        fake.completeOne();
        assertEquals(0, connection.writeStalledForNanos(later));
        assertTrue(connection.silentForNanos(later) > io.mudrock.realtime.config.RealtimeConfig.InboundLimits.DEFAULT.idleTimeout().toNanos() / 2,
                "only inbound frames count as liveness, not our own sends");
    }

    /**
     * Producers on several threads, the output going not-ready at random and becoming ready again
     * on another thread: every frame arrives, each producer's in its order, and no two writes overlap.
     */
    @Test
    void concurrentProducersLoseNothingAndKeepTheirOrder() throws Exception {
        int producers = 4;
        int perProducer = 20_000;
        ExecutorService completer = Executors.newSingleThreadExecutor();
        AtomicInteger inWrite = new AtomicInteger();
        AtomicInteger overlaps = new AtomicInteger();
        List<String> written = Collections.synchronizedList(new ArrayList<>());
        Connection[] holder = new Connection[1];
        SocketOutput output = new SocketOutput() {
            private volatile boolean ready = true;

            @Override
            public boolean isReady() {
                return ready;
            }

            @Override
            public boolean write(OutboundBatch batch) throws IOException {
                if (inWrite.getAndIncrement() != 0 || !ready) {
                    overlaps.incrementAndGet();
                }
                written.addAll(ServerFrames.describe(batch.wireBytes()));
                if (ThreadLocalRandom.current().nextInt(3) == 0) {
                    ready = false;
                    completer.execute(() -> {
                        ready = true;
                        holder[0].outputReady();
                    });
                }
                inWrite.decrementAndGet();
                return ready;
            }

            @Override
            public void flush() {
            }

            @Override
            public void close() {
            }
        };
        Connection connection = new Connection(output, Serializer.V2, "t", new SendQueueLimits(1_000_000, Long.MAX_VALUE),
                new ConnectionRegistry());
        holder[0] = connection;
        ExecutorService pool = Executors.newFixedThreadPool(producers);
        for (int p = 0; p < producers; p++) {
            int producer = p;
            pool.execute(() -> {
                for (int i = 0; i < perProducer; i++) {
                    connection.send(text(producer + ":" + i));
                }
            });
        }
        pool.shutdown();
        assertTrue(pool.awaitTermination(60, TimeUnit.SECONDS));
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
        while (written.size() < producers * perProducer && System.nanoTime() < deadline) {
            Thread.onSpinWait();
        }
        completer.shutdown();
        assertTrue(completer.awaitTermination(10, TimeUnit.SECONDS));
        assertEquals(producers * perProducer, written.size());
        assertEquals(0, overlaps.get(), "writes overlapped or happened while not ready");
        int[] next = new int[producers];
        synchronized (written) {
            for (String frame : written) {
                String[] parts = frame.split(":");
                int producer = Integer.parseInt(parts[0]);
                assertEquals(next[producer]++, Integer.parseInt(parts[1]), "producer " + producer + " out of order");
            }
        }
    }
}
