package io.mudrock.realtime.startup;

import io.mudrock.realtime.config.ConfigLoader;
import io.mudrock.realtime.config.InvalidConfigurationException;
import io.mudrock.realtime.config.RealtimeConfig;
import io.mudrock.realtime.database.ManagementDatabase;
import io.mudrock.realtime.database.MigrationRunner;
import jakarta.annotation.PreDestroy;
import jakarta.annotation.Resource;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.context.Initialized;
import jakarta.enterprise.event.Observes;
import jakarta.enterprise.concurrent.ManagedScheduledExecutorService;
import jakarta.enterprise.inject.Instance;
import jakarta.inject.Inject;

import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.logging.Level;
import java.util.logging.Logger;

/**
 * Runs when the application starts: validates the configuration (an invalid value stops the
 * application with one line), brings up the management database, then applies the changelogs and
 * seeds the default tenant. A database that is not there yet is retried with back-off while
 * readiness says why, instead of failing the whole server.
 */
@ApplicationScoped
public class StartupSequence {

    private static final Logger LOG = Logger.getLogger(StartupSequence.class.getName());
    private static final long MAX_RETRY_SECONDS = 30;

    @Inject
    Instance<RealtimeConfig> configs;
    @Inject
    Instance<ManagementDatabase> databases;
    @Inject
    StartupStatus status;
    @Inject
    Instance<StartupTask> tasks;
    @Resource
    ManagedScheduledExecutorService scheduler;

    private volatile ScheduledFuture<?> retry;
    private volatile boolean stopping;

    void onStart(@Observes @Initialized(ApplicationScoped.class) Object event) {
        RealtimeConfig config;
        try {
            config = configs.get();
        } catch (InvalidConfigurationException e) {
            LOG.severe(e.getMessage());
            throw e;
        } catch (RuntimeException e) {
            InvalidConfigurationException cause = findCause(e);
            if (cause == null) {
                throw e;
            }
            LOG.severe(cause.getMessage());
            throw cause;
        }
        LOG.info(() -> "Ignoring upstream-only variables if set: " + String.join(", ", ConfigLoader.IGNORED_UPSTREAM_VARIABLES));
        ManagementDatabase database = databases.get();
        attempt(config, database, 1);
        status.markStarted();
    }

    @PreDestroy
    void stop() {
        stopping = true;
        ScheduledFuture<?> pending = retry;
        if (pending != null) {
            pending.cancel(false);
        }
    }

    private void attempt(RealtimeConfig config, ManagementDatabase database, int attemptNumber) {
        if (stopping) {
            return;
        }
        try {
            MigrationRunner.migrateManagement(database.dataSource());
            if (config.seedSelfHost()) {
                MigrationRunner.migrateTenant(database.dataSource(), config.publication(), config.migrateWells());
            }
            for (StartupTask task : tasks) {
                task.run(config, database);
            }
            status.markMigrated();
            LOG.info(() -> StartupBanner.render(config, database));
        } catch (Exception e) {
            String reason = "migrations failed (attempt " + attemptNumber + "): " + oneLine(e);
            status.markMigrationFailed(reason);
            long delay = Math.min(MAX_RETRY_SECONDS, 1L << Math.min(attemptNumber, 5));
            LOG.log(Level.WARNING, reason + "; retrying in " + delay + " s");
            retry = scheduler.schedule(() -> attempt(config, database, attemptNumber + 1), delay, TimeUnit.SECONDS);
        }
    }

    private static String oneLine(Throwable e) {
        Throwable root = e;
        while (root.getCause() != null && root.getCause() != root) {
            root = root.getCause();
        }
        String message = root.getMessage() == null ? root.getClass().getSimpleName() : root.getMessage();
        int newline = message.indexOf('\n');
        return newline < 0 ? message : message.substring(0, newline);
    }

    private static InvalidConfigurationException findCause(Throwable e) {
        for (Throwable t = e; t != null; t = t.getCause()) {
            if (t instanceof InvalidConfigurationException invalid) {
                return invalid;
            }
        }
        return null;
    }
}
