package io.mudrock.realtime.tenant;

import io.mudrock.realtime.config.RealtimeConfig;
import io.mudrock.realtime.database.ManagementDatabase;
import io.mudrock.realtime.protocol.LogText;
import jakarta.annotation.PostConstruct;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Event;
import jakarta.inject.Inject;

import java.time.Clock;
import java.time.Duration;
import java.util.Optional;
import java.util.logging.Logger;

/**
 * The server's view of its tenants: the store on {@code _realtime}, the cache in front of it, the
 * host rule and the tenants' opaque API keys. Admin writes go through here so the caches are
 * invalidated and the live parts of the server are told ({@link TenantEvent}).
 */
@ApplicationScoped
public class TenantDirectory {

    private static final Logger LOG = Logger.getLogger(TenantDirectory.class.getName());
    private static final Duration CACHE_TTL = Duration.ofSeconds(30);

    @Inject
    RealtimeConfig config;
    @Inject
    ManagementDatabase database;
    @Inject
    Event<TenantEvent> events;

    private TenantStore store;
    private TenantCache cache;
    private ApiKeyStore apiKeyStore;
    private ApiKeyCache apiKeys;
    private TenantHostResolver resolver;

    @PostConstruct
    void init() {
        store = new TenantStore(database.dataSource(),
                new SecretCipher(config.encryptionKey(), config.gcmEncryptionKey().orElse(null)));
        cache = new TenantCache(store, CACHE_TTL, Clock.systemUTC(), TenantDirectory::reportProblems);
        apiKeyStore = new ApiKeyStore(database.dataSource());
        apiKeys = new ApiKeyCache(apiKeyStore, CACHE_TTL, Clock.systemUTC());
        resolver = new TenantHostResolver(config.selfHostTenantName());
    }

    /** Finds the tenant a request's Host header names. */
    public TenantLookup resolve(String hostHeader) {
        HostResolution resolution = resolver.resolve(hostHeader, cache.knownTenants());
        Optional<StoredTenant> tenant = resolution.found() ? cache.get(resolution.tenantId()) : Optional.empty();
        return new TenantLookup(resolution, tenant);
    }

    /** A tenant by external id, through the cache. */
    public Optional<Tenant> find(String externalId) {
        return cache.get(externalId).map(StoredTenant::tenant);
    }

    /** The store, for the admin API's reads and writes. */
    public TenantStore store() {
        return store;
    }

    /** The tenant's registered opaque API key that {@code key} is, through the cache. */
    public Optional<ApiKey> findApiKey(String externalId, String key) {
        return apiKeys.find(externalId, key);
    }

    /** The API key store, for the admin API and the seeding. */
    public ApiKeyStore apiKeyStore() {
        return apiKeyStore;
    }

    /** Forgets the cached tenant and tells the server's live parts what happened. */
    public void changed(String externalId, TenantEvent.Kind kind) {
        announce(externalId, kind, false);
    }

    /** The same for a change another node of the cluster made and announced. */
    public void changedElsewhere(String externalId, TenantEvent.Kind kind) {
        announce(externalId, kind, true);
    }

    private void announce(String externalId, TenantEvent.Kind kind, boolean elsewhere) {
        cache.invalidate(externalId);
        apiKeys.invalidate(externalId);
        events.fire(new TenantEvent(externalId, kind, elsewhere));
    }

    private static void reportProblems(StoredTenant stored) {
        stored.problems().forEach(problem -> LOG.warning(LogText.tenant(problem.tenantExternalId()) + ": " + problem.message()));
    }
}
