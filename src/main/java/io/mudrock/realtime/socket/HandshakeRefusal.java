package io.mudrock.realtime.socket;

/**
 * Why a handshake was refused: the HTTP status and message of the {@code {"error": ...}} answer,
 * and the close code a refusal carried over an upgraded socket ends with.
 *
 * @param status the HTTP status (401, 403, 404, 429)
 * @param message the message, the same text in the HTTP body, the join error reply and the close reason
 */
record HandshakeRefusal(int status, String message) {

    /** Refusals over the socket close with 4000 + the HTTP status: 4401, 4403, 4404, 4429. */
    private static final int CLOSE_CODE_BASE = 4000;

    /** @return the close code of this refusal over an upgraded socket */
    int closeCode() {
        return CLOSE_CODE_BASE + status;
    }
}
