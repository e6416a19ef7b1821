package io.mudrock.realtime.channel;

import java.util.Objects;

/**
 * The verified claims of a client token, as the channel layer needs them: the Postgres role for
 * RLS, the expiry for the watchdog, and the whole claims object for {@code request.jwt.claims}.
 *
 * @param token the token as received (compared to ignore refreshes with the same value)
 * @param role the {@code role} claim
 * @param expiresAt the {@code exp} claim, seconds since the epoch
 * @param subject the {@code sub} claim, or {@code null}
 * @param claimsJson the claims object as JSON text
 */
public record ClientClaims(String token, String role, long expiresAt, String subject, String claimsJson) {

    /**
     * Requires the fields every verified client token has.
     *
     * @param token the token
     * @param role the role
     * @param expiresAt the expiry
     * @param subject the subject, or {@code null}
     * @param claimsJson the claims JSON
     */
    public ClientClaims {
        Objects.requireNonNull(token, "token");
        Objects.requireNonNull(role, "role");
        Objects.requireNonNull(claimsJson, "claimsJson");
    }

    @Override
    public String toString() {
        // Never print the token itself: it is a credential.
        return "ClientClaims[role=" + role + ", exp=" + expiresAt + ", sub=" + subject + "]";
    }
}
