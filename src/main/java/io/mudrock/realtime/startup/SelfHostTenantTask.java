package io.mudrock.realtime.startup;

import io.mudrock.realtime.config.RealtimeConfig;
import io.mudrock.realtime.database.ManagementDatabase;
import io.mudrock.realtime.protocol.LogText;
import io.mudrock.realtime.tenant.SelfHostSeeder;
import io.mudrock.realtime.tenant.TenantDirectory;
import io.mudrock.realtime.tenant.TenantEvent;
import io.mudrock.realtime.tenant.TenantStore;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;

import java.util.logging.Logger;

/**
 * {@code SEED_SELF_HOST}: creates or updates the default tenant from {@code JWT_SECRET} and the
 * {@code DB_*} database on every start, writing nothing when nothing changed.
 */
@ApplicationScoped
public class SelfHostTenantTask implements StartupTask {

    private static final Logger LOG = Logger.getLogger(SelfHostTenantTask.class.getName());

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
        if (result.changed()) {
            tenants.changed(config.selfHostTenantName(), TenantEvent.Kind.UPDATED);
        }
        LOG.info(() -> LogText.tenant(config.selfHostTenantName()) + ": default tenant "
                + (result.created() ? "created" : result.changed() ? "updated" : "already up to date"));
    }
}
