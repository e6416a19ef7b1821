package io.mudrock.realtime.socket;

import io.mudrock.realtime.channel.ChannelServices;
import io.mudrock.realtime.protocol.Serializer;
import java.time.Duration;

/**
 * A refused handshake from a browser, upgraded anyway so the page can read the reason (browsers
 * hide the body of a failed upgrade): its socket answers joins with the refusal and closes with
 * {@link HandshakeRefusal#closeCode()}. Every such socket is registered under
 * {@link ConnectionRegistry#REFUSED_SOCKETS}, never under a tenant, so it cannot use up a tenant's
 * unjoined-socket cap.
 *
 * @param tenant the tenant the request named, for the socket's logs (the derived id when it does
 *               not exist, {@code ?} when the vsn was refused before the tenant was looked up)
 * @param refusal why it was refused
 * @param serializer the requested frame format; V2 when the requested one is not supported
 * @param speaksProtocol false when the requested frame format is not supported: joins are not
 *                       answered, the socket only closes with the reason
 * @param backoff {@code CONNECT_ERROR_BACKOFF_MS}: the least time before the refusal is told
 * @param remote the client address, for logs
 */
record RefusedHandshake(String tenant, HandshakeRefusal refusal, Serializer serializer, boolean speaksProtocol,
        Duration backoff, String remote) implements SocketHandshake {

    @Override
    public String tenantId() {
        return ConnectionRegistry.REFUSED_SOCKETS;
    }

    @Override
    public String role() {
        return "none: refused " + refusal.status() + " for tenant " + tenant;
    }

    @Override
    public Runnable attach(Connection connection, ChannelServices services) {
        RefusalReplies replies = new RefusalReplies(connection, this, services.scheduler());
        connection.attach(replies);
        return replies::start;
    }
}
