package io.mudrock.realtime.socket;

import io.mudrock.realtime.channel.ChannelRegistry;
import io.mudrock.realtime.config.RealtimeConfig;
import io.mudrock.realtime.protocol.LogText;
import io.mudrock.realtime.tenant.TenantEvent;
import io.mudrock.realtime.wire.InboundBudget;
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
import java.util.concurrent.Executor;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.logging.Logger;

/**
 * The open sockets per tenant, so a tenant can be drained (reload, deletion: it observes
 * {@link TenantEvent}) and the server can say goodbye on shutdown; and the idle sweep, which
 * closes sockets whose client sent nothing for {@code SOCKET_IDLE_TIMEOUT_MS} (Phoenix's rule: only
 * inbound frames count, any frame does) or stopped reading for {@link #SEND_STALL_TIMEOUT}.
 *
 * <p>It also bounds what sockets hold before they do anything: the server-wide
 * {@link InboundBudget} their frame parsers reserve from ({@code INBOUND_BUFFER_BUDGET_MB}), and
 * the sockets that have not joined a channel yet, which are closed with 1008 once they have been
 * open {@code UNJOINED_SOCKET_TIMEOUT_MS}, or at once when their tenant already has
 * {@code MAX_UNJOINED_SOCKETS_PER_TENANT} of them.
 */
@ApplicationScoped
public class ConnectionRegistry {

    private static final Logger LOG = Logger.getLogger(ConnectionRegistry.class.getName());
    /** WebSocket close code "service restart", what upstream closes drained sockets with. */
    public static final int CLOSE_SERVICE_RESTART = 1012;
    /** How every idle close's reason starts; the configured timeout follows. */
    static final String IDLE_REASON_PREFIX = "no message from the client for ";
    /** How long one frame may wait for a client that does not read before the socket is closed. */
    static final Duration SEND_STALL_TIMEOUT = Duration.ofSeconds(30);
    static final String STALL_REASON = "send stalled for 30 s: the client does not read";
    /** WebSocket close code "policy violation": for sockets that hold a connection without using it. */
    static final int CLOSE_POLICY_VIOLATION = 1008;
    static final String TOO_MANY_UNJOINED_REASON = "too many sockets without a joined channel";
    /**
     * The key every refused handshake's socket ({@link RefusedHandshake}) is registered under, of
     * whichever tenant: one shared unjoined cap, and no tenant id can take this form.
     */
    static final String REFUSED_SOCKETS = "(refused)";

    private final Map<String, Set<Connection>> byTenant = new ConcurrentHashMap<>();
    private final Map<String, AtomicInteger> unjoinedByTenant = new ConcurrentHashMap<>();
    // Defaults until the container hands over the configuration (plain instances in unit tests keep them).
    private RealtimeConfig.InboundLimits limits = RealtimeConfig.InboundLimits.DEFAULT;
    private InboundBudget inboundBudget = new InboundBudget(limits.bufferBudgetBytes());
    private String unjoinedReason = unjoinedReason(limits);
    private String idleReason = idleReason(limits);

    @Inject
    ChannelRegistry channels;
    @Inject
    RealtimeConfig config;
    @Resource
    ManagedScheduledExecutorService scheduler;

    private ScheduledFuture<?> idleSweep;

    @PostConstruct
    void startIdleSweep() {
        limits = config.inbound();
        inboundBudget = new InboundBudget(limits.bufferBudgetBytes());
        unjoinedReason = unjoinedReason(limits);
        idleReason = idleReason(limits);
        idleSweep = scheduler.scheduleAtFixedRate(this::closeIdle, 1, 1, TimeUnit.SECONDS);
    }

    /**
     * Closes every socket whose client has been silent longer than {@code SOCKET_IDLE_TIMEOUT_MS}, or
     * whose write has waited for the client longer than {@link #SEND_STALL_TIMEOUT}; and ends the
     * connection of a socket whose close frame has waited that long for the client to read; and
     * closes sockets that have joined no channel within {@code UNJOINED_SOCKET_TIMEOUT_MS}.
     */
    void closeIdle() {
        long now = System.nanoTime();
        long unjoinedTimeout = limits.unjoinedTimeout().toNanos();
        long idleTimeout = limits.idleTimeout().toNanos();
        for (Set<Connection> set : byTenant.values()) {
            for (Connection connection : set) {
                if (connection.abortIfCloseOverdue(now, SEND_STALL_TIMEOUT.toNanos())) {
                    continue;
                }
                if (unjoinedTimeout > 0 && connection.unjoinedForNanos(now) > unjoinedTimeout) {
                    close(connection, CLOSE_POLICY_VIOLATION, unjoinedReason);
                } else if (connection.silentForNanos(now) > idleTimeout) {
                    close(connection, 1000, idleReason);
                } else if (connection.writeStalledForNanos(now) > SEND_STALL_TIMEOUT.toNanos()) {
                    close(connection, Connection.CLOSE_TRY_AGAIN_LATER, STALL_REASON);
                }
            }
        }
    }

    private static void close(Connection connection, int code, String reason) {
        LOG.info(() -> LogText.tenant(connection.tenantId()) + " socket=" + connection.id() + ": closing the socket, " + reason);
        connection.terminate(code, reason);
    }

    /**
     * Where a connection's flushes run, which may block on a client that does not read: the
     * managed scheduler's threads; without one (a registry built by hand in a test), the caller's.
     */
    Executor flusher() {
        return scheduler == null ? Runnable::run : scheduler;
    }

    /**
     * Registers an opened socket, which has joined no channel yet.
     *
     * @param connection the socket
     * @return false when its tenant already has the most unjoined sockets allowed: the caller
     *         closes it with {@link #CLOSE_POLICY_VIOLATION} and {@link #TOO_MANY_UNJOINED_REASON}
     */
    boolean add(Connection connection) {
        byTenant.computeIfAbsent(connection.tenantId(), id -> ConcurrentHashMap.newKeySet()).add(connection);
        SocketGauges.bind(this, connection.tenantId());
        AtomicInteger unjoined = unjoinedByTenant.computeIfAbsent(connection.tenantId(), id -> new AtomicInteger());
        if (unjoined.incrementAndGet() > limits.maxUnjoinedSocketsPerTenant()) {
            unjoined.decrementAndGet();
            LOG.info(() -> LogText.tenant(connection.tenantId()) + " socket=" + connection.id() + ": closing the socket, "
                    + TOO_MANY_UNJOINED_REASON + " (" + limits.maxUnjoinedSocketsPerTenant() + ")");
            return false;
        }
        connection.countAsUnjoined();
        return true;
    }

    /**
     * @return whether one more refused handshake may be upgraded to tell its reason: the refused
     *         sockets are fewer than {@code MAX_UNJOINED_SOCKETS_PER_TENANT}
     */
    boolean refusalsHaveRoom() {
        return unjoined(REFUSED_SOCKETS) < limits.maxUnjoinedSocketsPerTenant();
    }

    /** A channel joined on the socket: it no longer counts as unjoined. */
    void joined(Connection connection) {
        uncountUnjoined(connection);
    }

    void remove(Connection connection) {
        uncountUnjoined(connection);
        byTenant.computeIfPresent(connection.tenantId(), (id, set) -> {
            set.remove(connection);
            return set.isEmpty() ? null : set;
        });
    }

    private void uncountUnjoined(Connection connection) {
        if (connection.stopCountingAsUnjoined()) {
            AtomicInteger unjoined = unjoinedByTenant.get(connection.tenantId());
            if (unjoined != null) {
                unjoined.decrementAndGet();
            }
        }
    }

    /** @return the budget every socket's frame parser reserves its partial messages from */
    InboundBudget inboundBudget() {
        return inboundBudget;
    }

    /**
     * @param tenantId the tenant's external id
     * @return its open sockets that have not joined a channel yet
     */
    public int unjoined(String tenantId) {
        AtomicInteger unjoined = unjoinedByTenant.get(tenantId);
        return unjoined == null ? 0 : unjoined.get();
    }

    private static String unjoinedReason(RealtimeConfig.InboundLimits limits) {
        return "no channel joined within " + spoken(limits.unjoinedTimeout());
    }

    private static String idleReason(RealtimeConfig.InboundLimits limits) {
        return IDLE_REASON_PREFIX + spoken(limits.idleTimeout());
    }

    /** A timeout as the close reasons say it: whole seconds as {@code 60 s}, else {@code 1500 ms}. */
    private static String spoken(Duration timeout) {
        long millis = timeout.toMillis();
        return millis % 1000 == 0 ? millis / 1000 + " s" : millis + " ms";
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
        LOG.info(() -> LogText.tenant(tenantId) + ": drained " + connections.size() + " sockets");
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
