package io.mudrock.realtime.socket;

import io.mudrock.realtime.wire.CloseStatus;

/** Why a socket closed, as the {@code cause} label of {@code realtime_socket_closes_total}. */
final class CloseCauses {

    private CloseCauses() {
    }

    /**
     * @param ours the close we asked for, or null when the client (or the network) ended it
     * @return {@code client}, {@code idle}, {@code stall}, {@code overflow}, {@code drain} or {@code server}
     */
    static String of(CloseStatus ours) {
        if (ours == null) {
            return "client";
        }
        if (ConnectionRegistry.IDLE_REASON.equals(ours.reason())) {
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
