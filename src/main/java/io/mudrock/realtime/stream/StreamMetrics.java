package io.mudrock.realtime.stream;

import io.mudrock.realtime.metrics.RealtimeMetrics;
import io.mudrock.realtime.metrics.TenantMetrics;
import io.mudrock.realtime.protocol.LogText;
import jakarta.annotation.PreDestroy;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.context.Initialized;
import jakarta.enterprise.event.Observes;
import jakarta.inject.Inject;

import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.HashSet;
import java.util.Locale;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.logging.Logger;

/**
 * Samples what the change streams do not count as they go, just before a scrape and at most every
 * {@link #MIN_INTERVAL_NANOS}: each stream's state and its replication lag, {@code pg_current_wal_lsn()}
 * on the tenant database (through the stream's own pool, never its replication connection or thread)
 * minus the position the stream confirmed.
 */
@ApplicationScoped
public class StreamMetrics {

    private static final Logger LOG = Logger.getLogger(StreamMetrics.class.getName());
    private static final long MIN_INTERVAL_NANOS = TimeUnit.SECONDS.toNanos(2);
    private static final int QUERY_TIMEOUT_SECONDS = 2;

    @Inject
    ReplicationStreams streams;

    private final Runnable hook = this::sample;
    private long sampledAt = System.nanoTime() - MIN_INTERVAL_NANOS; // guarded by this
    private Set<String> sampled = Set.of(); // guarded by this

    void start(@Observes @Initialized(ApplicationScoped.class) Object ignored) {
        RealtimeMetrics.beforeScrape(hook);
    }

    @PreDestroy
    void stop() {
        RealtimeMetrics.removeScrapeHook(hook);
    }

    /** Updates every stream's state and lag; concurrent scrapes share one sample. */
    synchronized void sample() {
        long now = System.nanoTime();
        if (now - sampledAt < MIN_INTERVAL_NANOS) {
            return;
        }
        sampledAt = now;
        Set<String> present = new HashSet<>();
        for (TenantStream stream : streams.tenantStreams()) {
            StreamStatus status = stream.status();
            present.add(status.tenantId());
            TenantMetrics metrics = RealtimeMetrics.tenant(status.tenantId());
            metrics.replicationState(status.state().name().toLowerCase(Locale.ROOT));
            if (status.connected()) {
                lag(stream, status, metrics);
            }
        }
        for (String gone : sampled) {
            TenantMetrics metrics = present.contains(gone) ? null : RealtimeMetrics.existing(gone);
            if (metrics != null) {
                metrics.replicationState("idle"); // the stream was stopped; a deleted tenant's series stay gone
            }
        }
        sampled = present;
    }

    private static void lag(TenantStream stream, StreamStatus status, TenantMetrics metrics) {
        try (Connection connection = stream.resources().database().connection();
             Statement statement = connection.createStatement()) {
            statement.setQueryTimeout(QUERY_TIMEOUT_SECONDS);
            try (ResultSet rs = statement.executeQuery("select (pg_current_wal_lsn() - '0/0'::pg_lsn)::bigint")) {
                rs.next();
                metrics.replicationLag(rs.getLong(1) - status.confirmedLsn());
            }
        } catch (SQLException | TenantStream.NoDatabase e) {
            LOG.fine(() -> LogText.tenant(status.tenantId()) + ": replication lag not sampled: " + TenantStream.describe(e));
        }
    }
}
