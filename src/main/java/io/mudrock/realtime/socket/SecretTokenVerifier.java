package io.mudrock.realtime.socket;

import com.nimbusds.jose.JOSEException;
import com.nimbusds.jose.JWSAlgorithm;
import com.nimbusds.jose.crypto.MACVerifier;
import com.nimbusds.jwt.JWTClaimsSet;
import com.nimbusds.jwt.SignedJWT;
import io.mudrock.realtime.channel.ClientClaims;
import io.mudrock.realtime.channel.TokenVerdict;
import io.mudrock.realtime.channel.TokenVerifier;
import io.mudrock.realtime.config.RealtimeConfig;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import java.nio.charset.StandardCharsets;
import java.text.ParseException;
import java.util.Set;

/**
 * Stopgap until the auth package is merged: verifies HS256/384/512 tokens with the self-host
 * tenant's {@code JWT_SECRET}, with upstream's messages.
 */
@ApplicationScoped
public class SecretTokenVerifier implements TokenVerifier {

    private static final Set<JWSAlgorithm> HMAC = Set.of(JWSAlgorithm.HS256, JWSAlgorithm.HS384, JWSAlgorithm.HS512);
    private static final String NOT_A_JWT = "The token provided is not a valid JWT";
    private static final String BAD_SIGNATURE = "Failed to validate JWT signature";
    private static final String NO_SIGNER = "Failed to generate JWT signer, check your JWT secret or JWKS configuration";
    private static final String FIELDS_REQUIRED = "Fields `role` and `exp` are required in JWT";

    @Inject
    RealtimeConfig config;

    @Override
    public TokenVerdict verify(String tenantId, String rawToken) {
        if (rawToken == null || rawToken.isBlank()) {
            return new TokenVerdict.Refused("API key is missing", "MalformedJWT: " + NOT_A_JWT, NOT_A_JWT);
        }
        String token = rawToken.replaceAll("\\s", "");
        SignedJWT jwt;
        JWTClaimsSet claims;
        try {
            jwt = SignedJWT.parse(token);
            claims = jwt.getJWTClaimsSet();
        } catch (ParseException e) {
            return new TokenVerdict.Refused(NOT_A_JWT, "MalformedJWT: " + NOT_A_JWT, NOT_A_JWT);
        }
        if (!HMAC.contains(jwt.getHeader().getAlgorithm()) || config.tenantJwtSecret().isEmpty()) {
            return new TokenVerdict.Refused(NO_SIGNER, "JwtSignerError: " + NO_SIGNER, NO_SIGNER);
        }
        try {
            if (!jwt.verify(new MACVerifier(config.tenantJwtSecret().get().getBytes(StandardCharsets.UTF_8)))) {
                return new TokenVerdict.Refused(BAD_SIGNATURE, "JwtSignatureError: " + BAD_SIGNATURE, BAD_SIGNATURE);
            }
        } catch (JOSEException e) {
            return new TokenVerdict.Refused(NO_SIGNER, "JwtSignerError: " + NO_SIGNER, NO_SIGNER);
        }
        Object exp = claims.getClaim("exp");
        Object role = claims.getClaim("role");
        long now = System.currentTimeMillis() / 1000;
        if (claims.getExpirationTime() != null && claims.getExpirationTime().getTime() / 1000 <= now) {
            long ago = now - claims.getExpirationTime().getTime() / 1000;
            String message = "Token has expired " + ago + " seconds ago";
            return new TokenVerdict.Refused("Token has expired", "InvalidJWTToken: " + message, message);
        }
        if (exp == null || !(role instanceof String roleName)) {
            return new TokenVerdict.Refused(FIELDS_REQUIRED, "InvalidJWTToken: " + FIELDS_REQUIRED, FIELDS_REQUIRED);
        }
        return new TokenVerdict.Accepted(new ClientClaims(token, roleName, claims.getExpirationTime().getTime() / 1000,
                claims.getSubject(), jwt.getPayload().toString()));
    }
}
