package io.mudrock.realtime.tenant;

/**
 * The settings of a tenant's {@code postgres_cdc_rls} extension: where its database is and how changes
 * are read from it. The five connection fields are stored encrypted and held here decrypted.
 *
 * <p>{@code sslEnforced} defaults to {@code true} when the key is absent, as upstream does
 * ({@code Realtime.Database.default_ssl_param/1}); a plain self-hosted PostgreSQL therefore needs
 * {@code "ssl_enforced": false}, which the self-host seed writes.
 *
 * @param dbHost             host name or IP address of the tenant database
 * @param dbPort             port, kept as text because upstream stores it as a string
 * @param dbName             database name
 * @param dbUser             user that owns the {@code realtime} schema objects and may replicate
 * @param dbPassword         that user's password
 * @param region             placement region (informational here)
 * @param publication        publication whose tables are streamed
 * @param slotName           replication slot name prefix
 * @param sslEnforced        whether the connection must use TLS
 * @param pollIntervalMs     upstream poll interval
 * @param pollMaxChanges     upstream changes per poll
 * @param pollMaxRecordBytes records larger than this are cut down and flagged 413
 * @param dbPool             authorization connection pool size
 * @param subscriberPoolSize subscription pool size ({@code subcriber_pool_size}, sic)
 */
public record PostgresCdcSettings(
        String dbHost,
        String dbPort,
        String dbName,
        String dbUser,
        String dbPassword,
        String region,
        String publication,
        String slotName,
        boolean sslEnforced,
        int pollIntervalMs,
        int pollMaxChanges,
        int pollMaxRecordBytes,
        int dbPool,
        int subscriberPoolSize) {

    /** The stored extension type; API input {@code postgres} is renamed to it. */
    public static final String TYPE = "postgres_cdc_rls";
    /** Upstream default publication. */
    public static final String DEFAULT_PUBLICATION = "supabase_realtime";
    /** Upstream default slot name. */
    public static final String DEFAULT_SLOT_NAME = "supabase_realtime_replication_slot";
    /** Upstream default when {@code ssl_enforced} is absent. */
    public static final boolean DEFAULT_SSL_ENFORCED = true;
    /** Upstream default. */
    public static final int DEFAULT_POLL_INTERVAL_MS = 100;
    /** Upstream default. */
    public static final int DEFAULT_POLL_MAX_CHANGES = 100;
    /** Upstream default. */
    public static final int DEFAULT_POLL_MAX_RECORD_BYTES = 1_048_576;
    /** Upstream default. */
    public static final int DEFAULT_DB_POOL = 1;
    /** Upstream default. */
    public static final int DEFAULT_SUBSCRIBER_POOL_SIZE = 4;

    /** Never prints the password. */
    @Override
    public String toString() {
        return "PostgresCdcSettings[dbHost=" + dbHost + ", dbPort=" + dbPort + ", dbName=" + dbName
                + ", dbUser=" + dbUser + ", dbPassword=" + (dbPassword == null ? "none" : "***")
                + ", region=" + region + ", publication=" + publication + ", slotName=" + slotName
                + ", sslEnforced=" + sslEnforced + ", pollIntervalMs=" + pollIntervalMs
                + ", pollMaxChanges=" + pollMaxChanges + ", pollMaxRecordBytes=" + pollMaxRecordBytes
                + ", dbPool=" + dbPool + ", subscriberPoolSize=" + subscriberPoolSize + "]";
    }
}
