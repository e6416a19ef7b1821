package io.mudrock.realtime.config;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.function.Function;
import java.util.regex.Pattern;

/**
 * Builds a {@link RealtimeConfig} from named values (environment variables through MicroProfile
 * Config in the server, a map in tests) and validates each one, failing with a single line that
 * names the variable, the value and what is expected.
 */
public final class ConfigLoader {

    /**
     * Variables of the upstream container's compose file that mean nothing here (Erlang cluster,
     * Fly.io, Phoenix). They are accepted so that compose file works unchanged, and never read.
     */
    public static final List<String> IGNORED_UPSTREAM_VARIABLES = List.of(
            "FLY_ALLOC_ID", "FLY_APP_NAME", "FLY_REGION", "ERL_AFLAGS", "DNS_NODES", "SECRET_KEY_BASE",
            "ENABLE_TAILSCALE", "RLIMIT_NOFILE", "POSTGRES_PORT");

    private static final Pattern IDENTIFIER = Pattern.compile("[A-Za-z_][A-Za-z0-9_$]{0,62}");
    private static final Pattern SLOT_SUFFIX = Pattern.compile("[a-z0-9_]{1,20}");
    private static final Pattern TENANT_ID = Pattern.compile("[A-Za-z0-9][A-Za-z0-9_-]{0,62}");

    private final Function<String, Optional<String>> source;

    /** @param source looks a variable up by name; blank values count as absent */
    public ConfigLoader(Function<String, Optional<String>> source) {
        this.source = name -> source.apply(name).map(String::trim).filter(v -> !v.isEmpty());
    }

    /**
     * Reads and validates every variable.
     *
     * @throws InvalidConfigurationException naming the first invalid variable
     */
    public RealtimeConfig load() {
        int port = port("PORT", 9080);
        Optional<RealtimeConfig.DatabaseSettings> database = source.apply("DB_HOST").map(host ->
                new RealtimeConfig.DatabaseSettings(host, port("DB_PORT", 5432),
                        text("DB_NAME", "postgres"), text("DB_USER", "postgres"),
                        source.apply("DB_PASSWORD").orElse("postgres"),
                        source.apply("DB_AFTER_CONNECT_QUERY")));
        Path home = Path.of(System.getProperty("user.home"), ".mudrock-realtime");
        RealtimeConfig.EmbeddedSettings embedded = new RealtimeConfig.EmbeddedSettings(
                port("EMBEDDED_DB_PORT", 54322),
                path("EMBEDDED_DB_DIR", home.resolve("pgdata")),
                path("EMBEDDED_PG_WORKING_DIR", home.resolve("pg-binaries")));

        String encryptionKey = keyOfLength("DB_ENC_KEY", 16).orElse("supabaserealtime");
        Optional<String> gcmKey = keyOfLength("DB_ENC_KEY_GCM", 32);
        Optional<String> apiSecret = source.apply("API_JWT_SECRET");
        Optional<String> tenantSecret = source.apply("JWT_SECRET");
        boolean seed = bool("SEED_SELF_HOST", database.isEmpty());
        if (database.isPresent()) {
            // Generated secrets are only kept beside the embedded database; with an external
            // database they would change on every restart and silently invalidate every key.
            if (apiSecret.isEmpty()) {
                throw invalid("API_JWT_SECRET", null, "is required when DB_HOST is set (the admin API's HS256 secret)");
            }
            if (seed && tenantSecret.isEmpty()) {
                throw invalid("JWT_SECRET", null, "is required when SEED_SELF_HOST=true and DB_HOST is set (the default tenant's JWT secret)");
            }
        }
        String tenantName = source.apply("SELF_HOST_TENANT_NAME").orElse("realtime-dev");
        if (!TENANT_ID.matcher(tenantName).matches()) {
            throw invalid("SELF_HOST_TENANT_NAME", tenantName, "must be a host label: letters, digits, '-' or '_', at most 63 characters");
        }
        return new RealtimeConfig(port, database, embedded, encryptionKey, gcmKey, apiSecret,
                source.apply("API_JWT_SECRET_NEXT"), list("API_TOKEN_BLOCKLIST"), tenantSecret,
                publication(), bool("SECURE_CHANNELS", true), seed, tenantName, bool("MIGRATE_WELLS", true),
                millis("CONNECT_ERROR_BACKOFF_MS", 2000), bool("READABLE_REFUSALS", true),
                millis("CHANNEL_ERROR_BACKOFF_MS", 5000),
                new RealtimeConfig.ReplicationSettings(bool("REPLICATION_SLOT_PERMANENT", false), slotNameSuffix()),
                inboundLimits(),
                transport(),
                source.apply("METRICS_JWT_SECRET").filter(secret -> !secret.isBlank()),
                cluster(),
                Duration.ofSeconds(whole("WARMUP_SECONDS", 3, 0, 60, "must be a whole number of seconds from 0 (no warm-up) to 60")));
    }

    private Optional<ClusterSettings> cluster() {
        Optional<String> raw = source.apply("REDIS_URL").map(String::trim).filter(url -> !url.isEmpty());
        if (raw.isEmpty()) {
            return Optional.empty();
        }
        try {
            return Optional.of(ClusterSettings.parse(raw.get()));
        } catch (IllegalArgumentException e) {
            throw invalid("REDIS_URL", ClusterSettings.redact(raw.get()), e.getMessage());
        }
    }

    private RealtimeConfig.InboundLimits inboundLimits() {
        RealtimeConfig.InboundLimits defaults = RealtimeConfig.InboundLimits.DEFAULT;
        long budgetMb = whole("INBOUND_BUFFER_BUDGET_MB", defaults.bufferBudgetBytes() >> 20, 1, 1 << 20,
                "must be a whole number of megabytes from 1 to 1048576");
        long unjoinedMillis = whole("UNJOINED_SOCKET_TIMEOUT_MS", defaults.unjoinedTimeout().toMillis(), 0, 3_600_000,
                "must be a whole number of milliseconds from 0 (never) to 3600000");
        long unjoined = whole("MAX_UNJOINED_SOCKETS_PER_TENANT", defaults.maxUnjoinedSocketsPerTenant(), 1, 1_000_000,
                "must be a whole number from 1 to 1000000");
        long idleMillis = whole("SOCKET_IDLE_TIMEOUT_MS", defaults.idleTimeout().toMillis(), 1000, 3_600_000,
                "must be a whole number of milliseconds from 1000 to 3600000");
        return new RealtimeConfig.InboundLimits(budgetMb << 20, Duration.ofMillis(unjoinedMillis), (int) unjoined,
                Duration.ofMillis(idleMillis));
    }

    private long whole(String name, long fallback, long min, long max, String expectation) {
        Optional<String> raw = source.apply(name);
        if (raw.isEmpty()) {
            return fallback;
        }
        try {
            long value = Long.parseLong(raw.get());
            if (value >= min && value <= max) {
                return value;
            }
        } catch (NumberFormatException e) {
            // reported below with the variable's name
        }
        throw invalid(name, raw.get(), expectation);
    }

    /** Upstream's list variables: split on commas, each item trimmed; empty items are dropped. */
    private List<String> list(String name) {
        return source.apply(name).stream().flatMap(value -> Arrays.stream(value.split(",")))
                .map(String::trim).filter(item -> !item.isEmpty()).toList();
    }

    private WebSocketTransport transport() {
        Optional<String> raw = source.apply("WEBSOCKET_TRANSPORT");
        if (raw.isEmpty()) {
            return WebSocketTransport.JAKARTA;
        }
        return WebSocketTransport.fromValue(raw.get()).orElseThrow(
                () -> invalid("WEBSOCKET_TRANSPORT", raw.get(), "must be " + WebSocketTransport.choices()));
    }

    private String text(String name, String fallback) {
        return source.apply(name).orElse(fallback);
    }

    private int port(String name, int fallback) {
        Optional<String> raw = source.apply(name);
        if (raw.isEmpty()) {
            return fallback;
        }
        try {
            int value = Integer.parseInt(raw.get());
            if (value >= 1 && value <= 65535) {
                return value;
            }
        } catch (NumberFormatException e) {
            // reported below with the variable's name
        }
        throw invalid(name, raw.get(), "must be a port number from 1 to 65535");
    }

    private Duration millis(String name, long fallback) {
        Optional<String> raw = source.apply(name);
        if (raw.isEmpty()) {
            return Duration.ofMillis(fallback);
        }
        try {
            long value = Long.parseLong(raw.get());
            if (value >= 0 && value <= 60_000) {
                return Duration.ofMillis(value);
            }
        } catch (NumberFormatException e) {
            // reported below with the variable's name
        }
        throw invalid(name, raw.get(), "must be a whole number of milliseconds from 0 to 60000");
    }

    private boolean bool(String name, boolean fallback) {
        Optional<String> raw = source.apply(name);
        if (raw.isEmpty()) {
            return fallback;
        }
        switch (raw.get().toLowerCase(Locale.ROOT)) {
            case "true":
                return true;
            case "false":
                return false;
            default:
                throw invalid(name, raw.get(), "must be true or false");
        }
    }

    private Path path(String name, Path fallback) {
        return source.apply(name).map(Path::of).orElse(fallback).toAbsolutePath().normalize();
    }

    private Optional<String> keyOfLength(String name, int bytes) {
        Optional<String> raw = source.apply(name);
        raw.ifPresent(key -> {
            int length = key.getBytes(StandardCharsets.UTF_8).length;
            if (length != bytes) {
                throw invalid(name, null, "must be exactly " + bytes + " bytes (it has " + length + ")");
            }
        });
        return raw;
    }

    /** A suffix that keeps a slot name valid: lower-case letters, digits and '_' (at most 20). */
    private Optional<String> slotNameSuffix() {
        Optional<String> raw = source.apply("SLOT_NAME_SUFFIX");
        raw.ifPresent(suffix -> {
            if (!SLOT_SUFFIX.matcher(suffix).matches()) {
                throw invalid("SLOT_NAME_SUFFIX", suffix, "must be lower-case letters, digits or '_', at most 20 characters (it becomes part of a replication slot name)");
            }
        });
        return raw;
    }

    private String publication() {
        Optional<String> raw = source.apply("PUBLICATIONS");
        if (raw.isEmpty()) {
            return "supabase_realtime";
        }
        String value = raw.get();
        String name = value;
        if (value.startsWith("[")) {
            try {
                JsonNode list = new ObjectMapper().readTree(value);
                if (!list.isArray() || list.isEmpty() || !list.get(0).isTextual()) {
                    throw invalid("PUBLICATIONS", value, "must be a JSON array of publication names, like [\"supabase_realtime\"]");
                }
                name = list.get(0).asText();
            } catch (IOException e) {
                throw invalid("PUBLICATIONS", value, "must be a JSON array of publication names, like [\"supabase_realtime\"]");
            }
        }
        if (!IDENTIFIER.matcher(name).matches()) {
            throw invalid("PUBLICATIONS", value, "must name a publication with letters, digits, '_' or '$' (at most 63)");
        }
        return name;
    }

    private static InvalidConfigurationException invalid(String name, String value, String expectation) {
        String shown = value == null ? "" : " (got '" + value + "')";
        return new InvalidConfigurationException("Invalid configuration: " + name + " " + expectation + shown);
    }
}
