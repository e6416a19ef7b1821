package io.mudrock.realtime.inspector;

import io.mudrock.realtime.metrics.RealtimeMetrics;
import io.mudrock.realtime.metrics.TenantMetrics;
import jakarta.enterprise.context.ApplicationScoped;
import java.util.Optional;

/**
 * Feeds the inspector's charts from the per-tenant metrics, so database changes per second and RLS
 * check time are measured rather than shown as not available.
 */
@ApplicationScoped
public class MetricsTotals implements MeteredTotals {

    @Override
    public Optional<TenantTotals> totals(String tenantId) {
        TenantMetrics.Totals totals = RealtimeMetrics.tenant(tenantId).totals();
        return Optional.of(new TenantTotals(totals.messages(), totals.changesDelivered(), totals.rlsChecks(),
                totals.rlsCheckSeconds()));
    }
}
