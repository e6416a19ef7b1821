package io.mudrock.realtime.config;

import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.stream.Stream;

/**
 * The server's configuration, validated once at start-up.
 *
 * @param port                 HTTP port ({@code PORT}); Liberty binds it, we validate and print it
 * @param database             the management database, or empty for the embedded default ({@code DB_*})
 * @param embedded             where and how the embedded PostgreSQL runs when {@code DB_HOST} is unset
 * @param encryptionKey        legacy AES-128 key for secrets at rest ({@code DB_ENC_KEY}, 16 bytes)
 * @param gcmEncryptionKey     AES-256-GCM key ({@code DB_ENC_KEY_GCM}, 32 bytes), optional
 * @param apiJwtSecret         secret of the admin API's tokens ({@code API_JWT_SECRET}); empty = generated
 * @param apiJwtSecretNext     a second secret admin tokens may be signed with while {@code API_JWT_SECRET}
 *                             is rotated ({@code API_JWT_SECRET_NEXT}, upstream's)
 * @param apiTokenBlocklist    whole admin tokens refused even when their signature is valid
 *                             ({@code API_TOKEN_BLOCKLIST}, comma-separated, upstream's)
 * @param tenantJwtSecret      the self-host tenant's client JWT secret ({@code JWT_SECRET}); empty = generated
 * @param publication          the publication the WAL consumer reads (first of {@code PUBLICATIONS})
 * @param secureChannels       {@code SECURE_CHANNELS}: client tokens are required and verified
 * @param seedSelfHost         {@code SEED_SELF_HOST}: create or update the default tenant at start
 * @param selfHostTenantName   {@code SELF_HOST_TENANT_NAME}, the default tenant's external id
 * @param migrateWells         {@code MIGRATE_WELLS}: apply the {@code wells} changeset context
 * @param connectErrorBackoff  {@code CONNECT_ERROR_BACKOFF_MS}: delay before a refused handshake answers
 * @param readableRefusals     {@code READABLE_REFUSALS}: a refused handshake from a browser (it sends
 *                             {@code Origin}) is upgraded and answered over the socket, so the page can
 *                             read the reason; false = every client gets the HTTP refusal
 * @param channelErrorBackoff  {@code CHANNEL_ERROR_BACKOFF_MS}: delay before a join error reply
 * @param replication          how tenants' change streams use replication slots
 * @param inbound              what clients may hold on the server before they have joined or sent a whole message
 * @param webSocketTransport   {@code WEBSOCKET_TRANSPORT}: which implementation carries the sockets
 * @param metricsJwtSecret     HS256 secret of {@code /metrics} scrape tokens ({@code METRICS_JWT_SECRET},
 *                             upstream's); empty = every scrape is refused
 * @param cluster              {@code REDIS_URL}: the Redis that several replicas share; empty = one process
 * @param warmup               {@code WARMUP_SECONDS}: how long start-up exercises the hot paths in-process
 *                             before readiness, so the first clients do not meet cold code; zero = none
 */
public record RealtimeConfig(
        int port,
        Optional<DatabaseSettings> database,
        EmbeddedSettings embedded,
        String encryptionKey,
        Optional<String> gcmEncryptionKey,
        Optional<String> apiJwtSecret,
        Optional<String> apiJwtSecretNext,
        List<String> apiTokenBlocklist,
        Optional<String> tenantJwtSecret,
        String publication,
        boolean secureChannels,
        boolean seedSelfHost,
        String selfHostTenantName,
        boolean migrateWells,
        Duration connectErrorBackoff,
        boolean readableRefusals,
        Duration channelErrorBackoff,
        ReplicationSettings replication,
        InboundLimits inbound,
        WebSocketTransport webSocketTransport,

        Optional<String> metricsJwtSecret,
        Optional<ClusterSettings> cluster,
        Duration warmup) {

    /** Copies the blocklist so the record stays immutable. */
    public RealtimeConfig {
        apiTokenBlocklist = List.copyOf(apiTokenBlocklist);
    }

    /** The secrets an admin token may be signed with: {@code API_JWT_SECRET}, then {@code API_JWT_SECRET_NEXT}. */
    public List<String> apiJwtSecrets() {
        return Stream.of(apiJwtSecret, apiJwtSecretNext).flatMap(Optional::stream).toList();
    }

    /** True when no {@code DB_HOST} is configured and the server runs its own PostgreSQL. */
    public boolean usesEmbeddedDatabase() {
        return database.isEmpty();
    }

    /**
     * Connection settings of an external PostgreSQL.
     *
     * @param host              {@code DB_HOST}
     * @param port              {@code DB_PORT}
     * @param name              {@code DB_NAME}
     * @param user              {@code DB_USER}
     * @param password          {@code DB_PASSWORD}
     * @param afterConnectQuery {@code DB_AFTER_CONNECT_QUERY}, run on every new connection
     */
    public record DatabaseSettings(String host, int port, String name, String user, String password,
                                   Optional<String> afterConnectQuery) {

        /** The pgjdbc URL of this database. */
        public String jdbcUrl() {
            String h = host.contains(":") && !host.startsWith("[") ? "[" + host + "]" : host;
            return "jdbc:postgresql://" + h + ":" + port + "/" + name;
        }

        @Override
        public String toString() {
            return "DatabaseSettings[" + user + "@" + host + ":" + port + "/" + name + "]";
        }
    }

    /**
     * The embedded PostgreSQL of the default run.
     *
     * @param port       {@code EMBEDDED_DB_PORT}
     * @param dataDir    {@code EMBEDDED_DB_DIR}: the cluster's data, kept across restarts
     * @param binDir     {@code EMBEDDED_PG_WORKING_DIR}: where the PostgreSQL binaries are unpacked
     */
    public record EmbeddedSettings(int port, Path dataDir, Path binDir) {
    }

    /**
     * How the change streams use replication slots.
     *
     * @param permanentSlot  {@code REPLICATION_SLOT_PERMANENT}: stream through a permanent slot named
     *                       after the tenant's {@code slot_name}, which survives a dropped replication
     *                       connection (or a database restart) so changes committed while the stream
     *                       reconnects are still delivered; false = a temporary slot per connection
     *                       that PostgreSQL drops by itself
     * @param slotNameSuffix {@code SLOT_NAME_SUFFIX} (upstream's): appended as {@code _<suffix>} to the
     *                       permanent slot's name, so several servers on one database use their own
     */
    public record ReplicationSettings(boolean permanentSlot, Optional<String> slotNameSuffix) {

        /** Temporary slots, upstream's behaviour. */
        public static final ReplicationSettings DEFAULT = new ReplicationSettings(false, Optional.empty());
    }

    /**
     * Bounds on what clients hold before they are doing anything useful.
     *
     * @param bufferBudgetBytes          {@code INBOUND_BUFFER_BUDGET_MB}: bytes all sockets together may
     *                                   buffer for inbound messages not yet whole; a socket that would
     *                                   pass it is closed with 1009
     * @param unjoinedTimeout            {@code UNJOINED_SOCKET_TIMEOUT_MS}: a socket that has not joined a
     *                                   channel this long after it opened is closed with 1008; zero = never
     * @param maxUnjoinedSocketsPerTenant {@code MAX_UNJOINED_SOCKETS_PER_TENANT}: sockets of one tenant that
     *                                   have not joined a channel yet; one more is closed with 1008
     * @param idleTimeout                {@code SOCKET_IDLE_TIMEOUT_MS}: a socket whose client sent nothing
     *                                   this long is closed with 1000 (Phoenix's 60 s websocket timeout)
     */
    public record InboundLimits(long bufferBudgetBytes, Duration unjoinedTimeout, int maxUnjoinedSocketsPerTenant,
                                Duration idleTimeout) {

        /** The defaults: 256 MB, 30 s, 1000 sockets, 60 s. */
        public static final InboundLimits DEFAULT = new InboundLimits(256L * 1024 * 1024, Duration.ofSeconds(30), 1000,
                Duration.ofSeconds(60));
    }
}
