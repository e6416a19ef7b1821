package io.mudrock.realtime.socket;

import io.mudrock.realtime.channel.ChannelRegistry;
import jakarta.annotation.PreDestroy;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.logging.Logger;

/**
 * The open sockets per tenant, so a tenant can be drained (reload, deletion) and the server can
 * say goodbye on shutdown.
 */
@ApplicationScoped
public class ConnectionRegistry {

    private static final Logger LOG = Logger.getLogger(ConnectionRegistry.class.getName());
    /** WebSocket close code "service restart", what upstream closes drained sockets with. */
    public static final int CLOSE_SERVICE_RESTART = 1012;

    private final Map<String, Set<Connection>> byTenant = new ConcurrentHashMap<>();

    @Inject
    ChannelRegistry channels;

    void add(Connection connection) {
        byTenant.computeIfAbsent(connection.tenantId(), id -> ConcurrentHashMap.newKeySet()).add(connection);
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

    /** The application stops: later joins are refused and every socket is drained. */
    @PreDestroy
    void shutdown() {
        channels.startShutdown();
        drainAll();
    }

    private void drainAll() {
        for (String tenantId : List.copyOf(byTenant.keySet())) {
            drain(tenantId);
        }
    }
}
