package io.mudrock.realtime.tenant;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.UUID;
import javax.sql.DataSource;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

class ApiKeyStoreTest {

    private static final String SECRET = "super-secret-jwt-token-with-at-least-32-characters-long";

    private DataSource dataSource;
    private TenantStore tenants;
    private ApiKeyStore keys;

    @BeforeEach
    void setUp() {
        dataSource = ManagementDatabase.fresh();
        tenants = new TenantStore(dataSource, new SecretCipher("supabaserealtime", null));
        keys = new ApiKeyStore(dataSource);
        tenants.upsert(TenantChanges.builder("acme").jwtSecret(SECRET).build());
        tenants.upsert(TenantChanges.builder("other").jwtSecret(SECRET).build());
    }

    @Test
    void onlyTheHashIsStoredAndTheKeyIsFoundByIt() throws SQLException {
        String key = ApiKeyFormat.generate(ApiKeyKind.SECRET);
        ApiKey stored = keys.register("acme", ApiKeyKind.SECRET, "backend", key);
        assertEquals(ApiKeyKind.SECRET, stored.kind());
        assertEquals(key.substring(0, "sb_secret_".length() + 4) + "...", stored.hint());
        try (Connection c = dataSource.getConnection();
             PreparedStatement ps = c.prepareStatement("SELECT * FROM _realtime.api_keys");
             ResultSet rs = ps.executeQuery()) {
            assertTrue(rs.next());
            for (int i = 1; i <= rs.getMetaData().getColumnCount(); i++) {
                Object value = rs.getObject(i);
                assertFalse(value instanceof String s && s.contains(key.substring(14)),
                        "column " + rs.getMetaData().getColumnName(i) + " holds the key");
            }
            assertArrayEquals(ApiKeyFormat.hash(key), rs.getBytes("key_hash"));
        }
        ApiKeyCache cache = new ApiKeyCache(keys, Duration.ofMinutes(1), Clock.systemUTC());
        assertEquals(stored, cache.find("acme", key).orElseThrow());
        assertTrue(cache.find("other", key).isEmpty(), "a key belongs to one tenant");
        assertTrue(cache.find("acme", key + "x").isEmpty());
        assertTrue(cache.find("acme", "sb_secret_" + "A".repeat(ApiKeyFormat.MAX_LENGTH)).isEmpty());
    }

    @Test
    void aRevokedKeyIsForgottenOnInvalidation() {
        String key = ApiKeyFormat.generate(ApiKeyKind.PUBLISHABLE);
        ApiKey stored = keys.register("acme", ApiKeyKind.PUBLISHABLE, "web", key);
        ApiKeyCache cache = new ApiKeyCache(keys, Duration.ofHours(1), Clock.systemUTC());
        assertTrue(cache.find("acme", key).isPresent());
        assertTrue(keys.revoke("other", stored.id()).isEmpty(), "another tenant cannot revoke it");
        assertEquals(stored, keys.revoke("acme", stored.id()).orElseThrow());
        assertTrue(cache.find("acme", key).isPresent(), "cached until invalidated (the directory does it)");
        cache.invalidate("acme");
        assertTrue(cache.find("acme", key).isEmpty());
        assertTrue(keys.revoke("acme", stored.id()).isEmpty(), "revoked once");
    }

    @Test
    void namesAndKeysAreUnique() {
        String key = ApiKeyFormat.generate(ApiKeyKind.PUBLISHABLE);
        keys.register("acme", ApiKeyKind.PUBLISHABLE, "web", key);
        InvalidTenantException name = assertThrows(InvalidTenantException.class,
                () -> keys.register("acme", ApiKeyKind.PUBLISHABLE, "web", ApiKeyFormat.generate(ApiKeyKind.PUBLISHABLE)));
        assertEquals(List.of("has already been taken"), name.errors().get("name"));
        InvalidTenantException again = assertThrows(InvalidTenantException.class,
                () -> keys.register("other", ApiKeyKind.PUBLISHABLE, "web", key));
        assertEquals(List.of("is already registered"), again.errors().get("api_key"));
        assertEquals(1, keys.list("acme").size());
        assertEquals(0, keys.list("other").size());
    }

    @Test
    void putWritesOnlyWhatChangedAndKeysGoWithTheirTenant() {
        String first = ApiKeyFormat.derive(ApiKeyKind.SECRET, SECRET);
        assertTrue(keys.put("acme", ApiKeyKind.SECRET, "default secret", first));
        UUID id = keys.list("acme").get(0).id();
        assertFalse(keys.put("acme", ApiKeyKind.SECRET, "default secret", first), "same key: nothing written");
        String second = ApiKeyFormat.derive(ApiKeyKind.SECRET, SECRET + "-rotated");
        assertTrue(keys.put("acme", ApiKeyKind.SECRET, "default secret", second));
        assertEquals(1, keys.list("acme").size());
        assertEquals(id, keys.list("acme").get(0).id(), "replaced in place");
        ApiKeyCache cache = new ApiKeyCache(keys, Duration.ofMinutes(1), Clock.systemUTC());
        assertTrue(cache.find("acme", first).isEmpty(), "the old key no longer connects");
        assertTrue(cache.find("acme", second).isPresent());
        assertTrue(tenants.delete("acme"));
        assertEquals(0, keys.list("acme").size());
    }
}
