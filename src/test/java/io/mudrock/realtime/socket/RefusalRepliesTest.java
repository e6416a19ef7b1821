package io.mudrock.realtime.socket;

import io.mudrock.realtime.channel.ClientLink;
import io.mudrock.realtime.protocol.FrameDecoder;
import io.mudrock.realtime.protocol.InboundMessage;
import io.mudrock.realtime.protocol.OutboundFrame;
import io.mudrock.realtime.protocol.Serializer;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** What a refused handshake's socket is told, and when: the back-off, the join replies, the close after them. */
class RefusalRepliesTest {

    private static final HandshakeRefusal BAD_TOKEN = new HandshakeRefusal(401, "Failed to validate JWT signature");

    private final ScheduledExecutorService scheduler = Executors.newSingleThreadScheduledExecutor();
    private final Link link = new Link();

    @AfterEach
    void stop() {
        scheduler.shutdownNow();
    }

    /** What the refused socket was told, in order: frames, then "close <code> <reason>". */
    private static final class Link implements ClientLink {
        final List<String> told = new ArrayList<>();
        final CountDownLatch closed = new CountDownLatch(1);

        @Override
        public String id() {
            return "test";
        }

        @Override
        public Serializer serializer() {
            return Serializer.V2;
        }

        @Override
        public synchronized void send(OutboundFrame frame) {
            told.add(((OutboundFrame.Text) frame).text());
        }

        @Override
        public void publishThenSend(Runnable publish, OutboundFrame frame) {
            publish.run();
            send(frame);
        }

        @Override
        public synchronized void close(int code, String reason) {
            told.add("close " + code + " " + reason);
            closed.countDown();
        }

        synchronized List<String> told() {
            return List.copyOf(told);
        }
    }

    private RefusalReplies refused(Duration backoff, boolean speaksProtocol) {
        RefusalReplies replies = new RefusalReplies(link, new RefusedHandshake("realtime-dev", BAD_TOKEN,
                Serializer.V2, speaksProtocol, backoff, "127.0.0.1"), scheduler);
        replies.start();
        return replies;
    }

    private static InboundMessage join(String ref, String topic) {
        return (InboundMessage) FrameDecoder.decodeText(Serializer.V2,
                "[\"" + ref + "\",\"" + ref + "\",\"" + topic + "\",\"phx_join\",{\"config\":{}}]");
    }

    private static String errorReply(String ref, String topic) {
        return "[\"" + ref + "\",\"" + ref + "\",\"" + topic
                + "\",\"phx_reply\",{\"status\":\"error\",\"response\":{\"reason\":\"Failed to validate JWT signature\"}}]";
    }

    @Test
    void joinsDuringTheBackoffAreAnsweredTogetherWhenItEndsThenTheSocketCloses() throws Exception {
        // The scheduler's one thread waits at the gate, so the back-off cannot end before it opens.
        CountDownLatch gate = new CountDownLatch(1);
        scheduler.execute(() -> {
            try {
                gate.await();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        });
        RefusalReplies replies = refused(Duration.ofMillis(1), true);
        replies.accept(join("1", "realtime:a"));
        replies.accept(join("2", "realtime:b"));
        assertEquals(List.of(), link.told(), "nothing is told during the back-off");
        gate.countDown();
        assertTrue(link.closed.await(5, TimeUnit.SECONDS), "closed once the back-off is over");
        assertEquals(List.of(errorReply("1", "realtime:a"), errorReply("2", "realtime:b"),
                "close 4401 Failed to validate JWT signature"), link.told());
    }

    @Test
    void joinsAfterTheBackoffAreAnsweredAtOnceThenTheSocketClosesAndIgnoresTheRest() throws Exception {
        RefusalReplies replies = refused(Duration.ZERO, true);
        replies.accept((InboundMessage) FrameDecoder.decodeText(Serializer.V2,
                "[null,\"1\",\"phoenix\",\"heartbeat\",{}]"));
        assertEquals(List.of(), link.told(), "only joins are answered");
        replies.accept(join("3", "realtime:c"));
        assertEquals(List.of(errorReply("3", "realtime:c")), link.told(), "answered at once");
        assertTrue(link.closed.await(5, TimeUnit.SECONDS), "closed after the linger");
        replies.accept(join("4", "realtime:d"));
        assertEquals(List.of(errorReply("3", "realtime:c"), "close 4401 Failed to validate JWT signature"), link.told(),
                "a join after the close gets nothing");
    }

    @Test
    void aJoinDuringTheLingerIsAnsweredBeforeTheClose() throws Exception {
        CountDownLatch gate = new CountDownLatch(1);
        RefusalReplies replies = refused(Duration.ZERO, true);
        replies.accept(join("5", "realtime:e"));
        // The scheduler's one thread waits at the gate, so the linger cannot end before it opens.
        scheduler.execute(() -> {
            try {
                gate.await();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        });
        replies.accept(join("6", "realtime:f"));
        gate.countDown();
        assertTrue(link.closed.await(5, TimeUnit.SECONDS));
        assertEquals(List.of(errorReply("5", "realtime:e"), errorReply("6", "realtime:f"),
                "close 4401 Failed to validate JWT signature"), link.told());
    }

    @Test
    void aSocketThatCannotReadTheProtocolIsOnlyClosedWithTheReason() {
        RefusalReplies replies = refused(Duration.ZERO, false);
        replies.accept(join("1", "realtime:a"));
        assertEquals(List.of("close 4401 Failed to validate JWT signature"), link.told());
    }
}
