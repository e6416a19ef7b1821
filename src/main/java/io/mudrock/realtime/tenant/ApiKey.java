package io.mudrock.realtime.tenant;

import java.time.Instant;
import java.util.Objects;
import java.util.UUID;

/**
 * One registered opaque API key of a tenant, without the key itself: only its hash is stored, and
 * {@code hint} (the prefix and first characters) is what lets an operator tell keys apart.
 *
 * @param id               primary key, what revocation names
 * @param tenantExternalId the tenant the key belongs to
 * @param kind             publishable ({@code anon}) or secret ({@code service_role})
 * @param name             unique per tenant, chosen at registration
 * @param hint             e.g. {@code sb_secret_Ab3k...}
 * @param insertedAt       registration time (UTC)
 */
public record ApiKey(UUID id, String tenantExternalId, ApiKeyKind kind, String name, String hint, Instant insertedAt) {

    public ApiKey {
        Objects.requireNonNull(id, "id");
        Objects.requireNonNull(tenantExternalId, "tenantExternalId");
        Objects.requireNonNull(kind, "kind");
        Objects.requireNonNull(name, "name");
        Objects.requireNonNull(hint, "hint");
        Objects.requireNonNull(insertedAt, "insertedAt");
    }
}
