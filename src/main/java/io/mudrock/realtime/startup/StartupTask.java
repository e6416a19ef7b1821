package io.mudrock.realtime.startup;

import io.mudrock.realtime.config.RealtimeConfig;
import io.mudrock.realtime.database.ManagementDatabase;

/**
 * A step that runs after the changelogs applied, each time start-up reaches that point (for
 * example seeding the default tenant). It must be idempotent: a failed start-up retries it.
 */
public interface StartupTask {

    /**
     * Runs the step.
     *
     * @throws Exception any failure; start-up reports it in readiness and retries
     */
    void run(RealtimeConfig config, ManagementDatabase database) throws Exception;
}
