package io.mudrock.realtime.socket;

import java.io.IOException;

/**
 * A socket's output as {@link Connection} drives it, with the non-blocking servlet rules: write
 * only after {@link #isReady()} said true; once it says false, {@link Connection#outputReady()} is
 * called when writing is possible again. Each transport implements it ({@link UpgradedSocket},
 * {@link JakartaSocket}); tests fake it.
 */
interface SocketOutput {

    /**
     * @return whether one write may be made now; false promises a later {@link Connection#outputReady()}
     */
    boolean isReady();

    /**
     * Hands a batch to the transport in order, ending with its close frame if it has one, without
     * blocking: a flush that could block is left owed. Called only after {@link #isReady()}
     * returned true, by one thread at a time.
     *
     * @param batch the frames to send
     * @return true when all of it is out; false when the write goes on and {@link #flush()} is owed once ready
     * @throws IOException when the connection is gone
     */
    boolean write(OutboundBatch batch) throws IOException;

    /**
     * Flushes what a write that did not finish at once left buffered. May block while the client
     * does not read, so {@link Connection} calls it on its flusher, never on a sender's thread.
     * Called only after {@link #isReady()} returned true.
     *
     * @throws IOException when the connection is gone
     */
    void flush() throws IOException;

    /** Closes the connection now; bytes already written are sent first where the container can. */
    void close();
}
