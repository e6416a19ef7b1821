package io.mudrock.realtime.socket;

import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import io.mudrock.realtime.channel.ClientLink;
import io.mudrock.realtime.protocol.FrameEncoder;
import io.mudrock.realtime.protocol.FrameEncoder.ReplyStatus;
import io.mudrock.realtime.protocol.InboundMessage;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;

/**
 * What a socket whose handshake was refused ({@link RefusedHandshake}) is told: once the
 * connect back-off is over, every {@code phx_join} is answered with an error reply whose reason is
 * the refusal's message (supabase-js reports it to the subscribe callback as {@code CHANNEL_ERROR}
 * with that text), then the socket closes with the refusal's close code and message. Joins that
 * came during the back-off are answered together when it ends; a socket that sends no join is
 * closed {@link #JOIN_WAIT} after it, so a refused socket lives at most back-off plus that long.
 * Nothing else a client sends is answered.
 */
final class RefusalReplies implements Consumer<InboundMessage> {

    /** How long after the back-off a refused socket waits for a join to answer before it just closes. */
    static final Duration JOIN_WAIT = Duration.ofSeconds(5);
    /** Joins kept during the back-off; further ones are not answered (the close tells them). */
    private static final int MAX_PENDING_JOINS = 100;

    private final ClientLink link;
    private final HandshakeRefusal refusal;
    private final RefusedHandshake handshake;
    private final ScheduledExecutorService scheduler;

    private final List<InboundMessage> pending = new ArrayList<>(); // guarded by this
    private boolean due; // guarded by this: the back-off is over, a join is answered as it comes
    private boolean answered; // guarded by this: the refusal was told, the socket is closing

    RefusalReplies(ClientLink link, RefusedHandshake handshake, ScheduledExecutorService scheduler) {
        this.link = link;
        this.refusal = handshake.refusal();
        this.handshake = handshake;
        this.scheduler = scheduler;
    }

    /** Starts the back-off; called once the socket is registered. */
    void start() {
        later(handshake.speaksProtocol() ? this::backoffOver : this::closeUnanswered, handshake.backoff());
    }

    @Override
    public void accept(InboundMessage message) {
        if (!handshake.speaksProtocol() || !"phx_join".equals(message.event())) {
            return;
        }
        synchronized (this) {
            if (answered) {
                return;
            }
            if (!due) {
                if (pending.size() < MAX_PENDING_JOINS) {
                    pending.add(message);
                }
                return;
            }
            answered = true;
        }
        answer(List.of(message));
    }

    private void backoffOver() {
        List<InboundMessage> joins;
        synchronized (this) {
            due = true;
            if (pending.isEmpty()) {
                later(this::closeUnanswered, JOIN_WAIT);
                return;
            }
            answered = true;
            joins = List.copyOf(pending);
            pending.clear();
        }
        answer(joins);
    }

    private void closeUnanswered() {
        synchronized (this) {
            if (answered) {
                return;
            }
            answered = true;
            pending.clear();
        }
        link.close(refusal.closeCode(), refusal.message());
    }

    private void answer(List<InboundMessage> joins) {
        for (InboundMessage join : joins) {
            link.send(FrameEncoder.reply(link.serializer(), join.joinRef(), join.ref(), join.topic(), ReplyStatus.ERROR,
                    JsonNodeFactory.instance.objectNode().put("reason", refusal.message())));
        }
        // After the replies: the close frame leaves once they are out, so the client reads them first.
        link.close(refusal.closeCode(), refusal.message());
    }

    private void later(Runnable task, Duration delay) {
        if (delay.isZero() || delay.isNegative()) {
            task.run();
            return;
        }
        try {
            scheduler.schedule(task, delay.toMillis(), TimeUnit.MILLISECONDS);
        } catch (RejectedExecutionException e) {
            task.run(); // the server is stopping: tell the refusal now
        }
    }
}
