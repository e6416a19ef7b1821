package io.mudrock.realtime.socket;

import io.mudrock.realtime.channel.ChannelServices;
import io.mudrock.realtime.protocol.Serializer;

/**
 * What {@link HandshakeServlet} hands the socket it upgrades to: an accepted handshake, whose
 * socket serves channels, or a refused one, whose socket only says why it was refused.
 */
sealed interface SocketHandshake permits AcceptedHandshake, RefusedHandshake {

    /** @return the {@link ConnectionRegistry} key the socket is registered and capped under */
    String tenantId();

    /** @return the frame format */
    Serializer serializer();

    /** @return the client address, for logs */
    String remote();

    /** @return the token's role, for logs */
    String role();

    /**
     * Gives the opened socket what handles its messages.
     *
     * @param connection the socket
     * @param services the server's channel services
     * @return what the transport runs once the registry admitted the socket (a timer must not
     *         close a socket the registry does not know yet)
     */
    Runnable attach(Connection connection, ChannelServices services);
}
