package io.mudrock.realtime.config;

import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.HashMap;
import java.util.Map;
import java.util.Optional;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class ConfigLoaderTest {

    private static RealtimeConfig load(Map<String, String> values) {
        return new ConfigLoader(name -> Optional.ofNullable(values.get(name))).load();
    }

    private static String failure(Map<String, String> values) {
        return assertThrows(InvalidConfigurationException.class, () -> load(values)).getMessage();
    }

    @Test
    void defaultsRunTheEmbeddedDatabaseAndSeedTheDefaultTenant() {
        RealtimeConfig config = load(Map.of());
        assertTrue(config.usesEmbeddedDatabase());
        assertTrue(config.seedSelfHost());
        assertEquals(9080, config.port());
        assertEquals("supabase_realtime", config.publication());
        assertEquals("realtime-dev", config.selfHostTenantName());
        assertEquals("supabaserealtime", config.encryptionKey());
        assertEquals(Duration.ofSeconds(2), config.connectErrorBackoff());
        assertEquals(Duration.ofSeconds(5), config.channelErrorBackoff());
    }

    @Test
    void theSeedComposeFileIsAcceptedAsItIs() {
        Map<String, String> compose = new HashMap<>();
        compose.put("PORT", "4000");
        compose.put("POSTGRES_PORT", "5432");
        compose.put("DB_HOST", "supabase-db");
        compose.put("DB_PORT", "5432");
        compose.put("DB_USER", "supabase_admin");
        compose.put("DB_PASSWORD", "secret");
        compose.put("DB_NAME", "postgres");
        compose.put("DB_AFTER_CONNECT_QUERY", "SET search_path TO _realtime");
        compose.put("DB_ENC_KEY", "supabaserealtime");
        compose.put("API_JWT_SECRET", "cAdtagpNtA1Wy9a7pbRS+QLb0LkxtBncXWkc//hPdPg=");
        compose.put("JWT_SECRET", "cAdtagpNtA1Wy9a7pbRS+QLb0LkxtBncXWkc//hPdPg=");
        compose.put("PUBLICATIONS", "[\"supabase_realtime\"]");
        compose.put("SECURE_CHANNELS", "true");
        compose.put("FLY_ALLOC_ID", "fly123");
        compose.put("FLY_APP_NAME", "realtime");
        compose.put("FLY_REGION", "local");
        compose.put("SEED_SELF_HOST", "true");
        compose.put("SECRET_KEY_BASE", "UpNVntn3cDxHJpq99YMc1T1AQgQpc8kfYTuRgBiYa15BLrx8etQoXz3gZv1/u2oq");
        compose.put("ERL_AFLAGS", "-proto_dist inet_tcp");
        compose.put("ENABLE_TAILSCALE", "false");
        compose.put("DNS_NODES", "''");
        compose.put("RLIMIT_NOFILE", "10000");

        RealtimeConfig config = load(compose);

        assertFalse(config.usesEmbeddedDatabase());
        RealtimeConfig.DatabaseSettings db = config.database().orElseThrow();
        assertEquals("jdbc:postgresql://supabase-db:5432/postgres", db.jdbcUrl());
        assertEquals("supabase_admin", db.user());
        assertEquals(Optional.of("SET search_path TO _realtime"), db.afterConnectQuery());
        assertEquals(4000, config.port());
        assertTrue(config.seedSelfHost());
        assertEquals("supabase_realtime", config.publication());
    }

    @Test
    void invalidValuesNameTheVariableAndTheValue() {
        assertEquals("Invalid configuration: DB_PORT must be a port number from 1 to 65535 (got 'abc')",
                failure(Map.of("DB_HOST", "db", "DB_PORT", "abc", "API_JWT_SECRET", "s", "JWT_SECRET", "s")));
        assertEquals("Invalid configuration: PORT must be a port number from 1 to 65535 (got '70000')",
                failure(Map.of("PORT", "70000")));
        assertEquals("Invalid configuration: SEED_SELF_HOST must be true or false (got 'yes')",
                failure(Map.of("SEED_SELF_HOST", "yes")));
        assertEquals("Invalid configuration: DB_ENC_KEY must be exactly 16 bytes (it has 5)",
                failure(Map.of("DB_ENC_KEY", "short")));
        assertTrue(failure(Map.of("PUBLICATIONS", "[1]")).startsWith("Invalid configuration: PUBLICATIONS must be a JSON array"));
        assertTrue(failure(Map.of("PUBLICATIONS", "bad name;")).startsWith("Invalid configuration: PUBLICATIONS must name a publication"));
        assertTrue(failure(Map.of("SELF_HOST_TENANT_NAME", "a.b")).startsWith("Invalid configuration: SELF_HOST_TENANT_NAME"));
        assertTrue(failure(Map.of("CHANNEL_ERROR_BACKOFF_MS", "-1")).startsWith("Invalid configuration: CHANNEL_ERROR_BACKOFF_MS"));
    }

    @Test
    void replicationSlotsAreTemporaryUnlessAPermanentOneIsAskedFor() {
        assertEquals(RealtimeConfig.ReplicationSettings.DEFAULT, load(Map.of()).replication());
        RealtimeConfig.ReplicationSettings permanent = load(Map.of("REPLICATION_SLOT_PERMANENT", "true",
                "SLOT_NAME_SUFFIX", "node_1")).replication();
        assertTrue(permanent.permanentSlot());
        assertEquals(Optional.of("node_1"), permanent.slotNameSuffix());
        assertEquals("Invalid configuration: SLOT_NAME_SUFFIX must be lower-case letters, digits or '_', at most 20 "
                + "characters (it becomes part of a replication slot name) (got 'Node-1')",
                failure(Map.of("SLOT_NAME_SUFFIX", "Node-1")));
        assertTrue(failure(Map.of("REPLICATION_SLOT_PERMANENT", "maybe"))
                .startsWith("Invalid configuration: REPLICATION_SLOT_PERMANENT must be true or false"));
    }

    @Test
    void theJakartaWebSocketTransportIsTheDefaultAndTheServletUpgradeOneAnOption() {
        assertEquals(WebSocketTransport.JAKARTA, load(Map.of()).webSocketTransport());
        assertEquals(WebSocketTransport.SERVLET_UPGRADE,
                load(Map.of("WEBSOCKET_TRANSPORT", "Servlet-Upgrade")).webSocketTransport());
        assertEquals("Invalid configuration: WEBSOCKET_TRANSPORT must be 'jakarta' or 'servlet-upgrade' (got 'netty')",
                failure(Map.of("WEBSOCKET_TRANSPORT", "netty")));
    }

    @Test
    void theJitWarmUpLastsThreeSecondsByDefaultAndZeroTurnsItOff() {
        assertEquals(Duration.ofSeconds(3), load(Map.of()).warmup());
        assertEquals(Duration.ZERO, load(Map.of("WARMUP_SECONDS", "0")).warmup());
        assertEquals(Duration.ofSeconds(60), load(Map.of("WARMUP_SECONDS", "60")).warmup());
        assertEquals("Invalid configuration: WARMUP_SECONDS must be a whole number of seconds from 0 (no warm-up) to 60"
                + " (got '1.5')", failure(Map.of("WARMUP_SECONDS", "1.5")));
        assertTrue(failure(Map.of("WARMUP_SECONDS", "61")).startsWith("Invalid configuration: WARMUP_SECONDS"));
    }

    @Test
    void anExternalDatabaseNeedsRealSecrets() {
        assertTrue(failure(Map.of("DB_HOST", "db")).startsWith("Invalid configuration: API_JWT_SECRET is required"));
        assertTrue(failure(Map.of("DB_HOST", "db", "API_JWT_SECRET", "x", "SEED_SELF_HOST", "true"))
                .startsWith("Invalid configuration: JWT_SECRET is required"));
        assertFalse(load(Map.of("DB_HOST", "db", "API_JWT_SECRET", "x")).seedSelfHost());
    }

    @Test
    void blankValuesCountAsAbsentAndPlainPublicationNamesWork() {
        RealtimeConfig config = load(Map.of("DB_HOST", "  ", "PUBLICATIONS", "my_pub", "DB_ENC_KEY", ""));
        assertTrue(config.usesEmbeddedDatabase());
        assertEquals("my_pub", config.publication());
        assertEquals("supabaserealtime", config.encryptionKey());
    }

    @Test
    void redisUrlSwitchesClusteringOnAndIsValidatedWithoutShowingItsPassword() {
        assertTrue(load(Map.of()).cluster().isEmpty());
        assertTrue(load(Map.of("REDIS_URL", " ")).cluster().isEmpty());
        ClusterSettings tls = load(Map.of("REDIS_URL", "rediss://:s3cret@cache.internal:6380/2")).cluster().orElseThrow();
        assertEquals("cache.internal", tls.redisUrl().getHost());
        assertFalse(tls.toString().contains("s3cret"), tls.toString());
        String message = failure(Map.of("REDIS_URL", "http://:s3cret@cache:6379"));
        assertTrue(message.contains("REDIS_URL must start with redis:// or rediss://"), message);
        assertFalse(message.contains("s3cret"), message);
        assertTrue(failure(Map.of("REDIS_URL", "redis://cache:6379/zero")).contains("database number"));
        assertTrue(failure(Map.of("REDIS_URL", "redis:///0")).contains("must name a host"));
    }

    @Test
    void ipv6HostsAreBracketedInTheJdbcUrl() {
        RealtimeConfig config = load(Map.of("DB_HOST", "::1", "API_JWT_SECRET", "x"));
        assertEquals("jdbc:postgresql://[::1]:5432/postgres", config.database().orElseThrow().jdbcUrl());
    }

    @Test
    void rotationAndBlocklistAreReadAsUpstreamReadsThem() {
        RealtimeConfig plain = load(Map.of("API_JWT_SECRET", "current"));
        assertEquals(java.util.List.of("current"), plain.apiJwtSecrets());
        assertEquals(java.util.List.of(), plain.apiTokenBlocklist());
        RealtimeConfig rotating = load(Map.of("API_JWT_SECRET", "current", "API_JWT_SECRET_NEXT", "next",
                "API_TOKEN_BLOCKLIST", " eyJa.b.c , ,eyJd.e.f,"));
        assertEquals(java.util.List.of("current", "next"), rotating.apiJwtSecrets());
        assertEquals(java.util.List.of("eyJa.b.c", "eyJd.e.f"), rotating.apiTokenBlocklist(),
                "comma-separated whole tokens, each trimmed; empty items mean nothing");
        assertEquals(java.util.List.of(), load(Map.of("API_TOKEN_BLOCKLIST", "  ")).apiTokenBlocklist());
    }

    @Test
    void inboundLimitsHaveDefaultsAndAreValidated() {
        assertEquals(RealtimeConfig.InboundLimits.DEFAULT, load(Map.of()).inbound());
        RealtimeConfig.InboundLimits set = load(Map.of("INBOUND_BUFFER_BUDGET_MB", "64", "UNJOINED_SOCKET_TIMEOUT_MS", "0",
                "MAX_UNJOINED_SOCKETS_PER_TENANT", "10", "SOCKET_IDLE_TIMEOUT_MS", "1500")).inbound();
        assertEquals(new RealtimeConfig.InboundLimits(64L << 20, java.time.Duration.ZERO, 10, java.time.Duration.ofMillis(1500)), set);
        assertEquals("Invalid configuration: INBOUND_BUFFER_BUDGET_MB must be a whole number of megabytes from 1 to 1048576 (got '0')",
                failure(Map.of("INBOUND_BUFFER_BUDGET_MB", "0")));
        assertTrue(failure(Map.of("UNJOINED_SOCKET_TIMEOUT_MS", "soon")).startsWith("Invalid configuration: UNJOINED_SOCKET_TIMEOUT_MS"));
        assertTrue(failure(Map.of("MAX_UNJOINED_SOCKETS_PER_TENANT", "0")).startsWith("Invalid configuration: MAX_UNJOINED_SOCKETS_PER_TENANT"));
        assertEquals("Invalid configuration: SOCKET_IDLE_TIMEOUT_MS must be a whole number of milliseconds from 1000 to 3600000 (got '0')",
                failure(Map.of("SOCKET_IDLE_TIMEOUT_MS", "0")));
    }
}
