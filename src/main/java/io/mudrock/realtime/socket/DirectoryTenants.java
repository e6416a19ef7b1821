package io.mudrock.realtime.socket;

import io.mudrock.realtime.channel.ChannelTenant;
import io.mudrock.realtime.channel.ChannelTenants;
import io.mudrock.realtime.channel.TenantDataSources;
import io.mudrock.realtime.tenant.Tenant;
import io.mudrock.realtime.tenant.TenantDatabases;
import io.mudrock.realtime.tenant.TenantDirectory;
import io.mudrock.realtime.tenant.TenantLookup;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import java.sql.SQLException;
import java.time.Duration;
import java.util.Optional;
import javax.sql.DataSource;

/**
 * The tenant directory seen from the socket and channel layers: Host resolution for handshakes
 * and the REST API, each tenant's current settings for joins, and its database pool for the
 * private-channel checks. Every call reads through the directory's cache, so admin changes reach
 * the next join.
 */
@ApplicationScoped
public class DirectoryTenants implements TenantResolver, ChannelTenants, TenantDataSources {

    @Inject
    TenantDirectory directory;
    @Inject
    TenantDatabases databases;

    @Override
    public TenantResolution resolve(String hostHeader) {
        TenantLookup lookup = directory.resolve(hostHeader);
        if (lookup.tenant().isEmpty()) {
            return new TenantResolution.NotFound(lookup.resolution().tenantId(), lookup.notFoundDetail());
        }
        Tenant tenant = lookup.tenant().get().tenant();
        return new TenantResolution.Found(channelTenant(tenant), tenant.suspend());
    }

    @Override
    public Optional<ChannelTenant> find(String tenantId) {
        return directory.find(tenantId).map(DirectoryTenants::channelTenant);
    }

    @Override
    public DataSource dataSource(String tenantId) throws SQLException {
        Tenant tenant = directory.find(tenantId)
                .orElseThrow(() -> new SQLException("tenant " + tenantId + " no longer exists"));
        return databases.dataSource(tenant)
                .orElseThrow(() -> new SQLException("tenant " + tenantId + " has no postgres_cdc_rls database settings"));
    }

    /** The settings joins and broadcasts need, with upstream's server defaults for unset presence windows. */
    static ChannelTenant channelTenant(Tenant tenant) {
        int presenceCalls = tenant.maxClientPresenceEventsPerWindow() == null
                ? ChannelTenant.DEFAULT_CLIENT_PRESENCE_MAX_CALLS : tenant.maxClientPresenceEventsPerWindow();
        Duration presenceWindow = tenant.clientPresenceWindowMs() == null
                ? ChannelTenant.DEFAULT_CLIENT_PRESENCE_WINDOW : Duration.ofMillis(tenant.clientPresenceWindowMs());
        return new ChannelTenant(tenant.externalId(), tenant.presenceEnabled(), tenant.privateOnly(),
                tenant.maxConcurrentUsers(), tenant.maxEventsPerSecond(), tenant.maxChannelsPerClient(),
                tenant.maxJoinsPerSecond(), tenant.maxPresenceEventsPerSecond(), tenant.maxPayloadSizeInKb(),
                presenceCalls, presenceWindow, tenant.suspend());
    }
}
