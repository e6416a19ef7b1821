package io.mudrock.realtime.channel;

import io.mudrock.realtime.protocol.OutboundFrame;
import io.mudrock.realtime.protocol.Serializer;

/**
 * The channel layer's view of one client socket: somewhere to queue frames and a way to end the
 * socket. Implemented by the socket package; every method returns at once, whatever the client.
 */
public interface ClientLink {

    /** @return an id unique among live sockets, for logs */
    String id();

    /** @return the frame format the socket negotiated */
    Serializer serializer();

    /**
     * Queues a frame. Never blocks: a socket that cannot keep up is closed by its owner instead.
     *
     * @param frame the frame; shared frames may be queued on many links at once
     */
    void send(OutboundFrame frame);

    /**
     * Runs {@code publish} and queues {@code frame} as one step: the frame cannot reach the
     * client before {@code publish} has run, and a frame queued by a thread that sees the
     * effect of {@code publish} is queued after it. A join uses it to make its channel visible
     * to fan-out and queue its reply, so that the client, once it sees the reply, is sent every
     * broadcast that follows, and never one before the reply.
     *
     * @param publish a short step taking no lock of this link's owner (e.g. adding to a set)
     * @param frame the frame
     */
    void publishThenSend(Runnable publish, OutboundFrame frame);

    /**
     * Whether the send queue is more than half full: the socket's {@link SubscriberQueue} then
     * holds database changes instead of queuing more, so a burst never overflows a client that
     * keeps reading.
     *
     * @return true while the client reads more slowly than frames are queued
     */
    default boolean congested() {
        return false;
    }

    /**
     * A channel on this socket completed its join: the socket is in use, no longer one that
     * only holds a connection (those are closed after a deadline). Called on every join.
     */
    default void channelJoined() {
    }

    /**
     * Closes the socket after the frames already queued, without waiting for it.
     *
     * @param code the WebSocket close code, e.g. 1000 or 1012
     * @param reason the close reason text (at most 123 UTF-8 bytes)
     */
    void close(int code, String reason);
}
