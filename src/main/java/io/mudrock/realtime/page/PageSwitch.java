package io.mudrock.realtime.page;

import io.mudrock.realtime.config.InvalidConfigurationException;
import io.mudrock.realtime.config.RealtimeConfig;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.context.Initialized;
import jakarta.enterprise.event.Observes;
import jakarta.enterprise.inject.Instance;
import jakarta.inject.Inject;
import org.eclipse.microprofile.config.Config;
import org.eclipse.microprofile.config.ConfigProvider;

import java.util.Optional;
import java.util.function.Function;
import java.util.logging.Logger;

/**
 * Holds a page's settings, read once: when the application starts, so that an invalid value stops
 * it with one line like every other configuration error, and otherwise on first use (the servlet
 * container may initialise the page's filter earlier). Each page's {@code @ApplicationScoped}
 * subclass says how its settings are read and what its start-up line says.
 *
 * @param <S> the page's settings record
 */
public abstract class PageSwitch<S> {

    private static final Logger LOG = Logger.getLogger(PageSwitch.class.getName());

    @Inject
    private Instance<RealtimeConfig> configs;

    private volatile S settings;

    protected void onStart(@Observes @Initialized(ApplicationScoped.class) Object event) {
        try {
            configs.get();
        } catch (RuntimeException e) {
            return; // an invalid server configuration: StartupSequence reports it and stops the application
        }
        try {
            S loaded = settings();
            LOG.info(() -> describe(loaded));
        } catch (InvalidConfigurationException e) {
            LOG.severe(e.getMessage());
            throw e;
        }
    }

    /** The settings; the first call reads them. */
    public S settings() {
        S current = settings;
        if (current == null) {
            Config source = ConfigProvider.getConfig(getClass().getClassLoader());
            current = load(name -> source.getOptionalValue(name, String.class), configs.get().usesEmbeddedDatabase());
            settings = current;
        }
        return current;
    }

    /**
     * Reads and validates the page's settings.
     *
     * @param source           looks a variable up by name
     * @param embeddedDatabase whether the server runs its own PostgreSQL
     * @throws InvalidConfigurationException when a value is invalid
     */
    protected abstract S load(Function<String, Optional<String>> source, boolean embeddedDatabase);

    /** The start-up line that says where the page is and whether it is on. */
    protected abstract String describe(S loaded);
}
