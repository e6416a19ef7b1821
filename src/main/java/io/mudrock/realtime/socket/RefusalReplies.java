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
 * came during the back-off are answered together when it ends; joins that come within
 * {@link #LINGER} of the first answer are answered too (supabase-js sends the joins of all its
 * channels at once, but they may arrive a few frames apart), then the socket closes. A socket that
 * sends no join is closed {@link #JOIN_WAIT} after the back-off, so a refused socket lives at most
 * back-off plus that long. Nothing else a client sends is answered.
 */
final class RefusalReplies implements Consumer<InboundMessage> {

    /** How long after the back-off a refused socket waits for a join to answer before it just closes. */
    static final Duration JOIN_WAIT = Duration.ofSeconds(5);
    /** How long after the first answer other joins are still answered before the close. */
    static final Duration LINGER = Duration.ofMillis(200);
    /** Joins kept during the back-off; further ones are not answered (the close tells them). */
    private static final int MAX_PENDING_JOINS = 100;

    private final ClientLink link;
    private final HandshakeRefusal refusal;
    private final RefusedHandshake handshake;
    private final ScheduledExecutorService scheduler;

    private final List<InboundMessage> pending = new ArrayList<>(); // guarded by this
    private boolean due; // guarded by this: the back-off is over, a join is answered as it comes
    private boolean closeScheduled; // guarded by this: a join was answered, the close follows LINGER later
    private boolean closed; // guarded by this

    RefusalReplies(ClientLink link, RefusedHandshake handshake, ScheduledExecutorService scheduler) {
        this.link = link;
        this.refusal = handshake.refusal();
        this.handshake = handshake;
        this.scheduler = scheduler;
    }

    /** Starts the back-off; called once the socket is registered. */
    void start() {
        later(handshake.speaksProtocol() ? this::backoffOver : this::close, handshake.backoff());
    }

    @Override
    public void accept(InboundMessage message) {
        if (!handshake.speaksProtocol() || !"phx_join".equals(message.event())) {
            return;
        }
        boolean first;
        synchronized (this) {
            if (closed) {
                return;
            }
            if (!due) {
                if (pending.size() < MAX_PENDING_JOINS) {
                    pending.add(message);
                }
                return;
            }
            first = !closeScheduled;
            closeScheduled = true;
        }
        answer(message);
        if (first) {
            later(this::close, LINGER);
        }
    }

    private void backoffOver() {
        List<InboundMessage> joins;
        synchronized (this) {
            due = true;
            if (pending.isEmpty()) {
                later(this::close, JOIN_WAIT);
                return;
            }
            closeScheduled = true;
            joins = List.copyOf(pending);
            pending.clear();
        }
        joins.forEach(this::answer);
        later(this::close, LINGER);
    }

    private void answer(InboundMessage join) {
        link.send(FrameEncoder.reply(link.serializer(), join.joinRef(), join.ref(), join.topic(), ReplyStatus.ERROR,
                JsonNodeFactory.instance.objectNode().put("reason", refusal.message())));
    }

    /** Closes once; queued replies leave before the close frame, so the client reads them first. */
    private void close() {
        synchronized (this) {
            if (closed) {
                return;
            }
            closed = true;
            pending.clear();
        }
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
