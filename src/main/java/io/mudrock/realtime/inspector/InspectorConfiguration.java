package io.mudrock.realtime.inspector;

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
 * Holds {@link InspectorSettings}, read once: when the application starts, so that an invalid
 * {@code INSPECTOR} stops it with one line like every other configuration error, and otherwise on
 * first use (the servlet container may initialise the page filter earlier).
 */
@ApplicationScoped
public class InspectorConfiguration {

    private static final Logger LOG = Logger.getLogger(InspectorConfiguration.class.getName());

    @Inject
    Instance<RealtimeConfig> configs;

    private volatile InspectorSettings settings;

    void onStart(@Observes @Initialized(ApplicationScoped.class) Object event) {
        try {
            configs.get();
        } catch (RuntimeException e) {
            return; // an invalid server configuration: StartupSequence reports it and stops the application
        }
        try {
            InspectorSettings loaded = settings();
            LOG.info(() -> "Realtime Inspector at /inspector/: " + (loaded.enabled() ? "on" : "off"));
        } catch (InvalidConfigurationException e) {
            LOG.severe(e.getMessage());
            throw e;
        }
    }

    /** The settings; the first call reads them. */
    public InspectorSettings settings() {
        InspectorSettings current = settings;
        if (current == null) {
            Config source = ConfigProvider.getConfig(InspectorConfiguration.class.getClassLoader());
            current = InspectorSettings.load(name -> source.getOptionalValue(name, String.class),
                    configs.get().usesEmbeddedDatabase());
            settings = current;
        }
        return current;
    }
}
