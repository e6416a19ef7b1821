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
     * Sends a batch in order, ending with its close frame if it has one, and flushes it if the
     * output is still ready afterwards. Called only after {@link #isReady()} returned true, by one
     * thread at a time.
     *
     * @param batch the frames to send
     * @return true when all of it is out; false when the write goes on and {@link #flush()} is owed once ready
     * @throws IOException when the connection is gone
     */
    boolean write(OutboundBatch batch) throws IOException;

    /**
     * Flushes what a write that did not finish at once left buffered. Called only after
     * {@link #isReady()} returned true.
     *
     * @throws IOException when the connection is gone
     */
    void flush() throws IOException;

    /** Closes the connection now; bytes already written are sent first where the container can. */
    void close();
}
