package io.mudrock.realtime.it;

import com.nimbusds.jose.JOSEException;
import com.nimbusds.jose.JWSAlgorithm;
import com.nimbusds.jose.JWSHeader;
import com.nimbusds.jose.crypto.MACSigner;
import com.nimbusds.jwt.JWTClaimsSet;
import com.nimbusds.jwt.SignedJWT;
import java.nio.charset.StandardCharsets;
import java.util.Date;
import java.util.Map;

/** Client tokens for the test tenant, signed with {@link TestServer#TENANT_JWT_SECRET}. */
public final class Tokens {

    private Tokens() {
    }

    /** An {@code anon} token valid for an hour. */
    public static String anon() {
        return sign(Map.of("role", "anon"), 3600, TestServer.TENANT_JWT_SECRET);
    }

    /**
     * A token with the given claims and expiry.
     *
     * @param claims claims besides {@code exp} and {@code iat}
     * @param expiresInSeconds seconds from now until {@code exp}; negative for an expired token
     * @param secret the HS256 secret
     */
    public static String sign(Map<String, Object> claims, long expiresInSeconds, String secret) {
        long now = System.currentTimeMillis();
        JWTClaimsSet.Builder builder = new JWTClaimsSet.Builder()
                .issueTime(new Date(now))
                .expirationTime(new Date(now + expiresInSeconds * 1000));
        claims.forEach(builder::claim);
        SignedJWT jwt = new SignedJWT(new JWSHeader(JWSAlgorithm.HS256), builder.build());
        try {
            jwt.sign(new MACSigner(secret.getBytes(StandardCharsets.UTF_8)));
        } catch (JOSEException e) {
            throw new IllegalStateException(e);
        }
        return jwt.serialize();
    }
}
