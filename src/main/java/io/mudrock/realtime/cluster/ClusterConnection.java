package io.mudrock.realtime.cluster;

import io.lettuce.core.RedisChannelHandler;
import io.lettuce.core.RedisConnectionStateListener;
import io.mudrock.realtime.channel.ChannelRegistry;
import io.mudrock.realtime.tenant.TenantDirectory;
import io.mudrock.realtime.tenant.TenantEvent;
import jakarta.annotation.PreDestroy;
import jakarta.annotation.Priority;
import jakarta.annotation.Resource;
import jakarta.enterprise.concurrent.ManagedScheduledExecutorService;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.context.Initialized;
import jakarta.enterprise.event.Observes;
import jakarta.inject.Inject;
import jakarta.interceptor.Interceptor;
import java.net.SocketAddress;
import java.time.Duration;
import java.util.Locale;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.logging.Level;
import java.util.logging.Logger;

/**
 * This node's publish/subscribe link to the others when {@code REDIS_URL} is set: puts the
 * {@link TopicBus} between the channel registry and Redis at application start, before any
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

    private volatile TopicBus bus;
    private volatile TenantChangeRelay tenantChanges;
    private volatile RedisPubSubPort port;
    private volatile ScheduledFuture<?> retry;
    private volatile ScheduledFuture<?> hello;
    // Announced tenant changes are applied off Redis's I/O thread, one after another in arrival order.
    private CompletableFuture<Void> appliedChanges = CompletableFuture.completedFuture(null); // guarded by this

    // After the start-up sequence's own observer: a bad configuration is then reported as its one
    // line, not as this bean's failure to read it.
    void onStart(@Observes @Priority(Interceptor.Priority.APPLICATION + 1000) @Initialized(ApplicationScoped.class) Object event) {
        if (!engine.enabled()) {
            return;
        }
        tenantChanges = new TenantChangeRelay(engine.nodeId(), engine.namespace());
        RedisPubSubPort opened = new RedisPubSubPort(engine.client(), this::received);
        port = opened;
        bus = new TopicBus(opened, engine.nodeId(), engine.namespace(), new RegistryReceiver(registry), LISTEN_BOUND,
                System::nanoTime);
        engine.client().addListener(new RedisConnectionStateListener() {
            @Override
            public void onRedisConnected(RedisChannelHandler<?, ?> connection, SocketAddress address) {
                TopicBus current = bus;
                if (current != null && !current.reachable()) {
                    resubscribe();
                }
            }
        });
        registry.relay(bus);
        hello = scheduler.scheduleWithFixedDelay(() -> bus.hello(registry.localLoads()), 0, TopicBus.HELLO_EVERY.toMillis(), TimeUnit.MILLISECONDS);
        if (opened.connect()) {
            subscribeClusterChannels();
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
        } else if (channel.equals(bus.nodesChannel())) {
            bus.receivedOnNodesChannel(message);
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

    private void subscribeClusterChannels() {
        port.subscribe(tenantChanges.channel());
        port.subscribe(bus.nodesChannel());
    }

    private void resubscribe() {
        subscribeClusterChannels();
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

    /** @return how this node stands in the cluster */
    public ClusterStatus status() {
        TopicBus current = bus;
        return current == null ? new ClusterStatus(false, engine.nodeId(), true, 0)
                : new ClusterStatus(true, engine.nodeId(), current.reachable(), current.topics());
    }

    @PreDestroy
    void stop() {
        for (ScheduledFuture<?> pending : new ScheduledFuture<?>[] {retry, hello}) {
            if (pending != null) {
                pending.cancel(false);
            }
        }
        registry.relay(null);
        TopicBus leaving = bus;
        if (leaving != null) {
            try {
                // Briefly: the others then let this node's presence leave at once, not after the timeout.
                leaving.goodbye().toCompletableFuture().get(1, TimeUnit.SECONDS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            } catch (ExecutionException | TimeoutException e) {
                LOG.fine(() -> "cluster: goodbye not delivered: " + e);
            }
        }
        RedisPubSubPort current = port;
        if (current != null) {
            current.close();
        }
    }
}
