package io.mudrock.realtime.tenant;

import java.util.Set;

/**
 * A snapshot of the external ids of every tenant, which is all {@link TenantHostResolver} needs to
 * know about the store.
 *
 * @param ids the external ids (copied, unmodifiable)
 */
public record KnownTenants(Set<String> ids) {

    public KnownTenants {
        ids = Set.copyOf(ids);
    }

    /** Whether a tenant with this external id exists. */
    public boolean contains(String externalId) {
        return ids.contains(externalId);
    }

    /** How many tenants exist. */
    public int count() {
        return ids.size();
    }
}
