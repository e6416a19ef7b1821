package io.mudrock.realtime.socket;

import java.io.IOException;

/**
 * The byte side of a socket's output as {@link Connection} drives it, with the non-blocking
 * servlet rules: write only after {@link #isReady()} said true; once it says false,
 * {@link Connection#outputReady()} is called when writing is possible again. The upgraded
 * connection implements it; tests fake it.
 */
interface SocketOutput {

    /**
     * @return whether one write may be made now; false promises a later {@link Connection#outputReady()}
     */
    boolean isReady();

    /**
     * Writes and flushes encoded frames. Called only after {@link #isReady()} returned true, by one
     * thread at a time.
     *
     * @param frames whole frames, header and payload
     * @throws IOException when the connection is gone
     */
    void write(byte[] frames) throws IOException;

    /** Closes the connection now; bytes already written are sent first where the container can. */
    void close();
}
