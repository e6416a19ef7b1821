package io.mudrock.realtime.tenant;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneId;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

class TenantCacheTest {

    private final MutableClock clock = new MutableClock();
    private final List<String> loads = new ArrayList<>();
    private TenantStore store;
    private TenantCache cache;

    @BeforeEach
    void setUp() {
        store = new TenantStore(ManagementDatabase.fresh(), new SecretCipher("supabaserealtime", null));
        cache = new TenantCache(store, Duration.ofSeconds(30), clock, s -> loads.add(s.tenant().externalId()));
        store.upsert(TenantChanges.builder("a").jwtSecret("s").maxConcurrentUsers(1).build());
    }

    private int limitOf(String id) {
        return cache.get(id).orElseThrow().tenant().maxConcurrentUsers();
    }

    @Test
    void servesFromMemoryUntilInvalidated() {
        assertEquals(1, limitOf("a"));
        store.upsert(TenantChanges.builder("a").maxConcurrentUsers(2).build());
        assertEquals(1, limitOf("a"), "cached");
        assertEquals(List.of("a"), loads);
        cache.invalidate("a");
        assertEquals(2, limitOf("a"));
        assertEquals(List.of("a", "a"), loads);
    }

    @Test
    void reloadsAfterTheTimeToLive() {
        assertEquals(1, limitOf("a"));
        store.upsert(TenantChanges.builder("a").maxConcurrentUsers(2).build());
        clock.advance(Duration.ofSeconds(29));
        assertEquals(1, limitOf("a"));
        clock.advance(Duration.ofSeconds(1));
        assertEquals(2, limitOf("a"));
    }

    @Test
    void unknownTenantsAreNotCached() {
        assertTrue(cache.get("b").isEmpty());
        store.upsert(TenantChanges.builder("b").jwtSecret("s").build());
        assertTrue(cache.get("b").isPresent());
    }

    @Test
    void deletedTenantsDisappearOnInvalidateAll() {
        cache.get("a");
        store.delete("a");
        assertTrue(cache.get("a").isPresent(), "cached");
        cache.invalidateAll();
        assertTrue(cache.get("a").isEmpty());
    }

    @Test
    void knownTenantsAreCachedAndInvalidatedWithTheTenants() {
        assertEquals(Set.of("a"), cache.knownTenants().ids());
        store.upsert(TenantChanges.builder("b").jwtSecret("s").build());
        assertEquals(Set.of("a"), cache.knownTenants().ids(), "cached");
        cache.invalidate("b");
        assertEquals(Set.of("a", "b"), cache.knownTenants().ids());
        store.delete("b");
        clock.advance(Duration.ofSeconds(30));
        assertEquals(Set.of("a"), cache.knownTenants().ids());
    }

    @Test
    void timeToLiveMustBePositive() {
        assertThrows(IllegalArgumentException.class, () -> new TenantCache(store, Duration.ZERO, clock, s -> { }));
    }

    /** A clock tests move by hand, so nothing sleeps. */
    static final class MutableClock extends Clock {
        private Instant now = Instant.parse("2026-01-01T00:00:00Z");

        void advance(Duration by) {
            now = now.plus(by);
        }

        @Override
        public ZoneId getZone() {
            return ZoneOffset.UTC;
        }

        @Override
        public Clock withZone(ZoneId zone) {
            return this;
        }

        @Override
        public Instant instant() {
            return now;
        }
    }
}
