package io.mudrock.realtime.tenant;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Optional;
import org.junit.jupiter.api.Test;

class ApiKeyFormatTest {

    @Test
    void generatedKeysHaveTheKindsPrefixAndAreRegistrable() {
        for (ApiKeyKind kind : ApiKeyKind.values()) {
            String key = ApiKeyFormat.generate(kind);
            assertTrue(key.startsWith(kind.prefix()), key);
            assertEquals(Optional.of(kind), ApiKeyKind.ofKey(key));
            assertEquals(Optional.empty(), ApiKeyFormat.problem(kind, key));
            assertNotEquals(key, ApiKeyFormat.generate(kind));
        }
    }

    @Test
    void derivedKeysDependOnTheSecretAndTheKind() {
        String secret = "a-tenant-secret-of-at-least-32-characters";
        assertEquals(ApiKeyFormat.derive(ApiKeyKind.PUBLISHABLE, secret), ApiKeyFormat.derive(ApiKeyKind.PUBLISHABLE, secret));
        assertNotEquals(ApiKeyFormat.derive(ApiKeyKind.PUBLISHABLE, secret), ApiKeyFormat.derive(ApiKeyKind.PUBLISHABLE, secret + "x"));
        assertEquals(ApiKeyFormat.derive(ApiKeyKind.PUBLISHABLE, secret).substring("sb_publishable_".length()).length(), 32);
        assertEquals(Optional.empty(), ApiKeyFormat.problem(ApiKeyKind.SECRET, ApiKeyFormat.derive(ApiKeyKind.SECRET, secret)));
    }

    @Test
    void registrationRefusesWrongPrefixShortKeysAndOddCharacters() {
        assertEquals(Optional.of("must start with sb_secret_"),
                ApiKeyFormat.problem(ApiKeyKind.SECRET, ApiKeyFormat.generate(ApiKeyKind.PUBLISHABLE)));
        assertTrue(ApiKeyFormat.problem(ApiKeyKind.SECRET, "sb_secret_short").orElseThrow().contains("32 to 256"));
        assertTrue(ApiKeyFormat.problem(ApiKeyKind.PUBLISHABLE, "sb_publishable_" + "a".repeat(30) + " x")
                .orElseThrow().contains("only letters"));
        assertEquals(Optional.empty(), ApiKeyFormat.problem(ApiKeyKind.PUBLISHABLE, "sb_publishable_JOUqLZDnfGu_yCa6k6FVDQ_AYwpr72i"));
        assertEquals(Optional.empty(), ApiKeyKind.ofKey("sb_temp_abc"));
        assertEquals(Optional.empty(), ApiKeyKind.ofKey("eyJhbGciOiJIUzI1NiJ9.e30.x"));
    }
}
