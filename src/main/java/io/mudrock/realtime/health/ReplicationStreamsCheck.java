package io.mudrock.realtime.health;

import io.mudrock.realtime.stream.ReplicationStreams;
import io.mudrock.realtime.stream.StreamStatus;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import org.eclipse.microprofile.health.HealthCheck;
import org.eclipse.microprofile.health.HealthCheckResponse;
import org.eclipse.microprofile.health.HealthCheckResponseBuilder;
import org.eclipse.microprofile.health.Readiness;

/**
 * Reports the tenants' change streams in readiness without ever making the server unready: one
 * tenant's database (no free slot, {@code wal_level=replica}, a restart) says nothing about this
 * server's ability to serve every other tenant, and an unready pod is taken out of its Service for
 * all of them. So the check is always UP, with how many streams are connected and, in
 * {@code degraded}, which tenants' streams have live bindings but no replication connection; the
 * tenant health endpoint ({@code replication_connected}) and the doctor say the same per tenant.
 */
@Readiness
@ApplicationScoped
public class ReplicationStreamsCheck implements HealthCheck {

    @Inject
    ReplicationStreams streams;

    @Override
    public HealthCheckResponse call() {
        HealthCheckResponseBuilder response = HealthCheckResponse.named("replication-streams").up();
        Instant now = Instant.now();
        List<StreamStatus> statuses = streams.statuses();
        List<String> problems = statuses.stream().map(s -> s.readinessProblem(now)).flatMap(Optional::stream).toList();
        if (!problems.isEmpty()) {
            response.withData("degraded", String.join("; ", problems));
        }
        return response.withData("streaming", statuses.stream().filter(StreamStatus::connected).count()).build();
    }
}
