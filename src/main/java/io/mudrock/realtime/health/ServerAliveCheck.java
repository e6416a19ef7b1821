package io.mudrock.realtime.health;

import jakarta.enterprise.context.ApplicationScoped;
import org.eclipse.microprofile.health.HealthCheck;
import org.eclipse.microprofile.health.HealthCheckResponse;
import org.eclipse.microprofile.health.Liveness;

/**
 * Alive while the application answers. A database outage is not a reason to restart the server
 * (it would drop every socket), so nothing external is checked here.
 */
@Liveness
@ApplicationScoped
public class ServerAliveCheck implements HealthCheck {

    @Override
    public HealthCheckResponse call() {
        return HealthCheckResponse.named("server-alive").up().build();
    }
}
