package io.mudrock.realtime.socket;

import io.mudrock.realtime.channel.ChannelServices;
import io.mudrock.realtime.channel.SocketChannels;
import io.mudrock.realtime.protocol.Serializer;

/**
 * What an accepted handshake established, handed to the socket it upgrades to.
 *
 * @param tenantId the tenant's external id
 * @param token the verified connect token (joins without their own token use it)
 * @param role its {@code role} claim, for logs
 * @param serializer the negotiated frame format
 * @param remote the client address, for logs
 */
record AcceptedHandshake(String tenantId, String token, String role, Serializer serializer, String remote)
        implements SocketHandshake {

    @Override
    public Runnable attach(Connection connection, ChannelServices services) {
        connection.attach(new SocketChannels(connection, tenantId, token, services));
        return () -> { };
    }
}
