package io.mudrock.realtime.health;

import io.mudrock.realtime.database.ManagementDatabase;
import io.mudrock.realtime.startup.StartupStatus;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import org.eclipse.microprofile.health.HealthCheck;
import org.eclipse.microprofile.health.HealthCheckResponse;
import org.eclipse.microprofile.health.HealthCheckResponseBuilder;
import org.eclipse.microprofile.health.Readiness;

import java.util.Optional;

/** Ready only while the management database answers and its changelogs are applied. */
@Readiness
@ApplicationScoped
public class ManagementDatabaseCheck implements HealthCheck {

    @Inject
    ManagementDatabase database;
    @Inject
    StartupStatus status;

    @Override
    public HealthCheckResponse call() {
        HealthCheckResponseBuilder response = HealthCheckResponse.named("management-database");
        Optional<String> unreachable = database.unreachableReason();
        Optional<String> problem = unreachable.or(status::migrationProblem);
        problem.ifPresentOrElse(reason -> response.down().withData("reason", reason), response::up);
        return response.withData("database", database.settings().toString()).build();
    }
}
