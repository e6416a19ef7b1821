package io.mudrock.realtime.stream;

import io.mudrock.realtime.channel.ClientClaims;
import java.util.Objects;

/**
 * Subscribers that see the same rows: same Postgres role, same JWT claims. Row level security is
 * checked once per group, not once per subscriber. Equal by value.
 *
 * @param role       the role RLS runs as
 * @param claimsJson {@code request.jwt.claims}
 * @param subject    the {@code sub} claim ({@code request.jwt.claim.sub}), or null
 */
record ClaimsGroup(String role, String claimsJson, String subject) {

    ClaimsGroup {
        Objects.requireNonNull(role, "role");
        Objects.requireNonNull(claimsJson, "claimsJson");
    }

    static ClaimsGroup of(ClientClaims claims) {
        return new ClaimsGroup(claims.role(), claims.claimsJson(), claims.subject());
    }

    @Override
    public String toString() {
        // Claims can be personal data: logs name the role and subject only.
        return "role " + role + (subject == null ? "" : " sub " + subject);
    }
}
