package io.mudrock.realtime.admin;

import io.mudrock.realtime.auth.ApiTokenVerifier;
import io.mudrock.realtime.config.RealtimeConfig;
import jakarta.annotation.Priority;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import jakarta.ws.rs.Priorities;
import jakarta.ws.rs.container.ContainerRequestContext;
import jakarta.ws.rs.container.ContainerRequestFilter;
import jakarta.ws.rs.core.HttpHeaders;
import jakarta.ws.rs.ext.Provider;

import java.time.Clock;
import java.util.Set;
import java.util.logging.Logger;

/**
 * Admits admin requests whose Bearer token is an HS256/384/512 JWT signed with
 * {@code API_JWT_SECRET} or {@code API_JWT_SECRET_NEXT} and not listed in {@code API_TOKEN_BLOCKLIST},
 * checking only what upstream checks (signature, {@code exp} when present, numeric {@code iat}):
 * upstream's admin tokens carry no issuer, subject or role, which MicroProfile JWT would insist on.
 * While an admin secret is also a tenant's JWT secret ({@link ApiSecretSharing}), tokens with a client
 * role are answered 403 with the reason and the fix; other failures are 401.
 */
@Provider
@AdminAuthenticated
@Priority(Priorities.AUTHENTICATION)
@ApplicationScoped
public class AdminTokenFilter implements ContainerRequestFilter {

    private static final Logger LOG = Logger.getLogger(AdminTokenFilter.class.getName());

    @Inject
    RealtimeConfig config;
    @Inject
    ApiSecretSharing sharing;

    private volatile ApiTokenVerifier verifier;

    @Override
    public void filter(ContainerRequestContext request) {
        ApiTokenVerifier.Result result = verifier().verifyAuthorizationHeader(
                request.getHeaderString(HttpHeaders.AUTHORIZATION), sharing.sharedSecrets());
        if (!result.accepted()) {
            LOG.info(() -> "Admin request refused: " + request.getMethod() + " /" + request.getUriInfo().getPath()
                    + ": " + result.reason());
            request.abortWith(result.forbidden() ? ApiErrors.forbidden(result.reason()) : ApiErrors.unauthorized(result.reason()));
        }
    }

    private ApiTokenVerifier verifier() {
        ApiTokenVerifier current = verifier;
        if (current == null) {
            current = new ApiTokenVerifier(config.apiJwtSecrets(), Set.copyOf(config.apiTokenBlocklist()), Clock.systemUTC());
            verifier = current;
        }
        return current;
    }
}
