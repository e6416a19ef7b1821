package io.mudrock.realtime.auth;

import java.time.Clock;
import java.util.List;
import java.util.Objects;
import java.util.Set;

/**
 * Checks the {@code Authorization: Bearer <jwt>} of the tenant admin API as upstream's router does:
 * the token is URI-decoded and stripped of whitespace, refused when it is one of the whole tokens
 * listed in {@code API_TOKEN_BLOCKLIST} (even with a valid signature), then accepted when it is
 * HS256/384/512 signed with {@code API_JWT_SECRET} or, during a rotation, {@code API_JWT_SECRET_NEXT}
 * (either one, so tokens of the old and the new secret both work until the old one is dropped), with
 * {@code exp} (if present) in the future and {@code iat} (if present) numeric. No issuer, subject or
 * role is required, since upstream accepts such tokens.
 *
 * <p>One rule upstream lacks: when the secret that verified the token is also a tenant's JWT secret
 * (the caller passes which secrets are shared), the token may be any client's key of that tenant, so
 * it is refused ({@link Result#forbidden()}) if it carries a {@code role} claim other than
 * {@code service_role} or {@code supabase_admin}. Tokens without a role stay accepted: upstream-shaped
 * admin tokens have none, while the keys a tenant's auth service issues (anon, user sessions) always
 * carry one. Upstream answers every failure with a bare 403; the reason here is for the answer and logs.
 */
public final class ApiTokenVerifier {

    private static final String BEARER = "Bearer ";
    /** Roles a shared-secret token may carry and still be an admin token: only server-side keys. */
    private static final Set<String> ADMIN_ROLES = Set.of("service_role", "supabase_admin");

    private final List<String> secrets;
    private final Set<String> blocklist;
    private final JwtVerifier verifier;

    /**
     * @param secrets   {@code API_JWT_SECRET} then {@code API_JWT_SECRET_NEXT}; nulls and blanks are ignored
     * @param blocklist {@code API_TOKEN_BLOCKLIST}
     * @param clock     the time {@code exp} is compared with
     */
    public ApiTokenVerifier(List<String> secrets, Set<String> blocklist, Clock clock) {
        this.secrets = secrets.stream().filter(s -> s != null && !s.isBlank()).toList();
        this.blocklist = Set.copyOf(blocklist);
        this.verifier = new JwtVerifier(Objects.requireNonNull(clock, "clock"));
    }

    /** Checks an {@code Authorization} header value (null when the header is absent), no secret shared. */
    public Result verifyAuthorizationHeader(String authorization) {
        return verifyAuthorizationHeader(authorization, Set.of());
    }

    /**
     * Checks an {@code Authorization} header value.
     *
     * @param authorization the header value, null when absent
     * @param sharedSecrets those of the configured secrets that are also some tenant's JWT secret
     * @return the verdict
     */
    public Result verifyAuthorizationHeader(String authorization, Set<String> sharedSecrets) {
        if (authorization == null || !authorization.startsWith(BEARER)) {
            return Result.rejected("no Authorization: Bearer <token> header");
        }
        String token = JwtVerifier.clean(authorization.substring(BEARER.length()));
        if (blocklist.contains(token)) {
            return Result.rejected("the token is listed in API_TOKEN_BLOCKLIST");
        }
        if (secrets.isEmpty()) {
            return Result.rejected("API_JWT_SECRET is not set");
        }
        TokenRejection reason = null;
        for (int i = 0; i < secrets.size(); i++) {
            String secret = secrets.get(i);
            TokenVerification result = verifier.verify(token, secret, null);
            if (result instanceof VerifiedClaims claims) {
                return sharedSecrets.contains(secret) ? judgeSharedSecretToken(claims, secretName(i)) : Result.ACCEPTED;
            }
            TokenRejection rejection = (TokenRejection) result;
            // a failure past the signature (expired, bad iat) says more than another secret's mismatch
            if (reason == null || rejection.kind() != TokenRejection.Kind.SIGNATURE_INVALID) {
                reason = rejection;
            }
        }
        return Result.rejected(reason.message()
                + (reason.kind() == TokenRejection.Kind.SIGNATURE_INVALID
                        ? " with API_JWT_SECRET" + (secrets.size() > 1 ? " or API_JWT_SECRET_NEXT" : "") : ""));
    }

    private static Result judgeSharedSecretToken(VerifiedClaims claims, String secretName) {
        if (!claims.claims().containsKey("role") || (claims.role() != null && ADMIN_ROLES.contains(claims.role()))) {
            return Result.ACCEPTED;
        }
        Object role = claims.claims().get("role");
        return Result.forbidden("This token has role " + (role instanceof String text ? "'" + text + "'" : String.valueOf(role))
                + " and is signed with " + secretName + ", which is also a tenant's JWT secret, so it may be any"
                + " client's key (the anon key, a user's session). While the secrets are shared the admin API accepts"
                + " only tokens without a role or with role service_role or supabase_admin. Fix: set " + secretName
                + " to its own random secret (not JWT_SECRET or a tenant's jwt_secret) and sign admin tokens with it.");
    }

    private static String secretName(int index) {
        return index == 0 ? "API_JWT_SECRET" : "API_JWT_SECRET_NEXT";
    }

    /**
     * The verdict.
     *
     * @param accepted  whether the request may proceed
     * @param forbidden refused for its role under a shared secret (403) rather than unauthenticated (401)
     * @param reason    why not, or null when accepted
     */
    public record Result(boolean accepted, boolean forbidden, String reason) {

        /** The one accepted result. */
        public static final Result ACCEPTED = new Result(true, false, null);

        static Result rejected(String reason) {
            return new Result(false, false, reason);
        }

        static Result forbidden(String reason) {
            return new Result(false, true, reason);
        }
    }
}
