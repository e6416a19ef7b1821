package io.mudrock.realtime.auth;

import java.time.Clock;
import java.util.Objects;
import java.util.Optional;

/**
 * Checks the {@code Authorization: Bearer <jwt>} of a {@code /metrics} scrape as upstream's router
 * does: an HS256/384/512 JWT signed with {@code METRICS_JWT_SECRET}, {@code exp} (if present) in the
 * future, {@code iat} (if present) numeric; no claim is required. Upstream answers every failure with
 * a bare 403; here a missing header is 401 (so Prometheus shows "unauthorized") and a bad token 403.
 */
public final class MetricsTokenVerifier {

    private static final String BEARER = "Bearer ";

    private final Optional<String> secret;
    private final JwtVerifier verifier;

    /**
     * @param secret {@code METRICS_JWT_SECRET}; empty refuses every scrape
     * @param clock  the time {@code exp} is compared with
     */
    public MetricsTokenVerifier(Optional<String> secret, Clock clock) {
        this.secret = secret.filter(s -> !s.isBlank());
        this.verifier = new JwtVerifier(Objects.requireNonNull(clock, "clock"));
    }

    /**
     * Checks an {@code Authorization} header value.
     *
     * @param authorization the header value, null when absent
     * @return the HTTP status to answer (200 = admitted, 401, 403) and why not
     */
    public Verdict verify(String authorization) {
        if (authorization == null || !authorization.startsWith(BEARER)) {
            return new Verdict(401, "no Authorization: Bearer <token> header");
        }
        if (secret.isEmpty()) {
            return new Verdict(403, "METRICS_JWT_SECRET is not set: every scrape is refused");
        }
        TokenVerification result = verifier.verify(JwtVerifier.clean(authorization.substring(BEARER.length())),
                secret.get(), null);
        if (result instanceof TokenRejection rejection) {
            return new Verdict(403, rejection.message()
                    + (rejection.kind() == TokenRejection.Kind.SIGNATURE_INVALID ? " with METRICS_JWT_SECRET" : ""));
        }
        return Verdict.ADMITTED;
    }

    /**
     * The answer to a scrape.
     *
     * @param status 200 when admitted, else 401 or 403
     * @param reason why not, or null
     */
    public record Verdict(int status, String reason) {

        /** The one admitted verdict. */
        public static final Verdict ADMITTED = new Verdict(200, null);

        /** @return whether the scrape may proceed */
        public boolean admitted() {
            return status == 200;
        }
    }
}
