package io.mudrock.realtime.health;

import io.mudrock.realtime.startup.StartupStatus;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import org.eclipse.microprofile.health.HealthCheck;
import org.eclipse.microprofile.health.HealthCheckResponse;
import org.eclipse.microprofile.health.Startup;

/** Started once the application finished its synchronous start (configuration, database). */
@Startup
@ApplicationScoped
public class ServerStartedCheck implements HealthCheck {

    @Inject
    StartupStatus status;

    @Override
    public HealthCheckResponse call() {
        return HealthCheckResponse.named("server-started").status(status.started()).build();
    }
}
