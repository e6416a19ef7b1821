package io.mudrock.realtime.cluster;

import io.lettuce.core.RedisChannelHandler;
import io.lettuce.core.RedisConnectionStateListener;
import io.mudrock.realtime.channel.ChannelRegistry;
import io.mudrock.realtime.tenant.TenantDirectory;
import io.mudrock.realtime.tenant.TenantEvent;
import jakarta.annotation.PreDestroy;
import jakarta.annotation.Resource;
import jakarta.enterprise.concurrent.ManagedScheduledExecutorService;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.context.Initialized;
import jakarta.enterprise.event.Observes;
import jakarta.inject.Inject;
import java.net.SocketAddress;
import java.time.Duration;
import java.util.Locale;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.logging.Level;
import java.util.logging.Logger;

/**
 * This node's publish/subscribe link to the others when {@code REDIS_URL} is set: puts the
 * {@link BroadcastBus} between the channel registry and Redis at application start, before any
 * client joins, and announces tenant changes ({@link TenantChangeRelay}); without it nothing here
 * runs. If Redis is down at start the node serves its own clients and connects every
 * {@link #RETRY} until Redis answers.
 */
@ApplicationScoped
public class ClusterConnection {

    private static final Logger LOG = Logger.getLogger(ClusterConnection.class.getName());

    /** How long a join waits for its topic's subscription when Redis is slow or down. */
    static final Duration LISTEN_BOUND = Duration.ofSeconds(2);
    /** How often a node that could not reach Redis at start tries again. */
    static final Duration RETRY = Duration.ofSeconds(2);

    @Inject
    RedisEngine engine;
    @Inject
    ChannelRegistry registry;
    @Inject
    TenantDirectory tenants;
    @Resource
    ManagedScheduledExecutorService scheduler;

    private volatile BroadcastBus bus;
    private volatile TenantChangeRelay tenantChanges;
    private volatile RedisPubSubPort port;
    private volatile ScheduledFuture<?> retry;
    // Announced tenant changes are applied off Redis's I/O thread, one after another in arrival order.
    private CompletableFuture<Void> appliedChanges = CompletableFuture.completedFuture(null); // guarded by this

    void onStart(@Observes @Initialized(ApplicationScoped.class) Object event) {
        if (!engine.enabled()) {
            return;
        }
        tenantChanges = new TenantChangeRelay(engine.nodeId(), engine.namespace());
        RedisPubSubPort opened = new RedisPubSubPort(engine.client(), this::received);
        port = opened;
        bus = new BroadcastBus(opened, engine.nodeId(), engine.namespace(), registry::deliverRelayed, LISTEN_BOUND);
        engine.client().addListener(new RedisConnectionStateListener() {
            @Override
            public void onRedisConnected(RedisChannelHandler<?, ?> connection, SocketAddress address) {
                BroadcastBus current = bus;
                if (current != null && !current.reachable()) {
                    resubscribe();
                }
            }
        });
        registry.relay(bus);
        if (opened.connect()) {
            opened.subscribe(tenantChanges.channel());
        } else {
            LOG.warning("cluster: node " + engine.nodeId() + " cannot reach Redis yet; it serves its own clients"
                    + " and retries every " + RETRY.toSeconds() + " s");
            retry = scheduler.scheduleWithFixedDelay(this::connectLater, RETRY.toMillis(), RETRY.toMillis(),
                    TimeUnit.MILLISECONDS);
            return;
        }
        LOG.info("cluster: node " + engine.nodeId() + " relays broadcasts and tenant changes through Redis");
    }

    private void received(String channel, byte[] message) {
        TenantChangeRelay changes = tenantChanges;
        if (channel.equals(changes.channel())) {
            changes.read(message).ifPresent(this::apply);
        } else {
            bus.received(channel, message);
        }
    }

    private synchronized void apply(TenantChangeRelay.Announced change) {
        appliedChanges = appliedChanges.thenRunAsync(() -> {
            LOG.info(() -> "cluster: tenant " + change.externalId() + " " + change.kind().name().toLowerCase(Locale.ROOT)
                    + " on another node");
            tenants.changedElsewhere(change.externalId(), change.kind());
        }, scheduler).exceptionally(error -> {
            LOG.log(Level.WARNING, "cluster: applying a tenant change of another node failed", error);
            return null;
        });
    }

    void onTenantChange(@Observes TenantEvent event) {
        TenantChangeRelay changes = tenantChanges;
        RedisPubSubPort current = port;
        if (changes == null || current == null) {
            return;
        }
        changes.announce(event).ifPresent(message -> current.publish(changes.channel(), message)
                .whenComplete((done, error) -> {
                    if (error != null) {
                        LOG.warning("cluster: tenant " + event.externalId() + " " + event.kind().name().toLowerCase(Locale.ROOT)
                                + " not announced to the other nodes: Redis unreachable (" + error.getMessage() + ")");
                    }
                }));
    }

    private void resubscribe() {
        port.subscribe(tenantChanges.channel());
        bus.resubscribeAll();
    }

    private void connectLater() {
        RedisPubSubPort current = port;
        if (current != null && current.connect()) {
            LOG.info("cluster: node " + engine.nodeId() + " reached Redis; broadcasts reach the other nodes");
            resubscribe();
            retry.cancel(false);
        }
    }

    /** @return the bus, or {@code null} when this process runs alone */
    public BroadcastBus bus() {
        return bus;
    }

    @PreDestroy
    void stop() {
        ScheduledFuture<?> pending = retry;
        if (pending != null) {
            pending.cancel(false);
        }
        registry.relay(null);
        RedisPubSubPort current = port;
        if (current != null) {
            current.close();
        }
    }
}
