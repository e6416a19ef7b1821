package io.mudrock.realtime.socket;

import io.mudrock.realtime.channel.ChannelRegistry;
import io.mudrock.realtime.tenant.TenantEvent;
import jakarta.annotation.PostConstruct;
import jakarta.annotation.PreDestroy;
import jakarta.annotation.Resource;
import jakarta.enterprise.concurrent.ManagedScheduledExecutorService;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import jakarta.inject.Inject;
import java.util.List;
import java.util.Map;
import java.time.Duration;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.logging.Logger;

/**
 * The open sockets per tenant, so a tenant can be drained (reload, deletion: it observes
 * {@link TenantEvent}) and the server can say goodbye on shutdown; and the idle sweep, which
 * closes sockets whose client sent nothing for {@link #IDLE_TIMEOUT} (Phoenix's rule: only
 * inbound frames count, any frame does) or stopped reading for {@link #SEND_STALL_TIMEOUT}.
 */
@ApplicationScoped
public class ConnectionRegistry {

    private static final Logger LOG = Logger.getLogger(ConnectionRegistry.class.getName());
    /** WebSocket close code "service restart", what upstream closes drained sockets with. */
    public static final int CLOSE_SERVICE_RESTART = 1012;
    /** Phoenix's default websocket timeout: a client silent this long is gone. */
    static final Duration IDLE_TIMEOUT = Duration.ofSeconds(60);
    static final String IDLE_REASON = "no message from the client for 60 s";
    /** How long one frame may wait for a client that does not read before the socket is closed. */
    static final Duration SEND_STALL_TIMEOUT = Duration.ofSeconds(30);
    static final String STALL_REASON = "send stalled for 30 s: the client does not read";

    private final Map<String, Set<Connection>> byTenant = new ConcurrentHashMap<>();

    @Inject
    ChannelRegistry channels;
    @Resource
    ManagedScheduledExecutorService scheduler;

    private ScheduledFuture<?> idleSweep;

    @PostConstruct
    void startIdleSweep() {
        idleSweep = scheduler.scheduleAtFixedRate(this::closeIdle, 1, 1, TimeUnit.SECONDS);
    }

    /**
     * Closes every socket whose client has been silent longer than {@link #IDLE_TIMEOUT}, or
     * whose write has waited for the client longer than {@link #SEND_STALL_TIMEOUT}; and ends the
     * connection of a socket whose close frame has waited that long for the client to read.
     */
    void closeIdle() {
        long now = System.nanoTime();
        for (Set<Connection> set : byTenant.values()) {
            for (Connection connection : set) {
                if (connection.abortIfCloseOverdue(now, SEND_STALL_TIMEOUT.toNanos())) {
                    continue;
                }
                if (connection.silentForNanos(now) > IDLE_TIMEOUT.toNanos()) {
                    close(connection, 1000, IDLE_REASON);
                } else if (connection.writeStalledForNanos(now) > SEND_STALL_TIMEOUT.toNanos()) {
                    close(connection, Connection.CLOSE_TRY_AGAIN_LATER, STALL_REASON);
                }
            }
        }
    }

    private static void close(Connection connection, int code, String reason) {
        LOG.info(() -> "Closing socket " + connection.id() + " of tenant " + connection.tenantId() + ": " + reason);
        connection.terminate(code, reason);
    }

    void add(Connection connection) {
        byTenant.computeIfAbsent(connection.tenantId(), id -> ConcurrentHashMap.newKeySet()).add(connection);
        SocketGauges.bind(this, connection.tenantId());
    }

    void remove(Connection connection) {
        byTenant.computeIfPresent(connection.tenantId(), (id, set) -> {
            set.remove(connection);
            return set.isEmpty() ? null : set;
        });
    }

    /**
     * @param tenantId the tenant's external id
     * @return its open sockets
     */
    public int count(String tenantId) {
        Set<Connection> set = byTenant.get(tenantId);
        return set == null ? 0 : set.size();
    }

    /** @return the tenant's open sockets now (a live view; empty when none) */
    Set<Connection> connections(String tenantId) {
        return byTenant.getOrDefault(tenantId, Set.of());
    }

    /**
     * Disconnects every socket of a tenant as upstream does on reload or deletion: each joined
     * channel gets the {@code system} message {@code Server requested disconnect}, then the
     * socket closes with 1012 after its queued frames. Returns at once.
     *
     * @param tenantId the tenant's external id
     * @return how many sockets were told to close
     */
    public int drain(String tenantId) {
        Set<Connection> set = byTenant.get(tenantId);
        if (set == null) {
            return 0;
        }
        List<Connection> connections = List.copyOf(set);
        for (Connection connection : connections) {
            if (connection.channels() != null) {
                connection.channels().serverRequestedDisconnect();
            }
            connection.close(CLOSE_SERVICE_RESTART, "Server requested disconnect");
        }
        LOG.info(() -> "Drained " + connections.size() + " sockets of tenant " + tenantId);
        return connections.size();
    }

    /** A tenant reloaded or deleted by the admin API: its sockets must start anew. */
    void onTenantEvent(@Observes TenantEvent event) {
        if (event.kind() != TenantEvent.Kind.UPDATED) {
            drain(event.externalId());
        }
    }

    /** The application stops: later joins are refused and every socket is drained. */
    @PreDestroy
    void shutdown() {
        if (idleSweep != null) {
            idleSweep.cancel(false);
        }
        channels.startShutdown();
        drainAll();
    }

    private void drainAll() {
        for (String tenantId : List.copyOf(byTenant.keySet())) {
            drain(tenantId);
        }
    }
}
