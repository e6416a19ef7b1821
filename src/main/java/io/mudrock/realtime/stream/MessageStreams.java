package io.mudrock.realtime.stream;

import io.mudrock.realtime.channel.ChannelMember;
import io.mudrock.realtime.channel.ChannelRegistry;
import io.mudrock.realtime.channel.DatabaseBroadcasts;
import io.mudrock.realtime.config.RealtimeConfig;
import io.mudrock.realtime.tenant.TenantDirectory;
import io.mudrock.realtime.tenant.TenantEvent;
import jakarta.annotation.PreDestroy;
import jakarta.annotation.Resource;
import jakarta.enterprise.concurrent.ManagedExecutorService;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.context.Initialized;
import jakarta.enterprise.event.Observes;
import jakarta.inject.Inject;
import java.util.Comparator;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Future;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.logging.Logger;

/**
 * The server's Broadcast from Database: one {@link MessageStream} per tenant that has channels on
 * this server, started by the first join ({@link ChannelRegistry#joinListener}), retired when the
 * channels are gone, stopped on tenant deletion or reload and on shutdown. Answers
 * {@code config.broadcast.replication_ready} once the tenant's stream is established.
 */
@ApplicationScoped
public class MessageStreams {

    private static final Logger LOG = Logger.getLogger(MessageStreams.class.getName());

    @Inject
    TenantDirectory tenants;
    @Inject
    RealtimeConfig config;
    @Inject
    ChannelRegistry registry;
    @Resource
    ManagedExecutorService executor;

    private final ConcurrentHashMap<String, Running> streams = new ConcurrentHashMap<>();
    private volatile DatabaseBroadcasts broadcasts;
    private volatile boolean shuttingDown;

    /** One tenant's stream and its task. */
    private record Running(MessageStream stream, Future<?> task) {
    }

    /**
     * The state of one tenant's stream.
     *
     * @param tenantId the tenant
     * @param streaming whether its slot is being streamed
     * @param slot the slot name
     * @param problem the last connection problem, or null
     */
    public record Status(String tenantId, boolean streaming, String slot, String problem) {
    }

    /** Starts listening for joins with the application. */
    void onStart(@Observes @Initialized(ApplicationScoped.class) Object event) {
        broadcasts = new DatabaseBroadcasts(registry);
        registry.joinListener(this::joined);
    }

    private void joined(ChannelMember member) {
        if (shuttingDown) {
            return;
        }
        Running running = streams.compute(member.tenantId(), (id, existing) ->
                existing != null && existing.stream().alive() ? existing : start(id));
        if (running != null && DatabaseBroadcasts.wantsReplicationReady(member)) {
            running.stream().whenStreaming(() -> DatabaseBroadcasts.replicationReady(member));
        }
    }

    private Running start(String tenantId) {
        DatabaseBroadcasts delivery = broadcasts;
        MessageStream stream = new MessageStream(tenantId, tenants::find, m -> delivery.deliver(tenantId, m.topic(),
                m.privateMessage(), m.id(), m.event(), m.payloadJson(), m.binaryPayload()), registry::hasChannels,
                this::retire, config.replication());
        try {
            return new Running(stream, executor.submit(stream));
        } catch (RejectedExecutionException e) {
            return null; // the server is stopping
        }
    }

    /**
     * Retires a stream whose tenant has no channels, in the same map update joins use: a join
     * either finds the stream alive before this runs (and this then sees its channel), or finds it
     * gone and starts a new one.
     */
    private boolean retire(MessageStream stream) {
        boolean[] retired = {false};
        streams.compute(stream.tenantId(), (id, running) -> {
            if (running == null || running.stream() != stream) {
                retired[0] = true; // replaced or forgotten: this one is on its way out
                return running;
            }
            if (registry.hasChannels(id)) {
                return running;
            }
            stream.markRetired();
            retired[0] = true;
            return null;
        });
        return retired[0];
    }

    /** Deleted or reloaded: stop; the next join starts a stream with the new settings. */
    void onTenantEvent(@Observes TenantEvent event) {
        if (event.kind() == TenantEvent.Kind.DELETED || event.kind() == TenantEvent.Kind.RELOADED) {
            Running running = streams.remove(event.externalId());
            if (running != null) {
                running.stream().requestStop();
            }
        }
    }

    /** @return the state of every tenant's stream, by tenant id */
    public List<Status> statuses() {
        return streams.entrySet().stream()
                .map(e -> new Status(e.getKey(), e.getValue().stream().streaming(), e.getValue().stream().slot(),
                        e.getValue().stream().problem()))
                .sorted(Comparator.comparing(Status::tenantId)).toList();
    }

    /**
     * @param tenantId the tenant
     * @return its stream's state, if it has one
     */
    public Optional<Status> status(String tenantId) {
        return statuses().stream().filter(s -> s.tenantId().equals(tenantId)).findFirst();
    }

    /** Stops every stream: flag, wait a little, then close the connections of those still running. */
    @PreDestroy
    void stopAll() {
        shuttingDown = true;
        registry.joinListener(null);
        List<Running> all = List.copyOf(streams.values());
        streams.clear();
        all.forEach(r -> r.stream().requestStop());
        for (Running running : all) {
            try {
                running.task().get(5, TimeUnit.SECONDS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                running.stream().abort();
            } catch (Exception e) {
                running.stream().abort(); // stuck or failed: its connection goes now
            }
        }
        if (!all.isEmpty()) {
            LOG.info(() -> "Stopped the Broadcast from Database streams of " + all.size() + " tenants");
        }
    }
}
