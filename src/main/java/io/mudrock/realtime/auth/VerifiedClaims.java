package io.mudrock.realtime.auth;

import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * The claims of a token whose signature and time claims checked out. {@code exp} and {@code iat} are
 * rounded to whole seconds, as upstream does.
 *
 * @param role       the {@code role} claim when it is a string (the Postgres role for RLS), else null
 * @param sub        the {@code sub} claim when it is a string, else null
 * @param exp        the {@code exp} claim in epoch seconds, or null when absent
 * @param claimsJson all claims as a JSON object, ready for {@code set_config('request.jwt.claims', ...)}
 * @param claims     all claims as parsed (unmodifiable)
 */
public record VerifiedClaims(String role, String sub, Long exp, String claimsJson, Map<String, Object> claims)
        implements TokenVerification {

    public VerifiedClaims {
        claims = Collections.unmodifiableMap(new LinkedHashMap<>(claims));
    }
}
