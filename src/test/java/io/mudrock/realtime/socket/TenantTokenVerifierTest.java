package io.mudrock.realtime.socket;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNull;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.mudrock.realtime.auth.TokenSigner;
import io.mudrock.realtime.channel.ClientClaims;
import io.mudrock.realtime.channel.TokenVerdict;
import io.mudrock.realtime.tenant.ApiKey;
import io.mudrock.realtime.tenant.ApiKeyFormat;
import io.mudrock.realtime.tenant.ApiKeyKind;
import io.mudrock.realtime.tenant.Tenant;
import io.mudrock.realtime.tenant.TenantDirectory;
import java.time.Instant;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;
import org.junit.jupiter.api.Test;

/**
 * How connect, join and {@code access_token} see opaque keys. The directory is ours (tenant and
 * key lookups by value); the store behind it is tested on PostgreSQL in {@code ApiKeyStoreTest}.
 */
class TenantTokenVerifierTest {

    private static final String SECRET = "verifier-test-secret-of-at-least-32-characters";
    private static final Instant REGISTERED = Instant.parse("2026-12-01T10:00:00Z");
    private static final ObjectMapper JSON = new ObjectMapper();

    private final String publishable = ApiKeyFormat.generate(ApiKeyKind.PUBLISHABLE);
    private final String secretKey = ApiKeyFormat.generate(ApiKeyKind.SECRET);
    private final TenantTokenVerifier verifier = new TenantTokenVerifier();

    TenantTokenVerifierTest() {
        Map<String, ApiKey> keys = Map.of(
                publishable, new ApiKey(UUID.randomUUID(), "acme", ApiKeyKind.PUBLISHABLE, "web", "sb_publishable_x...", REGISTERED),
                secretKey, new ApiKey(UUID.randomUUID(), "acme", ApiKeyKind.SECRET, "backend", "sb_secret_x...", REGISTERED));
        verifier.directory = new TenantDirectory() {
            @Override
            public Optional<Tenant> find(String externalId) {
                return "acme".equals(externalId) ? Optional.of(new Tenant(null, "acme", "acme", SECRET, null, 200, 100,
                        100_000, 100, 100, 1000, 3000, null, null, false, false, false, "postgres_cdc_rls", 0, "gen_rpc",
                        "{}", null, null, null)) : Optional.empty();
            }

            @Override
            public Optional<ApiKey> findApiKey(String externalId, String key) {
                return Optional.ofNullable(keys.get(key)).filter(k -> k.tenantExternalId().equals(externalId));
            }
        };
    }

    @Test
    void eachKindOfKeyGetsItsRoleInClaimsShapedLikeAJwts() throws Exception {
        for (ApiKeyKind kind : ApiKeyKind.values()) {
            String key = kind == ApiKeyKind.PUBLISHABLE ? publishable : secretKey;
            ClientClaims claims = assertInstanceOf(TokenVerdict.Accepted.class, verifier.verify("acme", key)).claims();
            assertEquals(kind.role(), claims.role());
            assertNull(claims.subject());
            assertEquals(key, claims.token());
            JsonNode json = JSON.readTree(claims.claimsJson());
            assertEquals(kind.role(), json.get("role").asText());
            assertEquals("acme", json.get("ref").asText());
            assertEquals(REGISTERED.getEpochSecond(), json.get("iat").asLong());
            assertEquals(claims.expiresAt(), json.get("exp").asLong());
            assertEquals(REGISTERED.plusSeconds(3650L * 24 * 3600).getEpochSecond(), claims.expiresAt());
        }
    }

    @Test
    void unknownAndUnsupportedKeysAreRefusedReadablyWhereverTheyArrive() {
        String unknown = ApiKeyFormat.generate(ApiKeyKind.SECRET);
        TokenVerdict.Refused refused = assertInstanceOf(TokenVerdict.Refused.class, verifier.verify("acme", unknown));
        assertEquals("Unknown API key: no such key is registered for this tenant", refused.connectMessage());
        assertEquals("InvalidAPIKey: Unknown API key: no such key is registered for this tenant", refused.joinReason());
        assertEquals(refused.connectMessage(), refused.systemMessage());
        TokenVerdict.Refused temp = assertInstanceOf(TokenVerdict.Refused.class, verifier.verify("acme", "sb_temp_abc"));
        assertEquals("Unsupported API key: only sb_publishable_ and sb_secret_ keys, or a JWT, are accepted",
                temp.connectMessage());
        assertInstanceOf(TokenVerdict.Refused.class, verifier.verify("other", publishable), "keys belong to one tenant");
    }

    @Test
    void jwtsAreVerifiedAsBefore() {
        Instant now = Instant.now();
        String jwt = new TokenSigner(SECRET).sign("authenticated", now, now.plusSeconds(60));
        assertEquals("authenticated", assertInstanceOf(TokenVerdict.Accepted.class, verifier.verify("acme", jwt)).claims().role());
        assertEquals("The token provided is not a valid JWT",
                assertInstanceOf(TokenVerdict.Refused.class, verifier.verify("acme", "not-a-jwt")).connectMessage());
    }
}
