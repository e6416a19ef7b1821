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
import java.util.List;
import java.util.Set;
import java.util.logging.Logger;

/**
 * Admits admin requests whose Bearer token is an HS256/384/512 JWT signed with
 * {@code API_JWT_SECRET}, checking only what upstream checks (signature, {@code exp} when present,
 * numeric {@code iat}): upstream's admin tokens carry no issuer, subject or role, which
 * MicroProfile JWT would insist on.
 */
@Provider
@AdminAuthenticated
@Priority(Priorities.AUTHENTICATION)
@ApplicationScoped
public class AdminTokenFilter implements ContainerRequestFilter {

    private static final Logger LOG = Logger.getLogger(AdminTokenFilter.class.getName());

    @Inject
    RealtimeConfig config;

    private volatile ApiTokenVerifier verifier;

    @Override
    public void filter(ContainerRequestContext request) {
        ApiTokenVerifier.Result result = verifier().verifyAuthorizationHeader(request.getHeaderString(HttpHeaders.AUTHORIZATION));
        if (!result.accepted()) {
            LOG.info(() -> "Admin request refused: " + request.getMethod() + " /" + request.getUriInfo().getPath()
                    + ": " + result.reason());
            request.abortWith(ApiErrors.unauthorized(result.reason()));
        }
    }

    private ApiTokenVerifier verifier() {
        ApiTokenVerifier current = verifier;
        if (current == null) {
            current = new ApiTokenVerifier(List.of(config.apiJwtSecret().orElseThrow()), Set.of(), Clock.systemUTC());
            verifier = current;
        }
        return current;
    }
}
