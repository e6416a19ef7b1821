package io.mudrock.realtime.socket;

import io.mudrock.realtime.auth.JwtVerifier;
import io.mudrock.realtime.auth.TokenRejection;
import io.mudrock.realtime.auth.TokenVerification;
import io.mudrock.realtime.auth.VerifiedClaims;
import io.mudrock.realtime.channel.ClientClaims;
import io.mudrock.realtime.channel.TokenVerdict;
import io.mudrock.realtime.channel.TokenVerifier;
import io.mudrock.realtime.protocol.JsonText;
import io.mudrock.realtime.tenant.ApiKey;
import io.mudrock.realtime.tenant.ApiKeyKind;
import io.mudrock.realtime.tenant.Tenant;
import io.mudrock.realtime.tenant.TenantDirectory;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import java.time.Clock;
import java.util.Optional;

/**
 * Client token verification for the channel layer: the tenant's secret and JWKS through
 * {@link JwtVerifier}, requiring {@code role} and {@code exp}, with upstream's texts for each place
 * a token is refused; and the tenant's opaque API keys ({@code sb_publishable_...},
 * {@code sb_secret_...}), which give the claims a gateway would put in a JWT for them.
 *
 * <p>An opaque key's claims are {@code iss}, {@code ref} (the tenant), {@code role} ({@code anon} or
 * {@code service_role}), {@code iat} (when the key was registered) and {@code exp} ten years later:
 * a key does not expire, it is revoked, and revoking one drains the tenant's sockets. The claims
 * are the same for every connection with the key, so RLS checks of its clients are shared.
 */
@ApplicationScoped
public class TenantTokenVerifier implements TokenVerifier {

    private static final String TENANT_GONE = "Tenant not found";
    private static final String KEY_ISSUER = "mudrock-realtime";
    private static final long KEY_CLAIMS_LIFETIME_SECONDS = 3650L * 24 * 3600;
    private static final String UNKNOWN_KEY = "Unknown API key: no such key is registered for this tenant";
    private static final String UNSUPPORTED_KEY =
            "Unsupported API key: only sb_publishable_ and sb_secret_ keys, or a JWT, are accepted";

    private final JwtVerifier verifier = new JwtVerifier(Clock.systemUTC());

    @Inject
    TenantDirectory directory;

    @Override
    public TokenVerdict verify(String tenantId, String token) {
        Optional<Tenant> tenant = directory.find(tenantId);
        if (tenant.isEmpty()) {
            return new TokenVerdict.Refused(TENANT_GONE, "TenantNotFound: Tenant with the given ID does not exist",
                    TENANT_GONE);
        }
        if (token != null && token.startsWith(ApiKeyKind.KEY_PREFIX)) {
            return verifyApiKey(tenantId, token.strip());
        }
        return verdictOf(token, verifier.verifyWithRoleAndExp(token, tenant.get()));
    }

    /**
     * What the channel layer is told of a verified or rejected token.
     *
     * @param token the token as the client sent it
     * @param verification what {@code JwtVerifier} said of it
     * @return the verdict
     */
    public static TokenVerdict verdictOf(String token, TokenVerification verification) {
        if (verification instanceof TokenRejection rejection) {
            return new TokenVerdict.Refused(rejection.connectMessage(), rejection.joinReason(),
                    rejection.systemMessage());
        }
        VerifiedClaims claims = (VerifiedClaims) verification;
        return new TokenVerdict.Accepted(new ClientClaims(token, claims.role(), claims.exp(), claims.sub(),
                claims.claimsJson()));
    }

    private TokenVerdict verifyApiKey(String tenantId, String key) {
        if (ApiKeyKind.ofKey(key).isEmpty()) {
            return new TokenVerdict.Refused(UNSUPPORTED_KEY, "InvalidAPIKey: " + UNSUPPORTED_KEY, UNSUPPORTED_KEY);
        }
        Optional<ApiKey> found = directory.findApiKey(tenantId, key);
        if (found.isEmpty()) {
            return new TokenVerdict.Refused(UNKNOWN_KEY, "InvalidAPIKey: " + UNKNOWN_KEY, UNKNOWN_KEY);
        }
        ApiKey apiKey = found.get();
        long issuedAt = apiKey.insertedAt().getEpochSecond();
        long expiresAt = issuedAt + KEY_CLAIMS_LIFETIME_SECONDS;
        String role = apiKey.kind().role();
        String claims = "{\"iss\":" + JsonText.quote(KEY_ISSUER) + ",\"ref\":" + JsonText.quote(tenantId)
                + ",\"role\":" + JsonText.quote(role) + ",\"iat\":" + issuedAt + ",\"exp\":" + expiresAt + "}";
        return new TokenVerdict.Accepted(new ClientClaims(key, role, expiresAt, null, claims));
    }
}
