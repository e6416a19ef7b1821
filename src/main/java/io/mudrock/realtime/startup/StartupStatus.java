package io.mudrock.realtime.startup;

import jakarta.enterprise.context.ApplicationScoped;

import java.util.Optional;

/**
 * How far start-up has come: the one owner of that state, read by the health checks. Written by
 * the start-up sequence only; reads need no lock because each field is a single volatile value.
 */
@ApplicationScoped
public class StartupStatus {

    private volatile boolean started;
    private volatile boolean migrated;
    private volatile String migrationProblem = "migrations have not run yet";

    /** True once the application finished its synchronous start. */
    public boolean started() {
        return started;
    }

    /** True once the changelogs applied and the default tenant is seeded. */
    public boolean migrated() {
        return migrated;
    }

    /** Why migrations are not done, while they are not. */
    public Optional<String> migrationProblem() {
        return migrated ? Optional.empty() : Optional.of(migrationProblem);
    }

    void markStarted() {
        started = true;
    }

    void markMigrated() {
        migrated = true;
    }

    void markMigrationFailed(String reason) {
        migrationProblem = reason;
    }
}
