package io.mudrock.realtime.tenant;

import java.util.Optional;

/**
 * The answer to "which tenant does this request belong to": the host rule that applied, and the
 * tenant when it exists.
 *
 * @param resolution how the Host header was read
 * @param tenant     the tenant, empty when none has the derived id
 */
public record TenantLookup(HostResolution resolution, Optional<StoredTenant> tenant) {

    /** The message for an unknown tenant, naming the derived id and the host it came from. */
    public String notFoundDetail() {
        return "no tenant '" + resolution.tenantId() + "' (" + resolution.describe() + ")";
    }
}
