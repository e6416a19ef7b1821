package io.mudrock.realtime.socket;

import io.mudrock.realtime.channel.ChannelTenant;
import io.mudrock.realtime.channel.TenantLookup;
import io.mudrock.realtime.config.RealtimeConfig;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import java.util.Locale;
import java.util.Optional;

/**
 * Stopgap until the tenant directory is merged: the only tenant is the self-host one
 * ({@code SELF_HOST_TENANT_NAME}) with upstream's default limits. It is selected by a Host whose
 * first label is its name, or by an IP address, {@code localhost} or no Host at all.
 */
@ApplicationScoped
public class SelfHostTenants implements TenantResolver, TenantLookup {

    @Inject
    RealtimeConfig config;

    @Override
    public TenantResolution resolve(String hostHeader) {
        String host = hostHeader == null ? "" : hostHeader.trim().toLowerCase(Locale.ROOT);
        if (host.startsWith("[")) {
            host = "::1"; // any IPv6 literal: the default tenant
        } else if (host.indexOf(':') >= 0 && host.indexOf(':') == host.lastIndexOf(':')) {
            host = host.substring(0, host.indexOf(':'));
        }
        boolean special = host.isEmpty() || host.equals("localhost") || host.contains(":")
                || host.matches("\\d{1,3}(\\.\\d{1,3}){3}");
        String derived = special ? config.selfHostTenantName() : host.split("\\.", 2)[0];
        Optional<ChannelTenant> tenant = find(derived);
        if (tenant.isPresent()) {
            return new TenantResolution.Found(tenant.get(), false);
        }
        return new TenantResolution.NotFound(derived, "tenant '" + derived + "' derived from host '" + host
                + "' by its first label");
    }

    @Override
    public Optional<ChannelTenant> find(String tenantId) {
        if (!config.selfHostTenantName().equals(tenantId)) {
            return Optional.empty();
        }
        return Optional.of(new ChannelTenant(tenantId, false, false, 200, 100, 100, 100, 1000, 3000,
                ChannelTenant.DEFAULT_CLIENT_PRESENCE_MAX_CALLS, ChannelTenant.DEFAULT_CLIENT_PRESENCE_WINDOW));
    }
}
