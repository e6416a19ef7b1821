package io.mudrock.realtime.inspector;

import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.mudrock.realtime.channel.ChannelRegistry;
import io.mudrock.realtime.channel.TenantActivity;
import io.mudrock.realtime.socket.ConnectionRegistry;
import io.mudrock.realtime.stream.ReplicationStreams;
import io.mudrock.realtime.stream.StreamStatus;
import io.mudrock.realtime.tenant.Tenant;
import io.mudrock.realtime.tenant.TenantDatabases;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.inject.Instance;
import jakarta.inject.Inject;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.Optional;
import javax.sql.DataSource;

/**
 * One reading of a tenant's live figures for the inspector's charts, from what the server already
 * keeps: open sockets, the limit counters (60-s averages), the replication stream's state and
 * confirmed position, whose distance to {@code pg_current_wal_lsn()} is the lag. Totals only the
 * metrics count come from a {@link MeteredTotals} bean when there is one, else they are null.
 */
@ApplicationScoped
public class TenantFigures {

    /** The lag query must never hold an admin page's request long. */
    private static final int LAG_QUERY_TIMEOUT_SECONDS = 2;

    @Inject
    ConnectionRegistry connections;
    @Inject
    ChannelRegistry channels;
    @Inject
    ReplicationStreams streams;
    @Inject
    TenantDatabases databases;
    @Inject
    Instance<MeteredTotals> metered;

    /**
     * @param tenant the tenant
     * @return {@code {tenant, at, connections, connected_users, events_per_second, joins_per_second,
     *         presence_events_per_second, stream, replication_lag_bytes, rls_checks_total, messages_total,
     *         database_changes_total, rls_check_seconds_total, totals_source}}; unknown figures are null
     */
    public ObjectNode read(Tenant tenant) {
        String id = tenant.externalId();
        TenantActivity activity = channels.activity(id);
        ObjectNode body = JsonNodeFactory.instance.objectNode()
                .put("tenant", id)
                .put("at", System.currentTimeMillis())
                .put("connections", connections.count(id))
                .put("connected_users", activity.connectedUsers())
                .put("events_per_second", activity.events().perSecond())
                .put("joins_per_second", activity.joins().perSecond())
                .put("presence_events_per_second", activity.presenceEvents().perSecond());
        Optional<StreamStatus> status = streams.status(id);
        ObjectNode stream = body.putObject("stream");
        if (status.isPresent()) {
            StreamStatus s = status.get();
            stream.put("state", s.state().name()).put("slot", s.slot()).put("subscriptions", s.subscriptions())
                    .put("since", s.since().toString()).put("problem", s.problem());
            body.put("rls_checks_total", s.rlsChecks());
        } else {
            stream.put("state", StreamStatus.State.IDLE.name());
            body.putNull("rls_checks_total");
        }
        Long lag = status.filter(StreamStatus::connected).filter(s -> s.confirmedLsn() > 0)
                .flatMap(s -> databases.dataSource(tenant).map(ds -> lagBytes(ds, s.confirmedLsn(), stream)))
                .orElse(null);
        body.put("replication_lag_bytes", lag);
        Optional<MeteredTotals.TenantTotals> totals = metered.isResolvable() ? metered.get().totals(id) : Optional.empty();
        body.put("totals_source", totals.isPresent() ? "metrics" : "none");
        if (totals.isPresent()) {
            body.put("messages_total", totals.get().messagesTotal())
                    .put("database_changes_total", totals.get().databaseChangesTotal())
                    .put("rls_checks_total", totals.get().rlsChecksTotal())
                    .put("rls_check_seconds_total", totals.get().rlsCheckSecondsTotal());
        } else {
            body.putNull("messages_total").putNull("database_changes_total").putNull("rls_check_seconds_total");
        }
        return body;
    }

    /** WAL bytes between the server's current position and what the stream confirmed; null (with why) if unknown. */
    private static Long lagBytes(DataSource dataSource, long confirmedLsn, ObjectNode stream) {
        try (Connection connection = dataSource.getConnection();
             PreparedStatement st = connection.prepareStatement(
                     "select pg_wal_lsn_diff(pg_current_wal_lsn(), ?::pg_lsn)::bigint")) {
            st.setQueryTimeout(LAG_QUERY_TIMEOUT_SECONDS);
            st.setString(1, StreamStatus.lsn(confirmedLsn));
            try (ResultSet rs = st.executeQuery()) {
                rs.next();
                return Math.max(0, rs.getLong(1));
            }
        } catch (SQLException e) {
            stream.put("lag_problem", e.getMessage());
            return null;
        }
    }
}
