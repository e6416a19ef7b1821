package io.mudrock.realtime.socket;

import io.mudrock.realtime.protocol.LogText;
import io.mudrock.realtime.channel.ClientLink;
import io.mudrock.realtime.channel.SocketChannels;
import io.mudrock.realtime.protocol.DecodeResult;
import io.mudrock.realtime.protocol.FrameDecoder;
import io.mudrock.realtime.protocol.InboundMessage;
import io.mudrock.realtime.protocol.MalformedFrame;
import io.mudrock.realtime.protocol.OutboundFrame;
import io.mudrock.realtime.protocol.Serializer;
import io.mudrock.realtime.metrics.RealtimeMetrics;
import io.mudrock.realtime.metrics.TenantMetrics;
import io.mudrock.realtime.wire.CloseStatus;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Executor;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Consumer;
import java.util.logging.Level;
import java.util.logging.Logger;

/**
 * One client socket: decodes its messages for its {@link SocketChannels}, and owns its bounded
 * send queue.
 *
 * <p>Sending: {@link #send} appends to the queue and, when no other thread holds the socket's
 * writing token, takes it and writes right away. The token holder hands every frame queued so
 * far to the transport as one {@link OutboundBatch} and loops while the output stays ready; when
 * the output is not ready the token waits for {@link #outputReady()}, the transport's callback,
 * which continues. So frames leave in the order they were queued, nothing writes concurrently, and no
 * thread that queues (a broadcaster, a change stream, another client's read thread) ever waits.
 * A socket whose queue passes its bounds is closed with 1013 and a reason, and its queue dropped,
 * so a slow client costs nobody else anything. {@link ConnectionRegistry}'s sweep closes a socket
 * whose output has not been ready for too long.
 *
 * <p>Flushing is the one step that may block: Liberty's flush of an upgraded connection is a
 * synchronous write, which waits for a client that stopped reading. So a sender's thread (a change
 * stream, another client's read thread) only ever buffers; the flush and whatever follows it run
 * on the registry's executor, holding the token, and the sweep ends a flush that waits too long.
 */
public final class Connection implements ClientLink {

    private static final Logger LOG = Logger.getLogger(Connection.class.getName());
    private static final AtomicLong IDS = new AtomicLong();
    private static final int MAX_REASON_BYTES = 123;

    private static final Runnable NOTHING = () -> { };
    /** Pongs waiting beyond this are dropped: answering the latest pings is enough (RFC 6455 5.5.3). */
    private static final int MAX_QUEUED_CONTROLS = 16;

    /** Who holds the writing token. */
    private enum Writer {
        /** Nobody: the next sender takes it. */
        IDLE,
        /** A thread is writing and will look at the queue again before letting go. */
        ACTIVE,
        /** The output was not ready: {@link #outputReady()} resumes. */
        BLOCKED,
        /** The close frame is out, or the connection is gone: nothing more is written. */
        DONE
    }

    /** Close code when the send queue overflows: "try again later". */
    static final int CLOSE_TRY_AGAIN_LATER = 1013;

    private final String id = Long.toString(IDS.incrementAndGet(), 36);
    private final SocketOutput output;
    private final Serializer serializer;
    private final String tenantId;
    private final SendQueueLimits limits;
    private final ConnectionRegistry registry;
    private final Executor flusher;
    private final TenantMetrics metrics;
    private SocketChannels channels;
    // What handles decoded messages: the channels, or the refusal of a refused handshake.
    private Consumer<InboundMessage> inbound;

    // Send queue state, guarded by this.
    private final ArrayDeque<OutboundFrame> queue = new ArrayDeque<>();
    // Payloads of pongs owed, sent before the queue.
    private final ArrayDeque<byte[]> controls = new ArrayDeque<>();
    private long queuedBytes;
    private Writer writer = Writer.IDLE;
    // outputReady() arrived while the token was ACTIVE: the holder must look at isReady() again.
    private boolean readyAgain;
    private boolean closing;
    // A close after the queued frames (close), or now with the queue dropped (terminate).
    private CloseStatus gracefulClose;
    private CloseStatus immediateClose;
    private long closeRequestedNanos;
    private CloseStatus sentClose;
    // A write left bytes unflushed: the token holder flushes once the output is ready. Token-guarded.
    private boolean flushOwed;

    private final long openedNanos = System.nanoTime();
    private volatile boolean joinedAny;
    // Whether the registry counts this socket among its tenant's unjoined ones; cleared once.
    private final AtomicBoolean countedUnjoined = new AtomicBoolean();
    private volatile long lastInboundNanos = System.nanoTime();
    // Since when the output has not been ready; 0 when it is. Read by the registry's sweep.
    private volatile long notReadySinceNanos;
    // Since when a flush has been waiting for the client; 0 when none is. Read by the registry's sweep.
    private volatile long flushingSinceNanos;
    private volatile boolean malformedLogged;
    private final AtomicLong malformedFrames = new AtomicLong();

    Connection(SocketOutput output, Serializer serializer, String tenantId, SendQueueLimits limits,
            ConnectionRegistry registry) {
        this.output = output;
        this.serializer = serializer;
        this.tenantId = tenantId;
        this.limits = limits;
        this.registry = registry;
        this.flusher = registry.flusher();
        this.metrics = RealtimeMetrics.tenant(tenantId);
    }

    void attach(SocketChannels channels) {
        this.channels = channels;
        this.inbound = channels::handle;
    }

    /** A refused handshake's socket: no channels, its messages only get the refusal. */
    void attach(RefusalReplies refusal) {
        this.inbound = refusal;
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

    /** Any frame from the client, control frames included, shows it is alive. */
    void heard() {
        lastInboundNanos = System.nanoTime();
    }

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
                inbound.accept(message);
            } catch (RuntimeException e) {
                // A bug of ours must cost the client one message, not its socket and channels.
                LOG.log(Level.WARNING, LogText.channel(tenantId, message.topic()) + " socket=" + id + ": handling "
                        + LogText.of(message.event()) + " failed", e);
            }
        } else if (result instanceof MalformedFrame malformed) {
            long count = malformedFrames.incrementAndGet();
            if (!malformedLogged) {
                malformedLogged = true;
                LOG.info(() -> LogText.tenant(tenantId) + " socket=" + id + ": malformed frame dropped: "
                        + LogText.of(malformed.reason()) + " (further ones on this socket are counted, not logged)");
            } else {
                LOG.fine(() -> LogText.tenant(tenantId) + " socket=" + id + ": malformed frame #" + count + " dropped: "
                        + LogText.of(malformed.reason()));
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
     * @return nanoseconds the output has been waiting for the client to read, 0 when it is not
     */
    long writeStalledForNanos(long nowNanos) {
        long started = notReadySinceNanos;
        if (started == 0) {
            started = flushingSinceNanos;
        }
        return started == 0 ? 0 : nowNanos - started;
    }

    /**
     * @param nowNanos {@link System#nanoTime()} now
     * @return nanoseconds since the socket opened, or -1 once a channel joined on it
     */
    long unjoinedForNanos(long nowNanos) {
        return joinedAny ? -1 : nowNanos - openedNanos;
    }

    @Override
    public void channelJoined() {
        if (!joinedAny) {
            joinedAny = true;
            registry.joined(this);
        }
    }

    /** The registry counts this socket as unjoined. */
    void countAsUnjoined() {
        countedUnjoined.set(true);
    }

    /** @return true the first time after {@link #countAsUnjoined()}: the caller uncounts it */
    boolean stopCountingAsUnjoined() {
        return countedUnjoined.compareAndSet(true, false);
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
            int size = sizeOf(frame);
            if (writer != Writer.IDLE
                    && (queue.size() >= limits.maxFrames() || queuedBytes + size > limits.maxBytes())) {
                overflow();
                return;
            }
            queue.addLast(frame);
            queuedBytes += size;
            metrics.delivered();
            if (!takeToken()) {
                return;
            }
        }
        pump();
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
            gracefulClose = new CloseStatus(code, truncate(reason));
            closeRequestedNanos = System.nanoTime();
            if (!takeToken()) {
                return; // the token holder closes once the frames queued before this call are out
            }
        }
        pump();
    }

    /**
     * Closes the socket now, dropping whatever is still queued: for a client that does not read
     * or does not talk, waiting for its queue would be waiting forever. The close frame still
     * goes out once the output is ready.
     *
     * @param code the close code
     * @param reason the close reason
     */
    void terminate(int code, String reason) {
        synchronized (this) {
            if (immediateClose != null) {
                return;
            }
            dropQueue(new CloseStatus(code, truncate(reason)));
            if (!takeToken()) {
                return;
            }
        }
        pump();
    }

    /**
     * Answers a ping; sent before queued frames, which may be many.
     *
     * @param payload the ping's payload
     */
    void pong(byte[] payload) {
        synchronized (this) {
            if (sentClose != null || immediateClose != null || controls.size() >= MAX_QUEUED_CONTROLS) {
                return;
            }
            controls.addLast(payload);
            if (!takeToken()) {
                return;
            }
        }
        pump();
    }

    /**
     * Closes the connection without a close frame when one was asked for more than {@code deadline}
     * ago and the client has not read enough since for it to be written.
     *
     * @param nowNanos {@link System#nanoTime()} now
     * @param deadlineNanos how long a close may wait for the client
     * @return whether it was closed
     */
    boolean abortIfCloseOverdue(long nowNanos, long deadlineNanos) {
        synchronized (this) {
            boolean waiting = writer == Writer.BLOCKED || flushingSinceNanos != 0;
            if (!closing || !waiting || nowNanos - closeRequestedNanos <= deadlineNanos) {
                return false;
            }
            abandonWrites();
        }
        LOG.info(() -> LogText.tenant(tenantId) + " socket=" + id + ": the client read nothing for the close frame, "
                + "closing the connection without it");
        output.close();
        return true;
    }

    /** @return frames waiting in the send queue, for the queue-depth gauge */
    synchronized int queuedFrames() {
        return queue.size();
    }

    /** @return the close frame we sent, or null */
    synchronized CloseStatus sentClose() {
        return sentClose;
    }

    /** The queue passed its bounds: drop it and close. Called with the lock held; the caller pumps. */
    private void overflow() {
        int dropped = queue.size();
        LOG.info(() -> LogText.tenant(tenantId) + " socket=" + id + ": closing the socket, send queue full (" + dropped
                + " frames waiting), the client reads too slowly");
        dropQueue(new CloseStatus(CLOSE_TRY_AGAIN_LATER, "send queue overflow: client too slow"));
    }

    /** With the lock held: nothing queued is sent any more, only the close frame. */
    private void dropQueue(CloseStatus status) {
        if (!closing) {
            closeRequestedNanos = System.nanoTime();
        }
        closing = true;
        immediateClose = status;
        queue.clear();
        queuedBytes = 0;
    }

    /** With the lock held: takes the writing token if nobody holds it. */
    private boolean takeToken() {
        if (writer != Writer.IDLE) {
            return false;
        }
        writer = Writer.ACTIVE;
        return true;
    }

    /**
     * The container says the output is ready again (a {@code WriteListener} callback). Resumes a
     * blocked writer; tells an active one to look again, as its {@code isReady()} may have said
     * false just before this call.
     */
    void outputReady() {
        synchronized (this) {
            if (writer == Writer.ACTIVE) {
                readyAgain = true;
            }
            if (writer != Writer.BLOCKED) {
                return;
            }
            writer = Writer.ACTIVE;
        }
        pump();
    }

    /** With the token: writes batches while the output is ready and something waits. */
    private void pump() {
        pump(false);
    }

    /**
     * @param mayBlock whether this thread may flush (the flusher's), or must hand the flush over
     */
    private void pump(boolean mayBlock) {
        while (true) {
            // Decide first, ask the container second: isReady() is a container lookup on every
            // call (a fifth of the fan-out profile), so it is made only before a write or a flush.
            boolean closeNow = false;
            synchronized (this) {
                if (writer == Writer.DONE) {
                    return;
                }
                if (!flushOwed && (sentClose != null || !hasBatch())) {
                    if (sentClose == null) {
                        writer = Writer.IDLE;
                        readyAgain = false; // the next holder asks isReady() afresh
                        return;
                    }
                    writer = Writer.DONE;
                    closeNow = true;
                }
            }
            if (closeNow) {
                output.close(); // the close frame is out
                return;
            }
            if (flushOwed && !mayBlock) {
                flushLater(); // the flusher asks isReady() itself
                return;
            }
            boolean ready;
            try {
                ready = output.isReady();
            } catch (RuntimeException e) {
                gone(e);
                return;
            }
            OutboundBatch batch = null;
            synchronized (this) {
                if (!ready) {
                    if (readyAgain) {
                        readyAgain = false;
                        continue;
                    }
                    writer = Writer.BLOCKED;
                    if (notReadySinceNanos == 0) {
                        notReadySinceNanos = System.nanoTime();
                    }
                    return;
                }
                readyAgain = false;
                notReadySinceNanos = 0;
                if (writer == Writer.DONE) {
                    return;
                }
                if (!flushOwed) {
                    batch = nextBatch();
                    if (batch == null) {
                        continue; // emptied meanwhile (a terminate): decide again
                    }
                }
            }
            try {
                if (batch == null) {
                    flushingSinceNanos = System.nanoTime();
                    try {
                        output.flush();
                    } finally {
                        flushingSinceNanos = 0;
                    }
                    flushOwed = false;
                } else {
                    flushOwed = !output.write(batch);
                }
            } catch (IOException | RuntimeException e) {
                gone(e);
                return;
            }
        }
    }

    /** The token holder hands the owed flush, and the pumping after it, to the flusher. */
    private void flushLater() {
        try {
            flusher.execute(() -> pump(true));
        } catch (RejectedExecutionException e) {
            pump(true); // the server is stopping: flush here, as it may be the last chance
        }
    }

    /** With the lock held: whether {@link #nextBatch()} has something to return. */
    private boolean hasBatch() {
        return !controls.isEmpty() || !queue.isEmpty() || immediateClose != null || gracefulClose != null;
    }

    /** With the lock held: every pong and queued frame, and the close frame when due; null if none. */
    private OutboundBatch nextBatch() {
        CloseStatus close = immediateClose != null ? immediateClose : gracefulClose;
        if (controls.isEmpty() && queue.isEmpty() && close == null) {
            return null;
        }
        OutboundBatch batch = new OutboundBatch(controls.isEmpty() ? List.of() : List.copyOf(controls),
                new ArrayList<>(queue), close);
        controls.clear();
        queue.clear();
        queuedBytes = 0;
        if (close != null) {
            sentClose = close;
        }
        return batch;
    }

    private void gone(Exception e) {
        LOG.fine(() -> LogText.tenant(tenantId) + " socket=" + id + ": write failed: " + e);
        synchronized (this) {
            abandonWrites();
        }
        output.close();
    }

    /** With the lock held: nothing is written any more. */
    private void abandonWrites() {
        closing = true;
        queue.clear();
        controls.clear();
        queuedBytes = 0;
        writer = Writer.DONE;
        notReadySinceNanos = 0;
    }

    /**
     * Called by the transport when the connection closed, whoever closed it.
     *
     * @param status the close frame that ended it (the client's, else ours), or 1006 without one
     */
    void closed(CloseStatus status) {
        CloseStatus ours;
        synchronized (this) {
            abandonWrites();
            ours = immediateClose != null ? immediateClose : gracefulClose;
        }
        CloseCauses.count(metrics, ours, status);
        registry.remove(this);
        if (channels != null) {
            channels.socketClosed();
        }
        LOG.info(() -> LogText.tenant(tenantId) + " socket=" + id + ": closed " + status.code()
                + (status.reason().isEmpty() ? "" : " " + LogText.of(status.reason())));
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
