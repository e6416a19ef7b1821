package io.mudrock.realtime.stream;

import io.mudrock.realtime.channel.ClientClaims;
import io.mudrock.realtime.channel.PostgresBinding;
import io.mudrock.realtime.channel.PostgresChangesGateway;
import io.mudrock.realtime.channel.PostgresChangesSubscription;
import io.mudrock.realtime.channel.PostgresChangesTarget;
import io.mudrock.realtime.config.RealtimeConfig;
import io.mudrock.realtime.tenant.TenantDirectory;
import io.mudrock.realtime.tenant.TenantEvent;
import jakarta.annotation.PreDestroy;
import jakarta.annotation.Resource;
import jakarta.enterprise.concurrent.ManagedExecutorService;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import jakarta.inject.Inject;
import java.util.Collection;
import java.util.Comparator;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ConcurrentHashMap;
import java.util.logging.Logger;

/**
 * The server's {@code postgres_changes}: owns one {@link TenantStream} per tenant that has had
 * bindings, each streaming its database on Liberty's managed executor while bindings are live.
 * The channel layer registers joins here ({@link PostgresChangesGateway}); tenant deletion and
 * reload stop a tenant's stream (and drop its slot); shutdown stops them all.
 */
@ApplicationScoped
public class ReplicationStreams implements PostgresChangesGateway {

    private static final Logger LOG = Logger.getLogger(ReplicationStreams.class.getName());

    @Inject
    TenantDirectory tenants;
    @Inject
    RealtimeConfig config;
    @Resource
    ManagedExecutorService executor;

    private final ConcurrentHashMap<String, TenantStream> streams = new ConcurrentHashMap<>();
    private volatile boolean shuttingDown;

    @Override
    public CompletionStage<PostgresChangesSubscription> subscribe(PostgresChangesTarget target,
            List<PostgresBinding> bindings, ClientClaims claims) {
        if (shuttingDown) {
            return CompletableFuture.completedFuture(NOTHING);
        }
        TenantStream stream = streams.computeIfAbsent(target.tenantId(),
                id -> new TenantStream(id, tenants::find, executor, config.replication()));
        return stream.subscribe(target, bindings, claims);
    }

    /** @return the tenants' streams now, for the metrics sampler */
    Collection<TenantStream> tenantStreams() {
        return streams.values();
    }

    /** Deleted: stop and forget (its slot goes with it). Reloaded: restart with the new settings. */
    void onTenantEvent(@Observes TenantEvent event) {
        switch (event.kind()) {
            case DELETED -> {
                TenantStream stream = streams.remove(event.externalId());
                if (stream != null) {
                    stream.stop(true, "tenant deleted");
                }
            }
            case RELOADED -> {
                TenantStream stream = streams.get(event.externalId());
                if (stream != null) {
                    stream.reload();
                }
            }
            case UPDATED -> {
                // limits are read by the running task; nothing to restart
            }
        }
    }

    /** @return the state of every tenant's stream, by tenant id */
    public List<StreamStatus> statuses() {
        return streams.values().stream().map(TenantStream::status)
                .sorted(Comparator.comparing(StreamStatus::tenantId)).toList();
    }

    /** @return the state of one tenant's stream, if it ever had bindings */
    public Optional<StreamStatus> status(String tenantId) {
        TenantStream stream = streams.get(tenantId);
        return stream == null ? Optional.empty() : Optional.of(stream.status());
    }

    /** Stops every stream: flag, close, wait, then cancel, one tenant after another. */
    @PreDestroy
    void stopAll() {
        shuttingDown = true;
        int count = streams.size();
        streams.values().forEach(stream -> stream.stop(true, "server shutting down"));
        streams.clear();
        if (count > 0) {
            LOG.info(() -> "Stopped the change streams of " + count + " tenants");
        }
    }

    private static final PostgresChangesSubscription NOTHING = new PostgresChangesSubscription() {
        @Override
        public void updateClaims(ClientClaims claims) {
            // the server is stopping: nothing is delivered any more
        }

        @Override
        public void close() {
            // nothing was registered
        }
    };
}
