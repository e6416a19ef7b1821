package io.mudrock.realtime.tenant;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * Creates or updates the self-hosted default tenant ({@code SEED_SELF_HOST}) from configuration.
 *
 * <p>Upstream deletes and re-creates the tenant on every boot; this seeder upserts instead, so limits
 * changed through the admin API survive restarts and a second run with the same settings writes
 * nothing (not even {@code updated_at}). The extension gets upstream's seed values: region
 * {@code us-east-1}, {@code poll_interval_ms} 100, {@code poll_max_record_bytes} 1048576, and
 * {@code ssl_enforced} as configured (upstream seeds {@code false}).
 *
 * <p>Limits: {@code max_events_per_second} is {@link #SELF_HOST_MAX_EVENTS_PER_SECOND} instead of
 * upstream's 100, because here it is also each client connection's budget of database changes, and
 * a self-hosted project's viewers must receive an ordinary bulk write (a data import of 10,000
 * rows) within seconds. It is written when the tenant is created, and raised from upstream's 100
 * (what every earlier seed left there) on an existing tenant; any other value set through the
 * admin API is kept.
 */
public final class SelfHostSeeder {

    /** The region upstream's seed writes. */
    public static final String SEED_REGION = "us-east-1";

    /**
     * The default tenant's {@code max_events_per_second}: a connection may take 5 s of it at once
     * (25,000 changes), then 5,000 a second averaged over a minute.
     */
    public static final int SELF_HOST_MAX_EVENTS_PER_SECOND = 5_000;

    private final TenantStore store;

    /** @param store where the tenant is written */
    public SelfHostSeeder(TenantStore store) {
        this.store = Objects.requireNonNull(store, "store");
    }

    /** Writes the default tenant if anything differs from the settings; says what happened. */
    public TenantStore.UpsertResult seed(Settings settings) {
        Map<String, Object> cdc = new LinkedHashMap<>();
        cdc.put("db_name", settings.dbName());
        cdc.put("db_host", settings.dbHost());
        cdc.put("db_user", settings.dbUser());
        cdc.put("db_password", settings.dbPassword());
        cdc.put("db_port", settings.dbPort());
        cdc.put("region", SEED_REGION);
        cdc.put("poll_interval_ms", PostgresCdcSettings.DEFAULT_POLL_INTERVAL_MS);
        cdc.put("poll_max_record_bytes", PostgresCdcSettings.DEFAULT_POLL_MAX_RECORD_BYTES);
        cdc.put("publication", settings.publication());
        cdc.put("ssl_enforced", settings.sslEnforced());
        boolean upstreamBudget = store.findByExternalId(settings.tenantName())
                .map(stored -> stored.tenant().maxEventsPerSecond() == Tenant.DEFAULT_MAX_EVENTS_PER_SECOND)
                .orElse(true);
        return store.upsert(TenantChanges.builder(settings.tenantName())
                .name(settings.tenantName())
                .maxEventsPerSecond(upstreamBudget ? SELF_HOST_MAX_EVENTS_PER_SECOND : null)
                .jwtSecret(settings.jwtSecret())
                .jwtJwks(settings.jwtJwks())
                .extensions(List.of(new ExtensionChange(PostgresCdcSettings.TYPE, cdc)))
                .build());
    }

    /**
     * The configuration the default tenant is built from.
     *
     * @param tenantName  {@code SELF_HOST_TENANT_NAME} (upstream default {@code realtime-dev})
     * @param jwtSecret   plaintext HS* secret ({@code JWT_SECRET})
     * @param jwtJwks     optional JWKS JSON ({@code API_JWT_JWKS} upstream), or null
     * @param dbHost      tenant database host
     * @param dbPort      tenant database port, as text
     * @param dbName      tenant database name
     * @param dbUser      tenant database user
     * @param dbPassword  tenant database password
     * @param publication publication to stream ({@code supabase_realtime})
     * @param sslEnforced whether the tenant database connection must use TLS
     */
    public record Settings(String tenantName, String jwtSecret, String jwtJwks, String dbHost, String dbPort,
                           String dbName, String dbUser, String dbPassword, String publication, boolean sslEnforced) {

        public Settings {
            Objects.requireNonNull(tenantName, "tenantName");
            Objects.requireNonNull(publication, "publication");
        }

        /** Never prints the secret or the password. */
        @Override
        public String toString() {
            return "Settings[tenantName=" + tenantName + ", jwtSecret=" + (jwtSecret == null ? "none" : "***")
                    + ", jwtJwks=" + (jwtJwks == null ? "none" : "***") + ", dbHost=" + dbHost + ", dbPort=" + dbPort
                    + ", dbName=" + dbName + ", dbUser=" + dbUser + ", dbPassword=***, publication=" + publication
                    + ", sslEnforced=" + sslEnforced + "]";
        }
    }
}
