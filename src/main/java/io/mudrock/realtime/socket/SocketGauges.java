package io.mudrock.realtime.socket;

import io.mudrock.realtime.metrics.RealtimeMetrics;
import io.mudrock.realtime.metrics.TenantMetrics;

import java.util.Set;

/**
 * Points a tenant's socket gauges (open sockets, queued frames) at the connection registry, which
 * already knows both: read at scrape time, nothing is counted per frame for them.
 */
final class SocketGauges {

    private SocketGauges() {
    }

    /** Binds once per tenant; later calls cost one volatile read. */
    static void bind(ConnectionRegistry registry, String tenantId) {
        TenantMetrics metrics = RealtimeMetrics.tenant(tenantId);
        if (!metrics.socketsBound()) {
            metrics.bindSockets(() -> registry.count(tenantId), () -> queuedFrames(registry.connections(tenantId)));
        }
    }

    private static int queuedFrames(Set<Connection> connections) {
        int frames = 0;
        for (Connection connection : connections) {
            frames += connection.queuedFrames();
        }
        return frames;
    }
}
