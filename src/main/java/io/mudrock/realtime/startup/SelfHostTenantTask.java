package io.mudrock.realtime.startup;

import io.mudrock.realtime.config.RealtimeConfig;
import io.mudrock.realtime.database.ManagementDatabase;
import io.mudrock.realtime.tenant.ApiKeyFormat;
import io.mudrock.realtime.tenant.ApiKeyKind;
import io.mudrock.realtime.protocol.LogText;
import io.mudrock.realtime.tenant.SelfHostSeeder;
import io.mudrock.realtime.tenant.TenantDirectory;
import io.mudrock.realtime.tenant.TenantEvent;
import io.mudrock.realtime.tenant.TenantStore;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;

import java.util.Map;
import java.util.logging.Logger;

/**
 * {@code SEED_SELF_HOST}: creates or updates the default tenant from {@code JWT_SECRET} and the
 * {@code DB_*} database on every start, writing nothing when nothing changed. With the embedded
 * database it also registers the opaque keys the banner prints ({@link #DEFAULT_KEY_NAMES}), derived
 * from {@code JWT_SECRET} so that only their hashes need storing.
 */
@ApplicationScoped
public class SelfHostTenantTask implements StartupTask {

    private static final Logger LOG = Logger.getLogger(SelfHostTenantTask.class.getName());

    /** The names the embedded default's opaque keys are registered under. */
    static final Map<ApiKeyKind, String> DEFAULT_KEY_NAMES = Map.of(
            ApiKeyKind.PUBLISHABLE, "default publishable", ApiKeyKind.SECRET, "default secret");

    @Inject
    TenantDirectory tenants;

    @Override
    public void run(RealtimeConfig config, ManagementDatabase database) {
        if (!config.seedSelfHost()) {
            return;
        }
        RealtimeConfig.DatabaseSettings db = database.settings();
        TenantStore.UpsertResult result = new SelfHostSeeder(tenants.store()).seed(new SelfHostSeeder.Settings(
                config.selfHostTenantName(), config.tenantJwtSecret().orElseThrow(), null,
                db.host(), String.valueOf(db.port()), db.name(), db.user(), db.password(),
                config.publication(), false));
        boolean keysChanged = false;
        if (config.usesEmbeddedDatabase()) {
            for (Map.Entry<ApiKeyKind, String> key : DEFAULT_KEY_NAMES.entrySet()) {
                keysChanged |= tenants.apiKeyStore().put(config.selfHostTenantName(), key.getKey(), key.getValue(),
                        ApiKeyFormat.derive(key.getKey(), config.tenantJwtSecret().orElseThrow()));
            }
        }
        if (result.changed() || keysChanged) {
            tenants.changed(config.selfHostTenantName(), TenantEvent.Kind.UPDATED);
        }
        LOG.info(() -> LogText.tenant(config.selfHostTenantName()) + ": default tenant "
                + (result.created() ? "created" : result.changed() ? "updated" : "already up to date"));
    }
}
