package io.mudrock.realtime.tenant;

import java.time.Instant;
import java.util.Objects;
import java.util.UUID;

/**
 * One row of {@code _realtime.tenants} with its secret already decrypted and its
 * {@code postgres_cdc_rls} extension.
 *
 * <p>Columns that are null, or missing from an older upstream schema, carry the upstream defaults
 * ({@code DEFAULT_*}). The two presence-window columns stay nullable because upstream falls back to a
 * server setting ({@code CLIENT_PRESENCE_MAX_CALLS}, {@code CLIENT_PRESENCE_WINDOW_MS}) that a tenant
 * row cannot know.
 *
 * @param id                               primary key
 * @param externalId                       the id clients select with the Host (first label)
 * @param name                             display name
 * @param jwtSecret                        decrypted HS* secret (held in memory only); null when the tenant
 *                                         has only a JWKS or the stored value could not be used
 * @param jwtJwks                          {@code {"keys":[...]}} JSON text, or null
 * @param maxConcurrentUsers               sockets with at least one channel, whole tenant
 * @param maxEventsPerSecond               messages per second, whole tenant
 * @param maxBytesPerSecond                stored and reported; upstream does not enforce it
 * @param maxChannelsPerClient             channels on one socket
 * @param maxJoinsPerSecond                joins per second, whole tenant
 * @param maxPresenceEventsPerSecond       presence events per second, whole tenant
 * @param maxPayloadSizeInKb               broadcast and presence payload limit
 * @param maxClientPresenceEventsPerWindow per-socket presence calls per window; null = server default
 * @param clientPresenceWindowMs           that window; null = server default
 * @param presenceEnabled                  presence on for every join
 * @param privateOnly                      reject public channels
 * @param suspend                          refuse every connection
 * @param postgresCdcDefault               CDC driver name (only {@code postgres_cdc_rls} exists)
 * @param migrationsRan                    tenant-database migrations applied
 * @param broadcastAdapter                 upstream cluster internals, kept for round trips
 * @param featureFlags                     JSON object text
 * @param insertedAt                       creation time (UTC)
 * @param updatedAt                        last update time (UTC)
 * @param postgresCdc                      the {@code postgres_cdc_rls} extension, or null when absent
 */
public record Tenant(
        UUID id,
        String externalId,
        String name,
        String jwtSecret,
        String jwtJwks,
        int maxConcurrentUsers,
        int maxEventsPerSecond,
        int maxBytesPerSecond,
        int maxChannelsPerClient,
        int maxJoinsPerSecond,
        int maxPresenceEventsPerSecond,
        int maxPayloadSizeInKb,
        Integer maxClientPresenceEventsPerWindow,
        Integer clientPresenceWindowMs,
        boolean presenceEnabled,
        boolean privateOnly,
        boolean suspend,
        String postgresCdcDefault,
        int migrationsRan,
        String broadcastAdapter,
        String featureFlags,
        Instant insertedAt,
        Instant updatedAt,
        PostgresCdcSettings postgresCdc) {

    /** Upstream {@code TENANT_MAX_CONCURRENT_USERS} default. */
    public static final int DEFAULT_MAX_CONCURRENT_USERS = 200;
    /** Upstream {@code TENANT_MAX_EVENTS_PER_SECOND} default. */
    public static final int DEFAULT_MAX_EVENTS_PER_SECOND = 100;
    /** Upstream {@code TENANT_MAX_BYTES_PER_SECOND} default. */
    public static final int DEFAULT_MAX_BYTES_PER_SECOND = 100_000;
    /** Upstream {@code TENANT_MAX_CHANNELS_PER_CLIENT} default. */
    public static final int DEFAULT_MAX_CHANNELS_PER_CLIENT = 100;
    /** Upstream {@code TENANT_MAX_JOINS_PER_SECOND} default (the column default of 500 is never used by the API). */
    public static final int DEFAULT_MAX_JOINS_PER_SECOND = 100;
    /** Upstream column default. */
    public static final int DEFAULT_MAX_PRESENCE_EVENTS_PER_SECOND = 1000;
    /** Upstream column default. */
    public static final int DEFAULT_MAX_PAYLOAD_SIZE_IN_KB = 3000;
    /** The only CDC driver upstream has. */
    public static final String DEFAULT_POSTGRES_CDC = "postgres_cdc_rls";
    /** Upstream column default. */
    public static final String DEFAULT_BROADCAST_ADAPTER = "gen_rpc";

    public Tenant {
        Objects.requireNonNull(externalId, "externalId");
    }

    /** Whether this tenant can verify HS* tokens with a secret of its own. */
    public boolean hasJwtSecret() {
        return jwtSecret != null;
    }

    /** Never prints the JWT secret nor the JWKS (which may hold {@code oct} secrets). */
    @Override
    public String toString() {
        return "Tenant[externalId=" + externalId + ", id=" + id + ", name=" + name
                + ", jwtSecret=" + (jwtSecret == null ? "none" : "***")
                + ", jwtJwks=" + (jwtJwks == null ? "none" : "***")
                + ", maxConcurrentUsers=" + maxConcurrentUsers + ", maxEventsPerSecond=" + maxEventsPerSecond
                + ", maxBytesPerSecond=" + maxBytesPerSecond + ", maxChannelsPerClient=" + maxChannelsPerClient
                + ", maxJoinsPerSecond=" + maxJoinsPerSecond
                + ", maxPresenceEventsPerSecond=" + maxPresenceEventsPerSecond
                + ", maxPayloadSizeInKb=" + maxPayloadSizeInKb
                + ", maxClientPresenceEventsPerWindow=" + maxClientPresenceEventsPerWindow
                + ", clientPresenceWindowMs=" + clientPresenceWindowMs
                + ", presenceEnabled=" + presenceEnabled + ", privateOnly=" + privateOnly + ", suspend=" + suspend
                + ", postgresCdcDefault=" + postgresCdcDefault + ", migrationsRan=" + migrationsRan
                + ", broadcastAdapter=" + broadcastAdapter + ", featureFlags=" + featureFlags
                + ", insertedAt=" + insertedAt + ", updatedAt=" + updatedAt + ", postgresCdc=" + postgresCdc + "]";
    }
}
