package io.mudrock.realtime.config;

import java.util.Locale;
import java.util.Optional;
import java.util.stream.Collectors;
import java.util.stream.Stream;

/**
 * {@code WEBSOCKET_TRANSPORT}: which implementation carries the realtime sockets. Both speak the
 * same protocol to the same connection layer; only the socket package's wiring reads this.
 */
public enum WebSocketTransport {

    /** The platform's Jakarta WebSocket 2.1 server container (the default). */
    JAKARTA("jakarta"),
    /** Our own RFC 6455 implementation on the Servlet 6.0 upgrade API, for high fan-out. */
    SERVLET_UPGRADE("servlet-upgrade");

    private final String value;

    WebSocketTransport(String value) {
        this.value = value;
    }

    /** @return the variable's value for this transport */
    public String value() {
        return value;
    }

    /**
     * @param value a variable's value, case-insensitive
     * @return the transport it names, if any
     */
    public static Optional<WebSocketTransport> fromValue(String value) {
        String wanted = value.trim().toLowerCase(Locale.ROOT);
        return Stream.of(values()).filter(t -> t.value.equals(wanted)).findFirst();
    }

    /** @return the accepted values, for an error message */
    static String choices() {
        return Stream.of(values()).map(t -> "'" + t.value + "'").collect(Collectors.joining(" or "));
    }
}
