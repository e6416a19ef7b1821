package io.mudrock.realtime.socket;

/** The {@code reason} label of {@code realtime_handshake_refusals_total}: a fixed name per refusal. */
final class HandshakeRefusals {

    /** The upgrade request itself was wrong (headers, WebSocket version). */
    static final String BAD_HANDSHAKE = "bad_handshake";

    private HandshakeRefusals() {
    }

    /**
     * @param status the HTTP status of the refusal
     * @param message its message
     * @return {@code realtime_disabled}, {@code api_key_missing}, {@code invalid_token},
     *         {@code too_many_users}, {@code too_many_joins} or {@code http_<status>}
     */
    static String reason(int status, String message) {
        return switch (status) {
            case 403 -> "realtime_disabled";
            case 401 -> "API key is missing".equals(message) ? "api_key_missing" : "invalid_token";
            case 429 -> message.contains("users") ? "too_many_users" : "too_many_joins";
            default -> "http_" + status;
        };
    }
}
