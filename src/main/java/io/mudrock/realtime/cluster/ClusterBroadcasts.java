package io.mudrock.realtime.cluster;

import io.lettuce.core.RedisChannelHandler;
import io.lettuce.core.RedisConnectionStateListener;
import io.mudrock.realtime.channel.ChannelRegistry;
import jakarta.annotation.PreDestroy;
import jakarta.annotation.Resource;
import jakarta.enterprise.concurrent.ManagedScheduledExecutorService;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.context.Initialized;
import jakarta.enterprise.event.Observes;
import jakarta.inject.Inject;
import java.net.SocketAddress;
import java.time.Duration;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.logging.Logger;

/**
 * Puts the {@link BroadcastBus} between the channel registry and Redis when {@code REDIS_URL} is
 * set, at application start, before any client joins; without it nothing here runs. If Redis is
 * down at start the node serves its own clients and connects every {@link #RETRY} until Redis
 * answers.
 */
@ApplicationScoped
public class ClusterBroadcasts {

    private static final Logger LOG = Logger.getLogger(ClusterBroadcasts.class.getName());

    /** How long a join waits for its topic's subscription when Redis is slow or down. */
    static final Duration LISTEN_BOUND = Duration.ofSeconds(2);
    /** How often a node that could not reach Redis at start tries again. */
    static final Duration RETRY = Duration.ofSeconds(2);

    @Inject
    RedisEngine engine;
    @Inject
    ChannelRegistry registry;
    @Resource
    ManagedScheduledExecutorService scheduler;

    private volatile BroadcastBus bus;
    private volatile RedisPubSubPort port;
    private volatile ScheduledFuture<?> retry;

    void onStart(@Observes @Initialized(ApplicationScoped.class) Object event) {
        if (!engine.enabled()) {
            return;
        }
        BroadcastBus[] created = new BroadcastBus[1];
        RedisPubSubPort opened = new RedisPubSubPort(engine.client(), (channel, message) -> created[0].received(channel, message));
        created[0] = new BroadcastBus(opened, engine.nodeId(), engine.namespace(), registry::deliverRelayed, LISTEN_BOUND);
        port = opened;
        bus = created[0];
        engine.client().addListener(new RedisConnectionStateListener() {
            @Override
            public void onRedisConnected(RedisChannelHandler<?, ?> connection, SocketAddress address) {
                BroadcastBus current = bus;
                if (current != null && !current.reachable()) {
                    current.resubscribeAll();
                }
            }
        });
        registry.relay(bus);
        if (!opened.connect()) {
            LOG.warning("cluster: node " + engine.nodeId() + " cannot reach Redis yet; it serves its own clients"
                    + " and retries every " + RETRY.toSeconds() + " s");
            retry = scheduler.scheduleWithFixedDelay(this::connectLater, RETRY.toMillis(), RETRY.toMillis(),
                    TimeUnit.MILLISECONDS);
        } else {
            LOG.info("cluster: node " + engine.nodeId() + " relays broadcasts through Redis");
        }
    }

    private void connectLater() {
        RedisPubSubPort current = port;
        if (current != null && current.connect()) {
            LOG.info("cluster: node " + engine.nodeId() + " reached Redis; broadcasts reach the other nodes");
            bus.resubscribeAll();
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
