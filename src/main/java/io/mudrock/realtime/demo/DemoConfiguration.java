package io.mudrock.realtime.demo;

import io.mudrock.realtime.config.InvalidConfigurationException;
import io.mudrock.realtime.config.RealtimeConfig;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.context.Initialized;
import jakarta.enterprise.event.Observes;
import jakarta.enterprise.inject.Instance;
import jakarta.inject.Inject;
import org.eclipse.microprofile.config.Config;
import org.eclipse.microprofile.config.ConfigProvider;

import java.util.logging.Logger;

/**
 * Holds {@link DemoSettings}, read once. They are read when the application starts, so that an
 * invalid {@code DEMO_PAGE} stops it with one line like every other configuration error, and
 * otherwise on first use (the servlet container may initialise the page filter earlier).
 */
@ApplicationScoped
public class DemoConfiguration {

    private static final Logger LOG = Logger.getLogger(DemoConfiguration.class.getName());

    @Inject
    Instance<RealtimeConfig> configs;

    private volatile DemoSettings settings;

    void onStart(@Observes @Initialized(ApplicationScoped.class) Object event) {
        try {
            configs.get();
        } catch (RuntimeException e) {
            return; // an invalid server configuration: StartupSequence reports it and stops the application
        }
        try {
            DemoSettings loaded = settings();
            LOG.info(() -> "Wells page at /: " + (loaded.pageEnabled() ? "on" : "off")
                    + (loaded.sampleWellsEnabled() ? ", with its add-a-sample-well button" : ""));
        } catch (InvalidConfigurationException e) {
            LOG.severe(e.getMessage());
            throw e;
        }
    }

    /** The settings; the first call reads them. */
    public DemoSettings settings() {
        DemoSettings current = settings;
        if (current == null) {
            Config source = ConfigProvider.getConfig(DemoConfiguration.class.getClassLoader());
            current = DemoSettings.load(name -> source.getOptionalValue(name, String.class),
                    configs.get().usesEmbeddedDatabase());
            settings = current;
        }
        return current;
    }
}
