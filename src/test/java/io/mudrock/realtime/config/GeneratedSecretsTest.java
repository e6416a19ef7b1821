package io.mudrock.realtime.config;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.util.Map;
import java.util.Optional;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

class GeneratedSecretsTest {

    @TempDir
    Path home;

    private RealtimeConfig load(Map<String, String> values) {
        Map<String, String> all = new java.util.HashMap<>(values);
        all.put("EMBEDDED_DB_DIR", home.resolve("pgdata").toString());
        return new ConfigLoader(name -> Optional.ofNullable(all.get(name))).load();
    }

    @Test
    void theEmbeddedDefaultGeneratesAMetricsSecretAndKeepsItAcrossRestarts() {
        RealtimeConfig first = GeneratedSecrets.complete(load(Map.of()));
        String metrics = first.metricsJwtSecret().orElseThrow();
        assertTrue(metrics.length() >= 40, "32 random bytes in Base64: " + metrics);
        assertNotEquals(first.apiJwtSecret().orElseThrow(), metrics, "its own value, not the admin secret");
        assertNotEquals(first.tenantJwtSecret().orElseThrow(), metrics, "nor the tenants' secret");
        assertEquals(metrics, GeneratedSecrets.complete(load(Map.of())).metricsJwtSecret().orElseThrow(),
                "read back from " + GeneratedSecrets.fileFor(first.embedded()));
    }

    @Test
    void aConfiguredMetricsSecretWinsAndTheOthersAreStillGenerated() {
        RealtimeConfig config = GeneratedSecrets.complete(load(Map.of("METRICS_JWT_SECRET", "configured")));
        assertEquals(Optional.of("configured"), config.metricsJwtSecret());
        assertTrue(config.apiJwtSecret().isPresent() && config.tenantJwtSecret().isPresent());
    }

    @Test
    void withTheOtherSecretsConfiguredOnlyTheMetricsSecretIsGenerated() {
        RealtimeConfig config = GeneratedSecrets.complete(load(Map.of("API_JWT_SECRET", "api", "JWT_SECRET", "tenant")));
        assertEquals(Optional.of("api"), config.apiJwtSecret());
        assertEquals(Optional.of("tenant"), config.tenantJwtSecret());
        assertTrue(config.metricsJwtSecret().isPresent(), "generated although the other two are configured");
    }
}
