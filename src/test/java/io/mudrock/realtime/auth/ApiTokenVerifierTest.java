package io.mudrock.realtime.auth;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

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

    @Test
    void aBlockedTokenIsRefusedThoughItsSignatureIsValid() {
        String token = new TokenSigner(CURRENT).sign(Map.of("iat", NOW));
        ApiTokenVerifier blocking = new ApiTokenVerifier(List.of(CURRENT), Set.of(token), CLOCK);
        assertEquals("the token is listed in API_TOKEN_BLOCKLIST", blocking.verifyAuthorizationHeader("Bearer " + token).reason());
        assertEquals("the token is listed in API_TOKEN_BLOCKLIST",
                blocking.verifyAuthorizationHeader("Bearer  " + token.replace(".", "%2E") + "\n").reason(),
                "compared after upstream's clean-up (URI-decoded, whitespace dropped)");
        assertEquals(ApiTokenVerifier.Result.ACCEPTED,
                blocking.verifyAuthorizationHeader("Bearer " + new TokenSigner(CURRENT).sign(Map.of("iat", NOW + 1))));
    }

    @Test
    void underASharedSecretOnlyRolelessAndServerSideTokensAreAdminTokens() {
        Set<String> shared = Set.of(CURRENT);
        for (Object role : new Object[] {"anon", "authenticated", "postgres", "", 7}) {
            ApiTokenVerifier.Result refused = verifier.verifyAuthorizationHeader(
                    "Bearer " + new TokenSigner(CURRENT).sign(Map.of("role", role, "exp", NOW + 60)), shared);
            assertFalse(refused.accepted(), "role " + role);
            assertTrue(refused.forbidden(), "role " + role);
            assertTrue(refused.reason().contains("signed with API_JWT_SECRET, which is also a tenant's JWT secret")
                    && refused.reason().contains("Fix: set API_JWT_SECRET to its own random secret"), refused.reason());
        }
        for (String role : new String[] {"service_role", "supabase_admin"}) {
            assertEquals(ApiTokenVerifier.Result.ACCEPTED, verifier.verifyAuthorizationHeader(
                    "Bearer " + new TokenSigner(CURRENT).sign(Map.of("role", role)), shared), role);
        }
        assertEquals(ApiTokenVerifier.Result.ACCEPTED, verifier.verifyAuthorizationHeader(
                "Bearer " + new TokenSigner(CURRENT).sign(Map.of("iat", NOW)), shared), "upstream-shaped: no role");
    }

    @Test
    void theRoleRuleAppliesOnlyToTheSecretThatIsShared() {
        String anonNext = "Bearer " + new TokenSigner(NEXT).sign(Map.of("role", "anon"));
        String anonCurrent = "Bearer " + new TokenSigner(CURRENT).sign(Map.of("role", "anon"));
        assertEquals(ApiTokenVerifier.Result.ACCEPTED, verifier.verifyAuthorizationHeader(anonNext, Set.of(CURRENT)));
        assertEquals(ApiTokenVerifier.Result.ACCEPTED, verifier.verifyAuthorizationHeader(anonCurrent, Set.of()),
                "with separate secrets a role claim proves nothing either way: whoever signed it holds API_JWT_SECRET");
        ApiTokenVerifier.Result refused = verifier.verifyAuthorizationHeader(anonNext, Set.of(NEXT));
        assertTrue(refused.forbidden() && refused.reason().contains("signed with API_JWT_SECRET_NEXT"), refused.reason());
        assertFalse(verifier.verifyAuthorizationHeader("Bearer " + new TokenSigner("other").sign(Map.of("role", "anon")),
                Set.of(CURRENT)).forbidden(), "a bad signature stays a 401");
    }
}
