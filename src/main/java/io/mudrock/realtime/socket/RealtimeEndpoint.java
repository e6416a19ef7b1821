package io.mudrock.realtime.socket;

import io.mudrock.realtime.channel.ChannelServices;
import io.mudrock.realtime.channel.SocketChannels;
import io.mudrock.realtime.protocol.Serializer;
import jakarta.websocket.CloseReason;
import jakarta.websocket.Endpoint;
import jakarta.websocket.EndpointConfig;
import jakarta.websocket.MessageHandler;
import jakarta.websocket.Session;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.util.logging.Level;
import java.util.logging.Logger;

/**
 * The WebSocket endpoint of one accepted handshake: created by {@link HandshakeServlet} with what
 * the handshake established (tenant, token, frame format), it wires the session to a
 * {@link Connection} and its {@link SocketChannels}.
 */
public final class RealtimeEndpoint extends Endpoint {

    private static final Logger LOG = Logger.getLogger(RealtimeEndpoint.class.getName());

    /** Upstream's {@code max_frame_size}. */
    static final int MAX_INBOUND_FRAME_BYTES = 5_000_000;

    private final AcceptedHandshake handshake;
    private final ChannelServices services;
    private final ConnectionRegistry registry;
    private final SendQueueLimits limits;
    private Connection connection;

    RealtimeEndpoint(AcceptedHandshake handshake, ChannelServices services, ConnectionRegistry registry,
            SendQueueLimits limits) {
        this.handshake = handshake;
        this.services = services;
        this.registry = registry;
        this.limits = limits;
    }

    @Override
    public void onOpen(Session session, EndpointConfig config) {
        // No container idle limit either: Liberty re-arms a scheduled check every 4 s for every
        // active session (a sixth of the server's time with 10,000 sockets), counts outbound
        // traffic as activity, and closes with the reserved code 1006 on the wire. Silent
        // clients are closed by ConnectionRegistry's sweep after 60 s instead.
        session.setMaxIdleTimeout(0);
        session.setMaxTextMessageBufferSize(MAX_INBOUND_FRAME_BYTES);
        session.setMaxBinaryMessageBufferSize(MAX_INBOUND_FRAME_BYTES);
        // No container send timeout: Liberty schedules and cancels a timer for every frame when one
        // is set (a third of the server's time in the fan-out benchmark). Stalled writes are found
        // by ConnectionRegistry's sweep instead.
        session.getAsyncRemote().setSendTimeout(0);
        Serializer serializer = handshake.serializer();
        connection = new Connection(session, serializer, handshake.tenantId(), limits, services.blockingWork(),
                registry);
        connection.attach(new SocketChannels(connection, handshake.tenantId(), handshake.token(), services));
        registry.add(connection);
        session.addMessageHandler(String.class, (MessageHandler.Whole<String>) connection::onText);
        // Registered for vsn 1.0.0 too: its binary frames are decoded only to be dropped and logged.
        session.addMessageHandler(ByteBuffer.class, (MessageHandler.Whole<ByteBuffer>) connection::onBinary);
        LOG.info(() -> "Socket " + connection.id() + " opened: tenant " + handshake.tenantId() + ", vsn "
                + serializer.vsn() + ", role " + handshake.role() + ", from " + handshake.remote());
    }

    @Override
    public void onClose(Session session, CloseReason closeReason) {
        if (connection != null) {
            connection.closed(closeReason);
        }
    }

    @Override
    public void onError(Session session, Throwable error) {
        String id = connection == null ? "?" : connection.id();
        if (error instanceof IOException || (error.getCause() instanceof IOException)) {
            LOG.fine(() -> "Socket " + id + " I/O error: " + error);
        } else {
            LOG.log(Level.WARNING, "Socket " + id + " failed", error);
        }
    }
}
