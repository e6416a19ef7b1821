package io.mudrock.realtime.auth;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.mudrock.realtime.changes.filter.ElixirInspect;
import java.util.Map;

/**
 * Why a token was refused, rendered the three ways upstream shows it.
 *
 * <table>
 *   <caption>Renderings</caption>
 *   <tr><th>kind</th><th>{@link #connectBody()} (HTTP 401)</th><th>{@link #joinReason()}</th>
 *       <th>{@link #systemMessage()}</th></tr>
 *   <tr><td>EXPIRED</td><td>Token has expired</td><td>InvalidJWTToken: Token has expired N seconds ago</td>
 *       <td>Token has expired N seconds ago</td></tr>
 *   <tr><td>others</td><td>message</td><td>code: message</td><td>message</td></tr>
 * </table>
 *
 * <p>Deliberate differences from upstream, which has no readable text for these: a non-numeric
 * {@code iat} or {@code exp} is a 401 with a message instead of a 500 {@code Error connecting to
 * Realtime} / {@code Unknown Error on Channel}; and the {@code system} message for signature and signer
 * failures is the readable message rather than an Elixir term such as {@code :signature_error}.
 *
 * @param kind    what went wrong
 * @param message the plain message (the {@code system} text)
 */
public record TokenRejection(Kind kind, String message) implements TokenVerification {

    private static final ObjectMapper JSON = new ObjectMapper();

    /** What went wrong, with the code upstream prefixes join errors with. */
    public enum Kind {
        /** No token at all ({@code apikey} / {@code x-api-key} missing). */
        MISSING_TOKEN("MissingAPIKey"),
        /** Not three Base64URL parts of JSON objects. */
        MALFORMED("MalformedJWT"),
        /** The signature does not match the key. */
        SIGNATURE_INVALID("JwtSignatureError"),
        /** No key for the header's {@code alg} / {@code kid}. */
        SIGNER_UNAVAILABLE("JwtSignerError"),
        /** {@code exp} is not in the future. */
        EXPIRED("InvalidJWTToken"),
        /** {@code role} or {@code exp} is missing. */
        MISSING_CLAIMS("InvalidJWTToken"),
        /** {@code exp} is not a number, or rounds to now. */
        EXPIRATION_INVALID("InvalidJWTToken"),
        /** {@code iat} is present but not a number. */
        ISSUED_AT_INVALID("InvalidJWTToken");

        private final String code;

        Kind(String code) {
            this.code = code;
        }

        /** The upstream error code, e.g. {@code InvalidJWTToken}. */
        public String code() {
            return code;
        }
    }

    static TokenRejection missingToken() {
        return new TokenRejection(Kind.MISSING_TOKEN, "API key is missing");
    }

    static TokenRejection malformed() {
        return new TokenRejection(Kind.MALFORMED, "The token provided is not a valid JWT");
    }

    static TokenRejection signatureInvalid() {
        return new TokenRejection(Kind.SIGNATURE_INVALID, "Failed to validate JWT signature");
    }

    /** @param kid the header's key id, or null when the failure is not about one key */
    static TokenRejection signerUnavailable(String kid) {
        return new TokenRejection(Kind.SIGNER_UNAVAILABLE, kid == null
                ? "Failed to generate JWT signer, check your JWT secret or JWKS configuration"
                : "Failed to generate JWT signer for key ID (kid) " + ElixirInspect.string(kid)
                        + ", check your JWT secret or JWKS configuration");
    }

    static TokenRejection expired(long secondsAgo) {
        return new TokenRejection(Kind.EXPIRED, "Token has expired " + secondsAgo + " seconds ago");
    }

    static TokenRejection missingClaims() {
        return new TokenRejection(Kind.MISSING_CLAIMS, "Fields `role` and `exp` are required in JWT");
    }

    static TokenRejection expirationInvalid() {
        return new TokenRejection(Kind.EXPIRATION_INVALID, "Token expiration time is invalid");
    }

    static TokenRejection issuedAtInvalid() {
        return new TokenRejection(Kind.ISSUED_AT_INVALID, "Token issued at time (iat) must be a number");
    }

    /** HTTP status of a refused handshake (always 401 for token problems). */
    public int connectStatus() {
        return 401;
    }

    /** The {@code error} text of a refused handshake. */
    public String connectMessage() {
        return kind == Kind.EXPIRED ? "Token has expired" : message;
    }

    /** The JSON body of a refused handshake: {@code {"error":"<connectMessage>"}}. */
    public String connectBody() {
        try {
            return JSON.writeValueAsString(Map.of("error", connectMessage()));
        } catch (JsonProcessingException e) {
            throw new IllegalStateException(e);
        }
    }

    /** The {@code reason} of a join error reply, {@code "<Code>: <message>"}. */
    public String joinReason() {
        return kind.code() + ": " + message;
    }

    /** The {@code message} of a {@code system} error push (followed by {@code phx_close}). */
    public String systemMessage() {
        return message;
    }
}
