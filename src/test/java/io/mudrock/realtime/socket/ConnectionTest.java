package io.mudrock.realtime.socket;

import io.mudrock.realtime.protocol.FanOutFrames;
import io.mudrock.realtime.protocol.FrameEncoder;
import io.mudrock.realtime.protocol.OutboundFrame;
import io.mudrock.realtime.protocol.Serializer;
import io.mudrock.realtime.protocol.UserBroadcast;
import jakarta.websocket.CloseReason;
import jakarta.websocket.RemoteEndpoint;
import jakarta.websocket.SendHandler;
import jakarta.websocket.SendResult;
import jakarta.websocket.Session;
import org.junit.jupiter.api.Test;

import java.lang.reflect.Proxy;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The send queue of one socket, against a fake session whose writes complete when the test says. */
class ConnectionTest {

    /** A session whose async writes are recorded; completing them is up to the test (or inline). */
    private static final class FakeSession {
        final List<String> written = new ArrayList<>();
        final List<SendHandler> inFlight = new ArrayList<>();
        boolean completeInline;
        CloseReason closed;
        final Session session;

        FakeSession() {
            RemoteEndpoint.Async remote = (RemoteEndpoint.Async) Proxy.newProxyInstance(getClass().getClassLoader(),
                    new Class<?>[] {RemoteEndpoint.Async.class}, (proxy, method, args) -> {
                        switch (method.getName()) {
                            case "sendText" -> record((String) args[0], (SendHandler) args[1]);
                            case "sendBinary" -> {
                                ByteBuffer buffer = (ByteBuffer) args[0];
                                assertFalse(buffer.isReadOnly(), "Liberty cannot write read-only buffers");
                                record("binary:" + buffer.remaining(), (SendHandler) args[1]);
                            }
                            default -> { }
                        }
                        return null;
                    });
            session = (Session) Proxy.newProxyInstance(getClass().getClassLoader(), new Class<?>[] {Session.class},
                    (proxy, method, args) -> switch (method.getName()) {
                        case "getAsyncRemote" -> remote;
                        case "isOpen" -> closed == null;
                        case "close" -> {
                            closed = args == null ? new CloseReason(CloseReason.CloseCodes.NORMAL_CLOSURE, "") : (CloseReason) args[0];
                            yield null;
                        }
                        default -> null;
                    });
        }

        private void record(String frame, SendHandler handler) {
            written.add(frame);
            if (completeInline) {
                handler.onResult(new SendResult());
            } else {
                inFlight.add(handler);
            }
        }

        /** Completes the oldest write in flight. */
        void completeOne() {
            inFlight.remove(0).onResult(new SendResult());
        }
    }

    private static Connection connection(FakeSession fake, SendQueueLimits limits) {
        return new Connection(fake.session, Serializer.V2, "t", limits, Runnable::run, new ConnectionRegistry());
    }

    private static OutboundFrame text(String s) {
        return new OutboundFrame.Text(s);
    }

    @Test
    void oneWriteInFlightAndFramesLeaveInTheOrderTheyWereQueued() {
        FakeSession fake = new FakeSession();
        Connection connection = connection(fake, SendQueueLimits.DEFAULT);
        for (int i = 0; i < 5; i++) {
            connection.send(text("f" + i));
        }
        assertEquals(List.of("f0"), fake.written, "the next write waits for the previous one");
        while (!fake.inFlight.isEmpty()) {
            fake.completeOne();
        }
        assertEquals(List.of("f0", "f1", "f2", "f3", "f4"), fake.written);
    }

    @Test
    void writesThatCompleteInlineAreLoopedNotRecursed() {
        FakeSession fake = new FakeSession();
        Connection connection = connection(fake, new SendQueueLimits(1_000_000, Long.MAX_VALUE));
        connection.send(text("first"));
        for (int i = 0; i < 100_000; i++) {
            connection.send(text("x"));
        }
        fake.completeInline = true;
        fake.completeOne(); // drains 100,000 queued frames on this thread without a deep stack
        assertEquals(100_001, fake.written.size());
    }

    @Test
    void aReceiverThatCannotKeepUpIsClosedWith1013AndTheSenderNeverWaits() {
        FakeSession fake = new FakeSession();
        Connection connection = connection(fake, new SendQueueLimits(3, Long.MAX_VALUE));
        for (int i = 0; i < 10; i++) {
            connection.send(text("f" + i)); // never blocks, even with nothing completing
        }
        assertEquals(1013, fake.closed.getCloseCode().getCode());
        assertEquals("send queue overflow: client too slow", fake.closed.getReasonPhrase());
        fake.completeOne();
        assertEquals(List.of("f0"), fake.written, "the dropped queue is not written after the close");
    }

    @Test
    void theByteBoundCountsToo() {
        FakeSession fake = new FakeSession();
        Connection connection = connection(fake, new SendQueueLimits(100, 10));
        connection.send(text("in flight, not counted"));
        connection.send(text("12345"));
        assertNull(fake.closed);
        connection.send(text("123456"));
        assertEquals(1013, fake.closed.getCloseCode().getCode());
    }

    @Test
    void aGracefulCloseWaitsForTheFramesQueuedBeforeIt() {
        FakeSession fake = new FakeSession();
        Connection connection = connection(fake, SendQueueLimits.DEFAULT);
        connection.send(text("reply"));
        connection.send(text("last words"));
        connection.close(1000, "bye");
        connection.send(text("too late"));
        assertNull(fake.closed);
        fake.completeOne();
        assertNull(fake.closed);
        fake.completeOne();
        assertEquals(List.of("reply", "last words"), fake.written);
        assertEquals(1000, fake.closed.getCloseCode().getCode());
        assertEquals("bye", fake.closed.getReasonPhrase());
    }

    @Test
    void sharedBinaryFramesAreCopiedPerReceiverAsWritableBuffers() {
        FanOutFrames frames = FrameEncoder.broadcast("realtime:r",
                UserBroadcast.binaryFramed("e", UserBroadcast.Encoding.BINARY, new byte[] {1, 2, 3}, null));
        OutboundFrame frame = frames.frameFor(Serializer.V2).orElseThrow();
        FakeSession a = new FakeSession();
        FakeSession b = new FakeSession();
        connection(a, SendQueueLimits.DEFAULT).send(frame);
        connection(b, SendQueueLimits.DEFAULT).send(frame);
        assertEquals(a.written, b.written);
        assertTrue(a.written.get(0).startsWith("binary:"));
    }

    @Test
    void closeReasonsAreCutToTheProtocolLimitOnACharacterBoundary() {
        String reason = "é".repeat(100);
        String cut = Connection.truncate(reason);
        assertTrue(cut.getBytes(StandardCharsets.UTF_8).length <= 123);
        assertEquals(61, cut.length());
    }

    @Test
    void aWriteWaitingForTheClientIsVisibleToTheSweepUntilItCompletes() {
        FakeSession fake = new FakeSession();
        Connection connection = connection(fake, SendQueueLimits.DEFAULT);
        long now = System.nanoTime();
        assertEquals(0, connection.writeStalledForNanos(now), "nothing in flight");
        connection.send(text("pending"));
        long later = System.nanoTime() + java.util.concurrent.TimeUnit.SECONDS.toNanos(31);
        assertTrue(connection.writeStalledForNanos(later) > ConnectionRegistry.SEND_STALL_TIMEOUT.toNanos());
        fake.completeOne();
        assertEquals(0, connection.writeStalledForNanos(later));
        assertTrue(connection.silentForNanos(later) > ConnectionRegistry.IDLE_TIMEOUT.toNanos() / 2,
                "only inbound frames count as liveness, not our own sends");
    }
}
