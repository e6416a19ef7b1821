package io.mudrock.realtime.auth;

import java.time.Clock;
import java.util.List;
import java.util.Objects;
import java.util.Set;

/**
 * Checks the {@code Authorization: Bearer <jwt>} of the tenant admin API as upstream's router does:
 * HS256/384/512 signed with {@code API_JWT_SECRET} or, during a rotation, {@code API_JWT_SECRET_NEXT};
 * {@code exp} (if present) in the future and {@code iat} (if present) numeric. No issuer, subject or
 * role is required, since upstream accepts such tokens. Tokens listed in {@code API_TOKEN_BLOCKLIST}
 * are refused. Upstream answers every failure with a bare 403; the reason here is for logs.
 */
public final class ApiTokenVerifier {

    private static final String BEARER = "Bearer ";

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

    /** Checks an {@code Authorization} header value (null when the header is absent). */
    public Result verifyAuthorizationHeader(String authorization) {
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
        for (String secret : secrets) {
            TokenVerification result = verifier.verify(token, secret, null);
            if (result instanceof VerifiedClaims) {
                return Result.ACCEPTED;
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

    /**
     * The verdict.
     *
     * @param accepted whether the request may proceed
     * @param reason   why not (for logs), or null when accepted
     */
    public record Result(boolean accepted, String reason) {

        /** The one accepted result. */
        public static final Result ACCEPTED = new Result(true, null);

        static Result rejected(String reason) {
            return new Result(false, reason);
        }
    }
}
