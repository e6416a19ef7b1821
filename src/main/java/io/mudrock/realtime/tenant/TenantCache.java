package io.mudrock.realtime.tenant;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentMap;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Consumer;

/**
 * The one owner of cached tenant state: tenants by external id and the set of known ids, loaded through
 * the {@link TenantStore} and kept until {@link #invalidate}, {@link #invalidateAll} or the time to live
 * ({@code TENANT_CACHE_EXPIRATION_IN_MS}, upstream 30 s) says otherwise. The time to live catches
 * changes made behind our back (SQL, an upstream server on the same table); admin changes invalidate
 * explicitly.
 *
 * <p>Thread-safe. Loads run outside any lock; a load that overlaps an invalidation is not kept, so an
 * admin change is never hidden by an older read. Unknown tenants are not cached, as upstream.
 */
public final class TenantCache {

    private final TenantStore store;
    private final Duration ttl;
    private final Clock clock;
    private final Consumer<StoredTenant> onLoad;
    private final ConcurrentMap<String, Entry<StoredTenant>> tenants = new ConcurrentHashMap<>();
    private final AtomicLong generation = new AtomicLong();
    private volatile Entry<KnownTenants> known;

    /**
     * @param store  where tenants are loaded from
     * @param ttl    how long a loaded tenant is served before it is read again (positive)
     * @param clock  time source, fixed in tests
     * @param onLoad told of every tenant actually read from the store, e.g. to log its secret problems
     *               once per load rather than on every connection
     */
    public TenantCache(TenantStore store, Duration ttl, Clock clock, Consumer<StoredTenant> onLoad) {
        this.store = Objects.requireNonNull(store, "store");
        this.ttl = Objects.requireNonNull(ttl, "ttl");
        if (ttl.isNegative() || ttl.isZero()) {
            throw new IllegalArgumentException("ttl must be positive");
        }
        this.clock = Objects.requireNonNull(clock, "clock");
        this.onLoad = Objects.requireNonNull(onLoad, "onLoad");
    }

    /** The tenant with this external id, from the cache or the store. */
    public Optional<StoredTenant> get(String externalId) {
        Entry<StoredTenant> cached = tenants.get(externalId);
        if (cached != null && cached.fresh(clock.instant())) {
            return Optional.of(cached.value);
        }
        long seen = generation.get();
        Optional<StoredTenant> loaded = store.findByExternalId(externalId);
        loaded.ifPresent(onLoad);
        if (loaded.isPresent()) {
            Entry<StoredTenant> entry = new Entry<>(loaded.get(), clock.instant().plus(ttl));
            tenants.put(externalId, entry);
            if (generation.get() != seen) {
                tenants.remove(externalId, entry); // invalidated while loading: the read may predate the change
            }
        } else {
            tenants.remove(externalId);
        }
        return loaded;
    }

    /** The external ids of all tenants, for {@link TenantHostResolver}. */
    public KnownTenants knownTenants() {
        Entry<KnownTenants> cached = known;
        if (cached != null && cached.fresh(clock.instant())) {
            return cached.value;
        }
        long seen = generation.get();
        KnownTenants loaded = store.knownTenants();
        if (generation.get() == seen) {
            known = new Entry<>(loaded, clock.instant().plus(ttl));
        }
        return loaded;
    }

    /** Forgets one tenant (and the id set, since it may have been created or deleted). */
    public void invalidate(String externalId) {
        generation.incrementAndGet();
        tenants.remove(externalId);
        known = null;
    }

    /** Forgets everything. */
    public void invalidateAll() {
        generation.incrementAndGet();
        tenants.clear();
        known = null;
    }

    private record Entry<T>(T value, Instant expires) {
        boolean fresh(Instant now) {
            return now.isBefore(expires);
        }
    }
}
