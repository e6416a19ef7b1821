package io.mudrock.realtime.socket;

import io.mudrock.realtime.channel.ClientLink;
import io.mudrock.realtime.channel.SocketChannels;
import io.mudrock.realtime.protocol.DecodeResult;
import io.mudrock.realtime.protocol.FrameDecoder;
import io.mudrock.realtime.protocol.InboundMessage;
import io.mudrock.realtime.protocol.MalformedFrame;
import io.mudrock.realtime.protocol.OutboundFrame;
import io.mudrock.realtime.protocol.Serializer;
import jakarta.websocket.CloseReason;
import jakarta.websocket.RemoteEndpoint;
import jakarta.websocket.SendResult;
import jakarta.websocket.Session;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.ArrayDeque;
import java.util.concurrent.Executor;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.atomic.AtomicLong;
import java.util.logging.Level;
import java.util.logging.Logger;

/**
 * One client socket: decodes its frames for its {@link SocketChannels}, and owns its bounded
 * send queue.
 *
 * <p>Sending: {@link #send} only appends to the queue; one asynchronous write is in flight at a
 * time and its completion starts the next, which keeps the order frames were queued in and
 * never blocks the thread that queued them (a broadcaster, a change stream, another client's
 * read thread). A socket whose queue passes its bounds is closed with 1013 and a reason, and its
 * queue dropped, so a slow client costs nobody else anything. Writes that complete inline are
 * continued in a loop rather than by recursion. Writes have no container timeout (Liberty would
 * schedule and cancel a timer per frame); {@link ConnectionRegistry}'s sweep closes a socket
 * whose write has waited too long instead.
 */
public final class Connection implements ClientLink {

    private static final Logger LOG = Logger.getLogger(Connection.class.getName());
    private static final AtomicLong IDS = new AtomicLong();
    private static final int MAX_REASON_BYTES = 123;

    private static final Runnable NOTHING = () -> { };

    /** Close code when the send queue overflows: "try again later". */
    static final int CLOSE_TRY_AGAIN_LATER = 1013;

    private final String id = Long.toString(IDS.incrementAndGet(), 36);
    private final Session session;
    private final Serializer serializer;
    private final String tenantId;
    private final SendQueueLimits limits;
    private final Executor closer;
    private final ConnectionRegistry registry;
    private SocketChannels channels;

    // Send queue state, guarded by this.
    private final ArrayDeque<OutboundFrame> queue = new ArrayDeque<>();
    private long queuedBytes;
    private boolean writing;
    private long writeSequence;
    private Thread writer;
    private boolean completedInline;
    private boolean closing;
    private int closeCode;
    private String closeReason;

    private volatile long lastInboundNanos = System.nanoTime();
    // When the write in flight started; 0 when none is. Read by the registry's sweep.
    private volatile long writeStartedNanos;
    private volatile boolean malformedLogged;
    private final AtomicLong malformedFrames = new AtomicLong();

    Connection(Session session, Serializer serializer, String tenantId, SendQueueLimits limits, Executor closer,
            ConnectionRegistry registry) {
        this.session = session;
        this.serializer = serializer;
        this.tenantId = tenantId;
        this.limits = limits;
        this.closer = closer;
        this.registry = registry;
    }

    void attach(SocketChannels channels) {
        this.channels = channels;
    }

    @Override
    public String id() {
        return id;
    }

    @Override
    public Serializer serializer() {
        return serializer;
    }

    /** @return the tenant the socket belongs to */
    public String tenantId() {
        return tenantId;
    }

    SocketChannels channels() {
        return channels;
    }

    // --- inbound ------------------------------------------------------------------------------

    void onText(String text) {
        lastInboundNanos = System.nanoTime();
        dispatch(FrameDecoder.decodeText(serializer, text));
    }

    void onBinary(ByteBuffer bytes) {
        lastInboundNanos = System.nanoTime();
        dispatch(FrameDecoder.decodeBinary(serializer, bytes));
    }

    private void dispatch(DecodeResult result) {
        if (result instanceof InboundMessage message) {
            try {
                channels.handle(message);
            } catch (RuntimeException e) {
                // A bug of ours must cost the client one message, not its socket and channels.
                LOG.log(Level.WARNING, "Socket " + id + " of tenant " + tenantId + ": handling " + message.event()
                        + " on " + message.topic() + " failed", e);
            }
        } else if (result instanceof MalformedFrame malformed) {
            long count = malformedFrames.incrementAndGet();
            if (!malformedLogged) {
                malformedLogged = true;
                LOG.info(() -> "Dropped a malformed frame from socket " + id + " of tenant " + tenantId + ": "
                        + malformed.reason() + " (further ones on this socket are counted, not logged)");
            } else {
                LOG.fine(() -> "Dropped malformed frame #" + count + " from socket " + id + ": " + malformed.reason());
            }
        }
    }

    /**
     * @param nowNanos {@link System#nanoTime()} now
     * @return nanoseconds since the client last sent a frame (any frame counts as liveness)
     */
    long silentForNanos(long nowNanos) {
        return nowNanos - lastInboundNanos;
    }

    /**
     * @param nowNanos {@link System#nanoTime()} now
     * @return nanoseconds the write in flight has been waiting for the client, 0 when none is
     */
    long writeStalledForNanos(long nowNanos) {
        long started = writeStartedNanos;
        return started == 0 ? 0 : nowNanos - started;
    }

    /** @return how many malformed frames this socket sent */
    long malformedFrames() {
        return malformedFrames.get();
    }

    // --- outbound -----------------------------------------------------------------------------

    @Override
    public void send(OutboundFrame frame) {
        publishThenSend(NOTHING, frame);
    }

    @Override
    public void publishThenSend(Runnable publish, OutboundFrame frame) {
        // The lock orders this against every other send: a sender that saw publish's effect
        // queues after the frame, and the frame is written only after the lock is released.
        synchronized (this) {
            publish.run();
            if (closing) {
                return;
            }
            if (writing) {
                int size = sizeOf(frame);
                if (queue.size() >= limits.maxFrames() || queuedBytes + size > limits.maxBytes()) {
                    overflow();
                    return;
                }
                queue.addLast(frame);
                queuedBytes += size;
                return;
            }
            writing = true; // nothing waits: this thread writes it now
        }
        pump(frame);
    }

    @Override
    public synchronized boolean congested() {
        return queue.size() > limits.maxFrames() / 2 || queuedBytes > limits.maxBytes() / 2;
    }

    @Override
    public void close(int code, String reason) {
        synchronized (this) {
            if (closing) {
                return;
            }
            closing = true;
            closeCode = code;
            closeReason = reason;
            if (writing) {
                return; // the pump closes once the frames queued before this call are written
            }
        }
        closeNow(code, reason);
    }

    /**
     * Closes the socket now, dropping whatever is still queued: for a client that does not read
     * or does not talk, waiting for its queue would be waiting forever.
     *
     * @param code the close code
     * @param reason the close reason
     */
    void terminate(int code, String reason) {
        synchronized (this) {
            if (closing && closeReason == null) {
                return;
            }
            closing = true;
            closeReason = null;
            queue.clear();
            queuedBytes = 0;
        }
        closeNow(code, reason);
    }

    /** The queue passed its bounds: drop it and close, off this thread. Called with the lock held. */
    private void overflow() {
        int dropped = queue.size();
        LOG.info(() -> "Closing socket " + id + " of tenant " + tenantId + ": send queue full (" + dropped
                + " frames waiting), the client reads too slowly");
        closing = true;
        queue.clear();
        queuedBytes = 0;
        closeNow(CLOSE_TRY_AGAIN_LATER, "send queue overflow: client too slow");
    }

    /** Writes {@code first}, then every frame queued meanwhile, one write in flight at a time. */
    private void pump(OutboundFrame first) {
        OutboundFrame frame = first;
        while (frame != null) {
            long sequence;
            synchronized (this) {
                sequence = ++writeSequence;
                writer = Thread.currentThread();
                completedInline = false;
            }
            final long mine = sequence;
            writeStartedNanos = System.nanoTime();
            try {
                write(frame, result -> written(mine, result));
            } catch (RuntimeException e) {
                // The session closed under us; onClose cleans up.
                LOG.fine(() -> "Send on socket " + id + " failed: " + e);
                abandonWrites();
                return;
            }
            synchronized (this) {
                if (writeSequence != mine || writer != Thread.currentThread()) {
                    return; // the completion arrived on another thread, which continues the pump
                }
                writer = null;
                if (!completedInline) {
                    return; // still in flight: its completion continues the pump
                }
                frame = next();
            }
        }
    }

    private void written(long sequence, SendResult result) {
        writeStartedNanos = 0;
        if (!result.isOK()) {
            LOG.fine(() -> "Write to socket " + id + " failed: " + result.getException());
            abandonWrites();
            return;
        }
        OutboundFrame next;
        synchronized (this) {
            if (writeSequence == sequence && writer == Thread.currentThread()) {
                completedInline = true; // pump() is on the stack below us and continues
                return;
            }
            next = next();
        }
        if (next != null) {
            pump(next);
        }
    }

    /** With the lock held: the next frame, or null after marking the pump idle (closing if asked). */
    private OutboundFrame next() {
        OutboundFrame frame = closing && closeReason == null ? null : queue.pollFirst();
        if (frame != null) {
            queuedBytes -= sizeOf(frame);
            return frame;
        }
        writing = false;
        writer = null;
        if (closing && closeReason != null) {
            int code = closeCode;
            String reason = closeReason;
            closeReason = null;
            closeNow(code, reason);
        }
        return null;
    }

    private synchronized void abandonWrites() {
        closing = true;
        queue.clear();
        queuedBytes = 0;
        writing = false;
        writer = null;
    }

    private void write(OutboundFrame frame, jakarta.websocket.SendHandler done) {
        RemoteEndpoint.Async remote = session.getAsyncRemote();
        if (frame instanceof OutboundFrame.Text text) {
            remote.sendText(text.text(), done);
        } else {
            remote.sendBinary(writableCopy((OutboundFrame.Binary) frame), done);
        }
    }

    /**
     * Liberty's TCP channel calls {@code arrayOffset()} on what it writes, which a read-only view
     * of the shared frame refuses; the write then neither completes nor fails and the socket
     * hangs. So each receiver gets its own heap copy of a binary frame.
     */
    private static ByteBuffer writableCopy(OutboundFrame.Binary frame) {
        ByteBuffer copy = ByteBuffer.allocate(frame.length());
        copy.put(frame.asByteBuffer()).flip();
        return copy;
    }

    private void closeNow(int code, String reason) {
        try {
            closer.execute(() -> closeSession(code, reason));
        } catch (RejectedExecutionException e) {
            closeSession(code, reason); // the executor is stopping with the application
        }
    }

    private void closeSession(int code, String reason) {
        try {
            if (session.isOpen()) {
                session.close(new CloseReason(CloseReason.CloseCodes.getCloseCode(code), truncate(reason)));
            }
        } catch (IOException | RuntimeException e) {
            LOG.fine(() -> "Closing socket " + id + " failed: " + e);
        }
    }

    /** Called by the endpoint when the socket closed, whoever closed it. */
    void closed(CloseReason reason) {
        abandonWrites();
        registry.remove(this);
        if (channels != null) {
            channels.socketClosed();
        }
        LOG.info(() -> "Socket " + id + " of tenant " + tenantId + " closed: " + reason.getCloseCode().getCode()
                + (reason.getReasonPhrase() == null || reason.getReasonPhrase().isEmpty() ? ""
                        : " " + reason.getReasonPhrase()));
    }

    private static int sizeOf(OutboundFrame frame) {
        // UTF-16 length is an upper bound of the frame's memory cost we can compute in O(1).
        return frame instanceof OutboundFrame.Text text ? text.text().length() : ((OutboundFrame.Binary) frame).length();
    }

    static String truncate(String reason) {
        byte[] bytes = reason.getBytes(StandardCharsets.UTF_8);
        if (bytes.length <= MAX_REASON_BYTES) {
            return reason;
        }
        String cut = new String(bytes, 0, MAX_REASON_BYTES, StandardCharsets.UTF_8);
        // A multi-byte character split at the end decodes to U+FFFD; drop it.
        return cut.endsWith("\uFFFD") ? cut.substring(0, cut.length() - 1) : cut;
    }
}
