package io.mudrock.realtime.tenant;

import java.nio.ByteBuffer;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentMap;
import java.util.concurrent.atomic.AtomicLong;

/**
 * The one owner of cached API keys: each tenant's keys by hash, loaded through the
 * {@link ApiKeyStore} and kept until {@link #invalidate} or the time to live, as
 * {@link TenantCache} keeps tenants. A key is found by hashing the presented text and looking the
 * hash up, so no comparison depends on how much of a guess was right, and a flood of unknown keys
 * costs a hash each, not a database query.
 *
 * <p>Thread-safe; a load that overlaps an invalidation is not kept, so a revoked key is never
 * served from an older read.
 */
public final class ApiKeyCache {

    private final ApiKeyStore store;
    private final Duration ttl;
    private final Clock clock;
    private final ConcurrentMap<String, Entry> tenants = new ConcurrentHashMap<>();
    private final AtomicLong generation = new AtomicLong();

    /**
     * @param store where keys are loaded from
     * @param ttl   how long a tenant's loaded keys are served (positive); catches changes made with SQL
     * @param clock time source, fixed in tests
     */
    public ApiKeyCache(ApiKeyStore store, Duration ttl, Clock clock) {
        this.store = Objects.requireNonNull(store, "store");
        this.ttl = Objects.requireNonNull(ttl, "ttl");
        if (ttl.isNegative() || ttl.isZero()) {
            throw new IllegalArgumentException("ttl must be positive");
        }
        this.clock = Objects.requireNonNull(clock, "clock");
    }

    /** The tenant's registered key that {@code key} is, if any. */
    public Optional<ApiKey> find(String tenantExternalId, String key) {
        if (key.length() > ApiKeyFormat.MAX_LENGTH) {
            return Optional.empty(); // never registered, and not worth hashing
        }
        return Optional.ofNullable(keys(tenantExternalId).get(ByteBuffer.wrap(ApiKeyFormat.hash(key))));
    }

    /** Forgets one tenant's keys. */
    public void invalidate(String tenantExternalId) {
        generation.incrementAndGet();
        tenants.remove(tenantExternalId);
    }

    private Map<ByteBuffer, ApiKey> keys(String tenantExternalId) {
        Entry cached = tenants.get(tenantExternalId);
        Instant now = clock.instant();
        if (cached != null && now.isBefore(cached.expires)) {
            return cached.keys;
        }
        long seen = generation.get();
        Entry loaded = new Entry(Map.copyOf(store.byHash(tenantExternalId)), now.plus(ttl));
        tenants.put(tenantExternalId, loaded);
        if (generation.get() != seen) {
            tenants.remove(tenantExternalId, loaded); // invalidated while loading: the read may predate a revocation
        }
        return loaded.keys;
    }

    private record Entry(Map<ByteBuffer, ApiKey> keys, Instant expires) {
    }
}
