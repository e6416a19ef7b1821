package io.mudrock.realtime.socket;

import io.mudrock.realtime.auth.JwtVerifier;
import io.mudrock.realtime.auth.TokenRejection;
import io.mudrock.realtime.auth.TokenVerification;
import io.mudrock.realtime.auth.VerifiedClaims;
import io.mudrock.realtime.channel.ClientClaims;
import io.mudrock.realtime.channel.TokenVerdict;
import io.mudrock.realtime.channel.TokenVerifier;
import io.mudrock.realtime.tenant.Tenant;
import io.mudrock.realtime.tenant.TenantDirectory;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import java.time.Clock;
import java.util.Optional;

/**
 * Client token verification for the channel layer: the tenant's secret and JWKS through
 * {@link JwtVerifier}, requiring {@code role} and {@code exp}, with upstream's texts for each place
 * a token is refused.
 */
@ApplicationScoped
public class TenantTokenVerifier implements TokenVerifier {

    private static final String TENANT_GONE = "Tenant not found";

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
        TokenVerification verification = verifier.verifyWithRoleAndExp(token, tenant.get());
        if (verification instanceof TokenRejection rejection) {
            return new TokenVerdict.Refused(rejection.connectMessage(), rejection.joinReason(),
                    rejection.systemMessage());
        }
        VerifiedClaims claims = (VerifiedClaims) verification;
        return new TokenVerdict.Accepted(new ClientClaims(token, claims.role(), claims.exp(), claims.sub(),
                claims.claimsJson()));
    }
}
