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
 * Ready unless a tenant's change stream has live bindings but no replication connection
 * (reconnecting, or not started within its grace period): subscribers then wait for changes that
 * do not come, which an operator should see. Tenants without bindings hold no stream and never
 * make the server unready.
 */
@Readiness
@ApplicationScoped
public class ReplicationStreamsCheck implements HealthCheck {

    @Inject
    ReplicationStreams streams;

    @Override
    public HealthCheckResponse call() {
        HealthCheckResponseBuilder response = HealthCheckResponse.named("replication-streams");
        Instant now = Instant.now();
        List<StreamStatus> statuses = streams.statuses();
        List<String> problems = statuses.stream().map(s -> s.readinessProblem(now)).flatMap(Optional::stream).toList();
        if (problems.isEmpty()) {
            response.up();
        } else {
            response.down().withData("reason", String.join("; ", problems));
        }
        return response.withData("streaming", statuses.stream().filter(StreamStatus::connected).count()).build();
    }
}
