package io.mudrock.realtime.auth;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;

/**
 * Mints HS256/384/512 tokens: the anon and service_role keys the server prints at start-up, and tokens
 * for tests. Any secret length is accepted, as verification accepts it.
 */
public final class TokenSigner {

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final Base64.Encoder BASE64URL = Base64.getUrlEncoder().withoutPadding();

    private final byte[] secret;
    private final String alg;
    private final String jcaName;

    /** An HS256 signer. */
    public TokenSigner(String secret) {
        this(secret, "HS256");
    }

    /**
     * @param secret the shared secret (raw UTF-8 bytes, not empty)
     * @param alg    {@code HS256}, {@code HS384} or {@code HS512}
     */
    public TokenSigner(String secret, String alg) {
        this.secret = Objects.requireNonNull(secret, "secret").getBytes(StandardCharsets.UTF_8);
        if (this.secret.length == 0) {
            throw new IllegalArgumentException("the secret must not be empty");
        }
        this.jcaName = Hmac.jcaName(alg);
        if (jcaName == null) {
            throw new IllegalArgumentException("not an HMAC algorithm: " + alg);
        }
        this.alg = alg;
    }

    /** A token with the claims {@code role}, {@code iat} and {@code exp}. */
    public String sign(String role, Instant issuedAt, Instant expiresAt) {
        Map<String, Object> claims = new LinkedHashMap<>();
        claims.put("role", Objects.requireNonNull(role, "role"));
        claims.put("iat", issuedAt.getEpochSecond());
        claims.put("exp", expiresAt.getEpochSecond());
        return sign(claims);
    }

    /** A token with exactly these claims (add {@code sub}, {@code iss}, ... as needed). */
    public String sign(Map<String, Object> claims) {
        try {
            Map<String, Object> headerFields = new LinkedHashMap<>(); // stable key order, stable tokens
            headerFields.put("alg", alg);
            headerFields.put("typ", "JWT");
            String header = BASE64URL.encodeToString(JSON.writeValueAsBytes(headerFields));
            String payload = BASE64URL.encodeToString(JSON.writeValueAsBytes(claims));
            String input = header + "." + payload;
            byte[] mac = Hmac.compute(jcaName, secret, input.getBytes(StandardCharsets.US_ASCII));
            return input + "." + BASE64URL.encodeToString(mac);
        } catch (JsonProcessingException e) {
            throw new IllegalArgumentException("claims must be serialisable as JSON", e);
        }
    }

    /** Never prints the secret. */
    @Override
    public String toString() {
        return "TokenSigner[" + alg + "]";
    }
}
