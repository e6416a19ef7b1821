package io.mudrock.realtime.health;

import io.mudrock.realtime.cluster.ClusterConnection;
import io.mudrock.realtime.cluster.ClusterStatus;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import org.eclipse.microprofile.health.HealthCheck;
import org.eclipse.microprofile.health.HealthCheckResponse;
import org.eclipse.microprofile.health.HealthCheckResponseBuilder;
import org.eclipse.microprofile.health.Readiness;

/**
 * Reports this node's link to the other nodes in readiness without ever making it unready: with
 * Redis down a node still serves its own clients (local broadcast and presence), which beats
 * taking every node out of service at once. The data says whether Redis answers.
 */
@Readiness
@ApplicationScoped
public class ClusterCheck implements HealthCheck {

    @Inject
    ClusterConnection cluster;

    @Override
    public HealthCheckResponse call() {
        ClusterStatus status = cluster.status();
        HealthCheckResponseBuilder response = HealthCheckResponse.named("cluster").up();
        if (!status.enabled()) {
            return response.withData("mode", "one process (REDIS_URL unset)").build();
        }
        response.withData("node", status.nodeId()).withData("topics", status.topics())
                .withData("redis", status.redisReachable() ? "connected" : "unreachable");
        if (!status.redisReachable()) {
            response.withData("degraded", "Redis unreachable: broadcasts and presence reach this node's clients only");
        }
        return response.build();
    }
}
