package io.mudrock.realtime.socket;

import io.mudrock.realtime.channel.ChannelServices;
import io.mudrock.realtime.protocol.LogText;
import io.mudrock.realtime.protocol.OutboundFrame;
import io.mudrock.realtime.protocol.Serializer;
import io.mudrock.realtime.wire.CloseStatus;
import io.mudrock.realtime.wire.FrameParser;
import io.mudrock.realtime.wire.InboundBudget;
import jakarta.websocket.CloseReason;
import jakarta.websocket.Endpoint;
import jakarta.websocket.EndpointConfig;
import jakarta.websocket.MessageHandler;
import jakarta.websocket.PongMessage;
import jakarta.websocket.RemoteEndpoint;
import jakarta.websocket.SendHandler;
import jakarta.websocket.Session;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.logging.Logger;

/**
 * One WebSocket connection on the platform's Jakarta WebSocket container (the default transport):
 * the endpoint instance of one accepted handshake, created by {@link HandshakeServlet} with what
 * the handshake established, and its {@link Connection}'s {@link SocketOutput}.
 *
 * <p>The container allows one outstanding asynchronous send per session, so a batch goes out as a
 * {@link SendChain}: each frame's completion sends the next, on whatever thread the container
 * completes on (no executor of ours in between), and the last one reports the output ready again.
 * Frames are the shared, already encoded fan-out frames: binary ones are handed over as a wrapper
 * of the shared bytes; text ones as their {@link String}, because the API has no text send that
 * takes bytes (Liberty encodes the string once per send). There is no container
 * idle timer ({@code setMaxIdleTimeout(0)}): {@link ConnectionRegistry}'s sweep closes silent
 * clients and stalled writers for both transports.
 */
public final class JakartaSocket extends Endpoint implements SocketOutput {

    private static final Logger LOG = Logger.getLogger(JakartaSocket.class.getName());

    /** Closing a connection that never got its close frame out: the code the container sends, if it still can. */
    private static final CloseStatus ABORTED = new CloseStatus(1001, "");

    private final SocketHandshake handshake;
    private final ChannelServices services;
    private final ConnectionRegistry registry;
    private final SendQueueLimits limits;

    private Session session;
    private RemoteEndpoint.Async remote;
    private Connection connection;

    private SendChain chain;
    private volatile CloseStatus closeAfter;
    private final AtomicBoolean closeRequested = new AtomicBoolean();
    /** While onOpen runs: a close then happens on its thread (a close from another thread may race the open and lose the close frame). */
    private volatile boolean opening;
    /** This socket's share of the server-wide budget for messages that arrive in several frames. */
    private InboundBudget.Account inbound;

    JakartaSocket(SocketHandshake handshake, ChannelServices services, ConnectionRegistry registry,
            SendQueueLimits limits) {
        this.handshake = handshake;
        this.services = services;
        this.registry = registry;
        this.limits = limits;
    }

    @Override
    public void onOpen(Session openedSession, EndpointConfig config) {
        session = openedSession;
        opening = true;
        // No container idle timer (Liberty re-arms one per session every few seconds and counts our
        // own sends as activity) and no send timer per frame: the registry's sweep does both jobs.
        session.setMaxIdleTimeout(0);
        session.setMaxTextMessageBufferSize(UpgradedSocket.MAX_INBOUND_FRAME_BYTES);
        session.setMaxBinaryMessageBufferSize(UpgradedSocket.MAX_INBOUND_FRAME_BYTES);
        remote = session.getAsyncRemote();
        remote.setSendTimeout(0);
        chain = new SendChain(this::send, () -> connection.outputReady(), this::sendFailed);
        Serializer serializer = handshake.serializer();
        connection = new Connection(this, serializer, handshake.tenantId(), limits, registry);
        Runnable onAdmitted = handshake.attach(connection, services);
        inbound = registry.inboundBudget().open();
        boolean admitted = registry.add(connection);
        // Partial handlers: Liberty checks the size limit per frame, not per message, so a message
        // sent in many small frames is counted here, and nothing beyond the limit is kept.
        session.addMessageHandler(String.class, new TextParts());
        // Registered for vsn 1.0.0 too: its binary frames are decoded only to be dropped and logged.
        session.addMessageHandler(ByteBuffer.class, new BinaryParts());
        // Pings are answered by the container and never reach us; pongs count as liveness.
        session.addMessageHandler(PongMessage.class, (MessageHandler.Whole<PongMessage>) pong -> connection.heard());
        LOG.info(() -> LogText.tenant(handshake.tenantId()) + " socket=" + connection.id() + ": opened, vsn "
                + serializer.vsn() + ", role " + handshake.role() + ", from " + handshake.remote() + " (jakarta)");
        if (admitted) {
            opening = false;
            onAdmitted.run();
        } else {
            connection.terminate(ConnectionRegistry.CLOSE_POLICY_VIOLATION, ConnectionRegistry.TOO_MANY_UNJOINED_REASON);
            opening = false;
        }
    }

    @Override
    public void onClose(Session closedSession, CloseReason reason) {
        if (inbound != null) {
            inbound.close();
        }
        if (connection != null) {
            String phrase = reason.getReasonPhrase();
            connection.closed(new CloseStatus(reason.getCloseCode().getCode(), phrase == null ? "" : phrase));
        }
    }

    @Override
    public void onError(Session failedSession, Throwable error) {
        String id = connection == null ? "?" : connection.id();
        if (error instanceof IOException || error.getCause() instanceof IOException) {
            LOG.fine(() -> LogText.tenant(handshake.tenantId()) + " socket=" + id + ": I/O error: " + error);
        } else {
            // The container closes the session itself (1009 for a message over the limit, 1002, 1007).
            LOG.info(() -> LogText.tenant(handshake.tenantId()) + " socket=" + id + ": " + error);
        }
    }

    /** Closes with 1009 like the servlet-upgrade transport's parser: the message passed upstream's limit. */
    private void tooBig() {
        LOG.info(() -> LogText.tenant(handshake.tenantId()) + " socket=" + connection.id() + ": sent a message larger than "
                + UpgradedSocket.MAX_INBOUND_FRAME_BYTES + " bytes; closing with 1009");
        connection.terminate(CloseStatus.TOO_BIG, "message larger than " + UpgradedSocket.MAX_INBOUND_FRAME_BYTES + " bytes");
    }

    /**
     * Holds {@code bytes} more of a message that has not arrived whole, from the server-wide budget;
     * when the budget has no room, closes the socket with 1009 as the servlet-upgrade parser does.
     *
     * @return false when refused: the caller drops what it holds of the message
     */
    private boolean reserve(long bytes) {
        if (inbound.reserve(bytes)) {
            return true;
        }
        LOG.info(() -> LogText.tenant(handshake.tenantId()) + " socket=" + connection.id()
                + ": the server inbound buffer budget is exhausted; closing with 1009");
        connection.terminate(CloseStatus.TOO_BIG, FrameParser.BUDGET_EXHAUSTED);
        return false;
    }

    /**
     * One kind of message, whole or in frames: a message in one frame is passed on as it came; one
     * in several is held, within the socket's size limit and the server-wide budget, until its last
     * frame. Only while a message arrives in several frames does a socket keep a buffer.
     */
    private abstract class Parts<T> implements MessageHandler.Partial<T> {
        private long bytes; // wire bytes of the current message so far
        private long held; // budget held for what is pending
        private boolean discarding;

        @Override
        public final void onMessage(T part, boolean last) {
            if (!discarding) {
                bytes += wireLength(part);
                if (bytes > UpgradedSocket.MAX_INBOUND_FRAME_BYTES) {
                    drop();
                    tooBig();
                } else if (last && !pending()) {
                    deliver(part);
                } else if (hold(part) && last) {
                    T whole = whole();
                    release();
                    deliver(whole);
                }
            }
            if (last) {
                bytes = 0;
                discarding = false;
            }
        }

        /** Adds a part to what is pending, with the budget it takes; false when refused (then all is dropped). */
        private boolean hold(T part) {
            long growth = storageWith(part) - held;
            if (growth > 0 && !reserve(growth)) {
                drop();
                return false;
            }
            held += Math.max(growth, 0);
            append(part);
            return true;
        }

        private void drop() {
            discarding = true;
            release();
        }

        private void release() {
            clear();
            inbound.release(held);
            held = 0;
        }

        abstract long wireLength(T part);

        /** The bytes of storage the pending message takes once {@code part} is added. */
        abstract long storageWith(T part);

        abstract boolean pending();

        abstract void append(T part);

        abstract T whole();

        abstract void clear();

        abstract void deliver(T message);
    }

    /** Text messages; pending text is counted at two bytes a char. */
    private final class TextParts extends Parts<String> {
        private StringBuilder pending;

        @Override
        long wireLength(String part) {
            return utf8Length(part);
        }

        @Override
        long storageWith(String part) {
            return 2L * ((pending == null ? 0 : pending.length()) + part.length());
        }

        @Override
        boolean pending() {
            return pending != null;
        }

        @Override
        void append(String part) {
            if (pending == null) {
                pending = new StringBuilder(part.length() * 2);
            }
            pending.append(part);
        }

        @Override
        String whole() {
            return pending.toString();
        }

        @Override
        void clear() {
            pending = null;
        }

        @Override
        void deliver(String message) {
            connection.onText(message);
        }
    }

    /** Binary messages; pending bytes are counted at the capacity of their buffer, which doubles as it fills. */
    private final class BinaryParts extends Parts<ByteBuffer> {
        private ByteBuffer pending;

        @Override
        long wireLength(ByteBuffer part) {
            return part.remaining();
        }

        @Override
        long storageWith(ByteBuffer part) {
            if (pending == null) {
                return part.remaining();
            }
            if (pending.remaining() >= part.remaining()) {
                return pending.capacity();
            }
            return Math.max((long) pending.position() + part.remaining(), 2L * pending.capacity());
        }

        @Override
        boolean pending() {
            return pending != null;
        }

        @Override
        void append(ByteBuffer part) {
            long capacity = storageWith(part);
            if (pending == null || pending.capacity() < capacity) {
                ByteBuffer grown = ByteBuffer.allocate((int) capacity);
                if (pending != null) {
                    grown.put(pending.flip());
                }
                pending = grown;
            }
            pending.put(part);
        }

        @Override
        ByteBuffer whole() {
            return pending.flip();
        }

        @Override
        void clear() {
            pending = null;
        }

        @Override
        void deliver(ByteBuffer message) {
            connection.onBinary(message);
        }
    }

    /** UTF-8 length of a text without encoding it (an unpaired surrogate, which decoded UTF-8 never holds, counts 3). */
    static long utf8Length(CharSequence text) {
        long length = text.length();
        for (int i = 0; i < text.length(); i++) {
            char c = text.charAt(i);
            if (c >= 0x80) {
                if (c < 0x800) {
                    length += 1;
                } else if (Character.isHighSurrogate(c) && i + 1 < text.length()
                        && Character.isLowSurrogate(text.charAt(i + 1))) {
                    length += 2; // four bytes for the pair's two chars
                    i++;
                } else {
                    length += 2;
                }
            }
        }
        return length;
    }

    // --- SocketOutput -------------------------------------------------------------------------

    @Override
    public boolean isReady() {
        return !chain.busy();
    }

    @Override
    public boolean write(OutboundBatch batch) {
        if (batch.close() != null) {
            closeAfter = batch.close(); // Connection calls close() once the frames before it are out
        }
        chain.start(batch.frames());
        // Nothing is ever owed: a send still going on belongs to the container, isReady() stays
        // false until it completes, and its completion calls outputReady(). Answering false would
        // make Connection hand a no-op flush to another thread after every asynchronous batch.
        return true;
    }

    @Override
    public void flush() {
        // Every send is a whole message the container flushes itself.
    }

    @Override
    public void close() {
        if (!closeRequested.compareAndSet(false, true) || session == null) {
            return;
        }
        CloseStatus status = closeAfter != null ? closeAfter : ABORTED;
        CloseReason reason = new CloseReason(CloseReason.CloseCodes.getCloseCode(status.code()), status.reason());
        if (opening) {
            closeSession(reason); // nothing was sent yet, so nothing can be pending
            return;
        }
        // Off the caller's thread: Liberty's close waits for a pending write of a client that may
        // not be reading, and the caller may be the registry's sweep or a send completion.
        try {
            services.blockingWork().execute(() -> closeSession(reason));
        } catch (RejectedExecutionException e) {
            closeSession(reason); // the application is stopping
        }
    }

    private void closeSession(CloseReason reason) {
        try {
            if (session.isOpen()) {
                session.close(reason);
            }
        } catch (IOException | RuntimeException e) {
            LOG.fine(() -> LogText.tenant(handshake.tenantId()) + " socket=" + (connection == null ? "?" : connection.id())
                    + ": closing failed: " + e);
        }
    }

    // --- the send chain ---------------------------------------------------------------------

    private void send(OutboundFrame frame, SendHandler done) {
        if (frame instanceof OutboundFrame.Text text) {
            remote.sendText(text.text(), done);
        } else {
            // A fresh writable view of the shared bytes: Liberty reads its array directly and
            // advances its position, so views are per send; the bytes are never copied or changed.
            remote.sendBinary(ByteBuffer.wrap(frame.wireBytes()), done);
        }
    }

    private void sendFailed(Throwable error) {
        // The connection is gone: nothing more is sent; the container reports the close.
        LOG.fine(() -> LogText.tenant(handshake.tenantId()) + " socket=" + connection.id() + ": write failed: " + error);
        close();
    }
}
