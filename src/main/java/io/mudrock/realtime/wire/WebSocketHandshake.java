package io.mudrock.realtime.wire;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.Base64;
import java.util.Locale;

/**
 * The server side of the RFC 6455 opening handshake (section 4.2): which upgrade requests are
 * acceptable, and the {@code Sec-WebSocket-Accept} value that proves we read the key.
 */
public final class WebSocketHandshake {

    /** The only protocol version RFC 6455 defines. */
    public static final String VERSION = "13";
    private static final String GUID = "258EAFA5-E914-47DA-95CA-C5AB0DC85B11";

    /** What to answer an upgrade request. */
    public sealed interface Verdict permits Accept, Refuse {
    }

    /**
     * Switch protocols.
     *
     * @param acceptKey the {@code Sec-WebSocket-Accept} header value
     */
    public record Accept(String acceptKey) implements Verdict {
    }

    /**
     * Answer with an HTTP error instead.
     *
     * @param status the HTTP status (426 asks for version {@link #VERSION})
     * @param message why, for the {@code {"error": ...}} body
     */
    public record Refuse(int status, String message) implements Verdict {
    }

    private WebSocketHandshake() {
    }

    /**
     * Checks the headers of an upgrade request whose {@code Upgrade} header already said websocket.
     *
     * @param connection the {@code Connection} header values, comma-joined, or null
     * @param version the {@code Sec-WebSocket-Version} header, or null
     * @param key the {@code Sec-WebSocket-Key} header, or null
     * @return accept with the key to answer, or the refusal
     */
    public static Verdict check(String connection, String version, String key) {
        if (!hasUpgradeToken(connection)) {
            return new Refuse(400, "A WebSocket upgrade needs 'Connection: Upgrade'");
        }
        if (version == null || !VERSION.equals(version.trim())) {
            return new Refuse(426, "Unsupported WebSocket version: use Sec-WebSocket-Version 13");
        }
        if (!validKey(key)) {
            return new Refuse(400, "Sec-WebSocket-Key must be 16 bytes in base64");
        }
        return new Accept(acceptKey(key.trim()));
    }

    /**
     * @param key the client's {@code Sec-WebSocket-Key}
     * @return base64(SHA-1(key + the RFC's GUID))
     */
    public static String acceptKey(String key) {
        try {
            MessageDigest sha1 = MessageDigest.getInstance("SHA-1");
            return Base64.getEncoder().encodeToString(sha1.digest((key + GUID).getBytes(StandardCharsets.ISO_8859_1)));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("every Java runtime has SHA-1", e);
        }
    }

    static boolean validKey(String key) {
        if (key == null) {
            return false;
        }
        try {
            return Base64.getDecoder().decode(key.trim()).length == 16;
        } catch (IllegalArgumentException e) {
            return false;
        }
    }

    static boolean hasUpgradeToken(String connection) {
        if (connection == null) {
            return false;
        }
        for (String token : connection.split(",")) {
            if (token.trim().toLowerCase(Locale.ROOT).equals("upgrade")) {
                return true;
            }
        }
        return false;
    }
}
