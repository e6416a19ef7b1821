package io.mudrock.realtime.channel;

import java.util.Optional;

/** Finds the current state of a tenant by id, for each join (the tenant may change or go away). */
@FunctionalInterface
public interface ChannelTenants {

    /**
     * @param tenantId the external id
     * @return the tenant, or empty if it no longer exists
     */
    Optional<ChannelTenant> find(String tenantId);
}
