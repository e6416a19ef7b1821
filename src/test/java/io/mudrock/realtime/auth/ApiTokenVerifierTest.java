package io.mudrock.realtime.auth;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;

import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;

class ApiTokenVerifierTest {

    private static final long NOW = 1_700_000_000L;
    private static final Clock CLOCK = Clock.fixed(Instant.ofEpochSecond(NOW), ZoneOffset.UTC);
    private static final String CURRENT = "api-secret-current";
    private static final String NEXT = "api-secret-next";

    private final ApiTokenVerifier verifier = new ApiTokenVerifier(Arrays.asList(CURRENT, NEXT, null, " "),
            Set.of("blocked-token"), CLOCK);

    private ApiTokenVerifier.Result check(String header) {
        return verifier.verifyAuthorizationHeader(header);
    }

    @Test
    void acceptsAnHmacTokenWithoutRoleIssuerOrSubject() {
        assertEquals(ApiTokenVerifier.Result.ACCEPTED,
                check("Bearer " + new TokenSigner(CURRENT).sign(Map.of("iat", NOW))));
        assertEquals(ApiTokenVerifier.Result.ACCEPTED,
                check("Bearer " + new TokenSigner(CURRENT, "HS512").sign(Map.of())));
    }

    @Test
    void acceptsTheNextSecretDuringRotation() {
        assertEquals(ApiTokenVerifier.Result.ACCEPTED,
                check("Bearer " + new TokenSigner(NEXT).sign(Map.of("exp", NOW + 60))));
    }

    @Test
    void rejectsWithAReason() {
        assertEquals("Failed to validate JWT signature with API_JWT_SECRET or API_JWT_SECRET_NEXT",
                check("Bearer " + new TokenSigner("wrong").sign(Map.of())).reason());
        assertEquals("Token has expired 5 seconds ago",
                check("Bearer " + new TokenSigner(NEXT).sign(Map.of("exp", NOW - 5))).reason());
        assertEquals("Token issued at time (iat) must be a number",
                check("Bearer " + new TokenSigner(CURRENT).sign(Map.of("iat", "yesterday"))).reason());
        assertEquals("The token provided is not a valid JWT", check("Bearer nonsense").reason());
        assertEquals("the token is listed in API_TOKEN_BLOCKLIST", check("Bearer blocked-token").reason());
        for (String header : new String[] {null, "", "Basic abc", "bearer " + new TokenSigner(CURRENT).sign(Map.of())}) {
            ApiTokenVerifier.Result r = check(header);
            assertFalse(r.accepted());
            assertEquals("no Authorization: Bearer <token> header", r.reason());
        }
    }

    @Test
    void rejectsEverythingWithoutASecret() {
        ApiTokenVerifier none = new ApiTokenVerifier(List.of(), Set.of(), CLOCK);
        assertEquals("API_JWT_SECRET is not set",
                none.verifyAuthorizationHeader("Bearer " + new TokenSigner(CURRENT).sign(Map.of())).reason());
        ApiTokenVerifier one = new ApiTokenVerifier(List.of(CURRENT), Set.of(), CLOCK);
        assertEquals("Failed to validate JWT signature with API_JWT_SECRET",
                one.verifyAuthorizationHeader("Bearer " + new TokenSigner(NEXT).sign(Map.of())).reason());
    }
}
