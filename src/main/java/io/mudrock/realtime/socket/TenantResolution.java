package io.mudrock.realtime.socket;

import io.mudrock.realtime.channel.ChannelTenant;

/** Which tenant a request's Host header selects. */
public sealed interface TenantResolution permits TenantResolution.Found, TenantResolution.NotFound {

    /**
     * An existing tenant.
     *
     * @param tenant the tenant
     * @param suspended whether it is suspended ({@code suspend}): connections are refused
     */
    record Found(ChannelTenant tenant, boolean suspended) implements TenantResolution {
    }

    /**
     * No tenant for this host.
     *
     * @param tenantId the id derived from the host, for the log
     * @param explanation one sentence saying how the id was derived from which host
     */
    record NotFound(String tenantId, String explanation) implements TenantResolution {
    }
}
