package io.mudrock.realtime.socket;

import io.mudrock.realtime.metrics.TenantMetrics;
import io.mudrock.realtime.wire.CloseStatus;

/** Why a socket closed, as the {@code code} and {@code cause} labels of {@code realtime_socket_closes_total}. */
final class CloseCauses {

    private CloseCauses() {
    }

    /**
     * Counts one closed socket.
     *
     * @param metrics its tenant's metrics
     * @param ours the close we asked for, or null
     * @param ended the close frame that ended it (the client's, else ours), or 1006
     */
    static void count(TenantMetrics metrics, CloseStatus ours, CloseStatus ended) {
        // Our echo of the client's close frame (same code, no reason) is the client's close.
        boolean echo = ours != null && ours.reason().isEmpty() && ours.code() == ended.code();
        CloseStatus initiated = echo ? null : ours;
        metrics.socketClosed(initiated != null ? initiated.code() : ended.code(), of(initiated));
    }

    /**
     * @param ours the close we initiated, or null when the client (or the network) ended it
     * @return {@code client}, {@code idle}, {@code stall}, {@code overflow}, {@code drain} or {@code server}
     */
    static String of(CloseStatus ours) {
        if (ours == null) {
            return "client";
        }
        if (ours.reason().startsWith(ConnectionRegistry.IDLE_REASON_PREFIX)) {
            return "idle";
        }
        if (ConnectionRegistry.STALL_REASON.equals(ours.reason())) {
            return "stall";
        }
        if (ours.code() == Connection.CLOSE_TRY_AGAIN_LATER) {
            return "overflow";
        }
        return ours.code() == ConnectionRegistry.CLOSE_SERVICE_RESTART ? "drain" : "server";
    }
}
