package io.mudrock.realtime.admin;

import io.mudrock.realtime.metrics.RealtimeMetrics;
import io.mudrock.realtime.protocol.LogText;
import io.mudrock.realtime.tenant.TenantEvent;
import jakarta.annotation.Priority;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import jakarta.interceptor.Interceptor;

import java.util.logging.Logger;

/**
 * Takes a deleted tenant's series out of the metrics registry, so a scrape lists only tenants that
 * exist and deleted tenants do not pile up; a tenant created again under the same id starts from zero.
 */
@ApplicationScoped
public class DeletedTenantMetrics {

    private static final Logger LOG = Logger.getLogger(DeletedTenantMetrics.class.getName());

    // Observed after the default priority, so the drain and the stream stop, which still count, come first.
    void onTenantEvent(@Observes @Priority(Interceptor.Priority.APPLICATION + 1000) TenantEvent event) {
        if (event.kind() == TenantEvent.Kind.DELETED && RealtimeMetrics.removeTenant(event.externalId())) {
            LOG.info(() -> LogText.tenant(event.externalId()) + ": metrics series removed, the tenant was deleted");
        }
    }
}
