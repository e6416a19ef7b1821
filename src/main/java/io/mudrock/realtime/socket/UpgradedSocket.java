package io.mudrock.realtime.socket;

import io.mudrock.realtime.channel.ChannelServices;
import io.mudrock.realtime.protocol.LogText;
import io.mudrock.realtime.protocol.Serializer;
import io.mudrock.realtime.wire.CloseStatus;
import io.mudrock.realtime.wire.FrameParser;
import io.mudrock.realtime.wire.InboundBudget;
import jakarta.servlet.ReadListener;
import jakarta.servlet.ServletInputStream;
import jakarta.servlet.ServletOutputStream;
import jakarta.servlet.WriteListener;
import jakarta.servlet.http.HttpUpgradeHandler;
import jakarta.servlet.http.WebConnection;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.logging.Level;
import java.util.logging.Logger;

/**
 * One WebSocket connection after {@link HandshakeServlet} switched protocols: reads client frames
 * with a non-blocking {@code ReadListener} through a {@link FrameParser} into its
 * {@link Connection}, and is that connection's {@link SocketOutput} over the non-blocking
 * servlet output stream. Registers the socket with the {@link ConnectionRegistry} on open and
 * reports the close, with the close frame that ended it, exactly once.
 */
public final class UpgradedSocket implements HttpUpgradeHandler, SocketOutput {

    private static final Logger LOG = Logger.getLogger(UpgradedSocket.class.getName());

    /** Upstream's {@code max_frame_size}: the largest message a client may send. */
    static final int MAX_INBOUND_FRAME_BYTES = 5_000_000;

    // Read buffers are per thread, not per socket: the parser copies out whatever it keeps.
    private static final ThreadLocal<byte[]> READ_BUFFER = ThreadLocal.withInitial(() -> new byte[16 * 1024]);

    private SocketHandshake handshake;
    private ChannelServices services;
    private ConnectionRegistry registry;
    private SendQueueLimits limits;

    private WebConnection web;
    private ServletInputStream in;
    private ServletOutputStream out;
    private Connection connection;
    // Dropped when the socket ends: timers of its channels may keep this object a while, its
    // partial message must not stay with it.
    private volatile FrameParser parser;
    private InboundBudget.Account inboundAccount;
    private volatile CloseStatus received;
    private final AtomicBoolean finished = new AtomicBoolean();
    private final AtomicBoolean webClosed = new AtomicBoolean();

    /** For the container, which creates upgrade handlers itself; {@link #prepare} follows at once. */
    public UpgradedSocket() {
    }

    void prepare(SocketHandshake handshake, ChannelServices services, ConnectionRegistry registry,
            SendQueueLimits limits) {
        this.handshake = handshake;
        this.services = services;
        this.registry = registry;
        this.limits = limits;
    }

    @Override
    public void init(WebConnection webConnection) {
        web = webConnection;
        try {
            in = webConnection.getInputStream();
            out = webConnection.getOutputStream();
        } catch (IOException e) {
            LOG.fine(() -> LogText.tenant(handshake.tenantId()) + ": upgraded connection from " + handshake.remote()
                    + " is already gone: " + e);
            close();
            return;
        }
        Serializer serializer = handshake.serializer();
        connection = new Connection(this, serializer, handshake.tenantId(), limits, registry);
        Runnable onAdmitted = handshake.attach(connection, services);
        inboundAccount = registry.inboundBudget().open();
        parser = new FrameParser(MAX_INBOUND_FRAME_BYTES, inboundAccount, new Inbound());
        out.setWriteListener(new Outbound());
        boolean admitted = registry.add(connection);
        in.setReadListener(new Reader());
        LOG.info(() -> LogText.tenant(handshake.tenantId()) + " socket=" + connection.id() + ": opened, vsn "
                + serializer.vsn() + ", role " + handshake.role() + ", from " + handshake.remote());
        if (admitted) {
            onAdmitted.run();
        } else {
            connection.terminate(ConnectionRegistry.CLOSE_POLICY_VIOLATION, ConnectionRegistry.TOO_MANY_UNJOINED_REASON);
        }
    }

    @Override
    public void destroy() {
        finish();
    }

    // --- SocketOutput -------------------------------------------------------------------------

    @Override
    public boolean isReady() {
        return out.isReady();
    }

    @Override
    public boolean write(OutboundBatch batch) throws IOException {
        // Liberty writes a full buffer asynchronously, but its flush is a blocking write: never
        // here, on whatever thread queued the frames. The flush is owed; Connection runs it where
        // waiting is allowed.
        out.write(batch.wireBytes());
        return false;
    }

    @Override
    public void flush() throws IOException {
        out.flush();
    }

    @Override
    public void close() {
        if (!webClosed.compareAndSet(false, true)) {
            return;
        }
        try {
            web.close();
        } catch (Exception e) {
            LOG.fine(() -> LogText.tenant(handshake.tenantId()) + " socket=" + (connection == null ? "?" : connection.id())
                    + ": closing failed: " + e);
        }
        finish();
    }

    /** Reports the close to the connection once, with the client's close frame, else ours, else 1006. */
    private void finish() {
        if (connection == null || !finished.compareAndSet(false, true)) {
            return;
        }
        inboundAccount.close();
        parser = null;
        CloseStatus status = received;
        if (status == null) {
            status = connection.sentClose();
        }
        connection.closed(status != null ? status : new CloseStatus(CloseStatus.ABNORMAL, ""));
    }

    private void failed(Throwable error) {
        String id = connection == null ? "?" : connection.id();
        if (error instanceof IOException || error.getCause() instanceof IOException) {
            LOG.fine(() -> LogText.tenant(handshake.tenantId()) + " socket=" + id + ": I/O error: " + error);
        } else {
            LOG.log(Level.WARNING, LogText.tenant(handshake.tenantId()) + " socket=" + id + ": failed", error);
        }
        close();
    }

    /** Feeds whatever the container has for us to the parser, until it has no more. */
    private final class Reader implements ReadListener {
        @Override
        public void onDataAvailable() throws IOException {
            byte[] buffer = READ_BUFFER.get();
            while (in.isReady()) {
                int n = in.read(buffer);
                if (n < 0) {
                    return;
                }
                FrameParser current = parser;
                if (current == null || current.done()) {
                    // Closing: what the client still sends stays unread (its TCP window fills), so a
                    // socket refused for a flood costs the read threads nothing more.
                    return;
                }
                current.feed(buffer, 0, n);
            }
        }

        @Override
        public void onAllDataRead() {
            // The client ended its side; without a close frame this is what 1006 means.
            close();
        }

        @Override
        public void onError(Throwable error) {
            failed(error);
        }
    }

    private final class Outbound implements WriteListener {
        @Override
        public void onWritePossible() {
            connection.outputReady();
        }

        @Override
        public void onError(Throwable error) {
            failed(error);
        }
    }

    /** What the parser found, handed to the connection. */
    private final class Inbound implements FrameParser.Listener {
        @Override
        public void onText(String text) {
            connection.onText(text);
        }

        @Override
        public void onBinary(ByteBuffer bytes) {
            connection.onBinary(bytes);
        }

        @Override
        public void onPing(byte[] payload) {
            connection.heard();
            connection.pong(payload);
        }

        @Override
        public void onPong() {
            connection.heard();
        }

        @Override
        public void onClose(CloseStatus status) {
            connection.heard();
            received = status;
            // Echo the code (RFC 6455 5.5.1); queued frames are dropped, the client is leaving.
            connection.terminate(status.code(), "");
        }

        @Override
        public void onError(CloseStatus status) {
            String why = FrameParser.BUDGET_EXHAUSTED.equals(status.reason())
                    ? " would pass the inbound buffer budget of " + (registry.inboundBudget().limitBytes() >> 20) + " MB"
                    : " broke the WebSocket protocol: " + status.reason();
            LOG.info(() -> LogText.tenant(handshake.tenantId()) + " socket=" + connection.id() + ":" + why
                    + "; closing with " + status.code());
            connection.terminate(status.code(), status.reason());
        }
    }
}
