package io.mudrock.realtime.socket;

import io.mudrock.realtime.channel.TenantDataSources;
import io.mudrock.realtime.database.ManagementDatabase;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import javax.sql.DataSource;

/**
 * Stopgap until per-tenant pools are merged: the self-host tenant's database is the management
 * database in the default run.
 */
@ApplicationScoped
public class ManagementTenantDataSources implements TenantDataSources {

    @Inject
    ManagementDatabase database;

    @Override
    public DataSource dataSource(String tenantId) {
        return database.dataSource();
    }
}
