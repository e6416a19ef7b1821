package io.mudrock.realtime.startup;

import io.mudrock.realtime.auth.ApiTokenVerifier;
import io.mudrock.realtime.auth.MetricsTokenVerifier;
import io.mudrock.realtime.config.ConfigLoader;
import io.mudrock.realtime.config.RealtimeConfig;
import io.mudrock.realtime.tenant.ApiKeyFormat;
import io.mudrock.realtime.tenant.ApiKeyKind;
import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

class StartupBannerTest {

    private static final String JWT_SECRET = "banner-test-tenant-secret-of-32-bytes-or-more";
    private static final RealtimeConfig.DatabaseSettings EXTERNAL =
            new RealtimeConfig.DatabaseSettings("db", 5432, "postgres", "postgres", "pw", Optional.empty());

    private static RealtimeConfig load(Map<String, String> values) {
        return new ConfigLoader(name -> Optional.ofNullable(values.get(name))).load();
    }

    @Test
    void theEmbeddedDatabasePrintsWorkingAnonAndServiceRoleKeys() {
        RealtimeConfig config = load(Map.of("API_JWT_SECRET", "api-secret", "JWT_SECRET", JWT_SECRET));
        String banner = StartupBanner.render(config, Optional.of("psql postgresql://postgres@localhost:54322/postgres"), EXTERNAL);
        for (String role : new String[] {"anon", "service_role"}) {
            Matcher key = Pattern.compile("(?m)^  " + role + " key: +(\\S+)$").matcher(banner);
            assertTrue(key.find(), banner);
            String token = key.group(1);
            assertTrue(new ApiTokenVerifier(List.of(JWT_SECRET), Set.of(), Clock.systemUTC())
                    .verifyAuthorizationHeader("Bearer " + token).accepted(), "signed with JWT_SECRET: " + token);
            String claims = new String(Base64.getUrlDecoder().decode(token.split("\\.")[1]), StandardCharsets.UTF_8);
            assertTrue(claims.contains("\"role\":\"" + role + "\""), claims);
        }
    }

    @Test
    void theEmbeddedDatabasePrintsTheOpaqueKeysTheSeedRegisters() {
        RealtimeConfig config = load(Map.of("API_JWT_SECRET", "api-secret", "JWT_SECRET", JWT_SECRET));
        String banner = StartupBanner.render(config, Optional.of("psql postgresql://postgres@localhost:54322/postgres"), EXTERNAL);
        for (ApiKeyKind kind : ApiKeyKind.values()) {
            Matcher key = Pattern.compile("(?m)^  " + kind.type() + " key: +(\\S+)$").matcher(banner);
            assertTrue(key.find(), banner);
            assertEquals(ApiKeyFormat.derive(kind, JWT_SECRET), key.group(1), "the key SelfHostTenantTask registers");
            assertTrue(key.group(1).startsWith(kind.prefix()), key.group(1));
        }
    }

    @Test
    void theEmbeddedDatabasePrintsACurlLineWhoseTokenTheMetricsEndpointAdmits() {
        String metricsSecret = "banner-test-metrics-secret-of-32-bytes-or-more";
        RealtimeConfig config = load(Map.of("API_JWT_SECRET", "api-secret", "JWT_SECRET", JWT_SECRET,
                "METRICS_JWT_SECRET", metricsSecret));
        String banner = StartupBanner.render(config, Optional.of("psql postgresql://postgres@localhost:54322/postgres"), EXTERNAL);
        Matcher curl = Pattern.compile("(?m)^  Metrics: +curl -H 'Authorization: (Bearer \\S+)' http://localhost:"
                + config.port() + "/metrics$").matcher(banner);
        assertTrue(curl.find(), banner);
        assertTrue(new MetricsTokenVerifier(Optional.of(metricsSecret), Clock.systemUTC()).verify(curl.group(1)).admitted(),
                curl.group(1));
        assertFalse(new MetricsTokenVerifier(Optional.of(JWT_SECRET), Clock.systemUTC()).verify(curl.group(1)).admitted(),
                "signed with METRICS_JWT_SECRET, not another secret");
    }

    @Test
    void withDbHostNoKeyIsPrinted() {
        RealtimeConfig config = load(Map.of("DB_HOST", "db", "API_JWT_SECRET", "api-secret", "JWT_SECRET", JWT_SECRET,
                "SEED_SELF_HOST", "true", "METRICS_JWT_SECRET", "metrics-secret"));
        String banner = StartupBanner.render(config, Optional.empty(), EXTERNAL);
        assertFalse(banner.contains(" key:"), banner);
        assertFalse(banner.contains("Metrics:"), "no scrape token either: " + banner);
        assertFalse(banner.contains("eyJ"), "no JWT of any kind: " + banner);
        assertFalse(banner.contains("sb_"), "no opaque key: " + banner);
        assertTrue(banner.contains("not printed with DB_HOST set"), banner);
        assertTrue(banner.contains("postgres@db:5432/postgres"), banner);
    }
}
