package io.mudrock.realtime.tenant;

import com.zaxxer.hikari.HikariDataSource;
import io.mudrock.realtime.config.RealtimeConfig;
import io.mudrock.realtime.database.ConnectionPools;
import jakarta.annotation.PreDestroy;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;

import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import javax.sql.DataSource;

/**
 * One small connection pool per tenant database (join checks, RLS checks, the doctor), opened on
 * first use and closed when the tenant changes or goes.
 */
@ApplicationScoped
public class TenantDatabases {

    private static final int POOL_SIZE = 4;

    private final Map<String, Pool> pools = new ConcurrentHashMap<>();

    /** The tenant database's pool, or empty when the tenant has no database settings. */
    public Optional<DataSource> dataSource(Tenant tenant) {
        PostgresCdcSettings cdc = tenant.postgresCdc();
        if (cdc == null || cdc.dbHost() == null) {
            return Optional.empty();
        }
        RealtimeConfig.DatabaseSettings settings = settingsOf(cdc);
        Pool pool = pools.compute(tenant.externalId(), (id, existing) -> {
            if (existing != null && existing.settings.equals(settings)) {
                return existing;
            }
            if (existing != null) {
                existing.dataSource.close();
            }
            return new Pool(settings, ConnectionPools.open("realtime_tenant_" + id, settings, POOL_SIZE));
        });
        return Optional.of(pool.dataSource);
    }

    /** pgjdbc settings of a tenant's database; SSL as upstream's {@code ssl_enforced}. */
    public static RealtimeConfig.DatabaseSettings settingsOf(PostgresCdcSettings cdc) {
        int port;
        try {
            port = Integer.parseInt(cdc.dbPort());
        } catch (NumberFormatException e) {
            port = 5432;
        }
        String name = cdc.dbName() + (cdc.sslEnforced() ? "?sslmode=require" : "");
        return new RealtimeConfig.DatabaseSettings(cdc.dbHost(), port, name, cdc.dbUser(),
                cdc.dbPassword() == null ? "" : cdc.dbPassword(), Optional.empty());
    }

    /** Closes the tenant's pool; the next use opens a new one. */
    public void close(String externalId) {
        Pool pool = pools.remove(externalId);
        if (pool != null) {
            pool.dataSource.close();
        }
    }

    void onTenantEvent(@Observes TenantEvent event) {
        if (event.kind() != TenantEvent.Kind.UPDATED) {
            close(event.externalId());
        }
    }

    @PreDestroy
    void closeAll() {
        pools.values().forEach(pool -> pool.dataSource.close());
        pools.clear();
    }

    private record Pool(RealtimeConfig.DatabaseSettings settings, HikariDataSource dataSource) {
    }
}
