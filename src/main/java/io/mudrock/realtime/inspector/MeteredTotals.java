package io.mudrock.realtime.inspector;

import java.util.Optional;

/**
 * Per-tenant running totals that only the metrics count (database changes, RLS check time): the
 * seam through which the metrics feed the inspector's charts. The inspector uses a CDI bean of this
 * type when one exists; without one those charts say they are not measured.
 */
public interface MeteredTotals {

    /**
     * @param tenantId the tenant's external id
     * @return its totals since the server started, or empty when nothing is counted for it
     */
    Optional<TenantTotals> totals(String tenantId);

    /**
     * Monotonic totals of one tenant; the page turns two readings into rates.
     *
     * @param messagesTotal         broadcast and presence messages received and delivered
     * @param databaseChangesTotal  database changes delivered to subscribers
     * @param rlsChecksTotal        RLS round trips made for postgres_changes and private channels
     * @param rlsCheckSecondsTotal  time those round trips took, summed
     */
    record TenantTotals(long messagesTotal, long databaseChangesTotal, long rlsChecksTotal, double rlsCheckSecondsTotal) {
    }
}
