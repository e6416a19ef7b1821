package io.mudrock.realtime.config;

import jakarta.annotation.PostConstruct;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.context.Dependent;
import jakarta.enterprise.inject.Produces;
import org.eclipse.microprofile.config.Config;
import org.eclipse.microprofile.config.ConfigProvider;

/**
 * Reads MicroProfile Config once at start-up into the {@link RealtimeConfig} every bean injects.
 * Environment variables, {@code server.env} and system properties all reach it by their
 * upstream names ({@code DB_HOST}, {@code API_JWT_SECRET}, ...).
 */
@ApplicationScoped
public class ConfigProducer {

    private RealtimeConfig config;

    @PostConstruct
    void load() {
        Config source = ConfigProvider.getConfig(ConfigProducer.class.getClassLoader());
        RealtimeConfig loaded = new ConfigLoader(name -> source.getOptionalValue(name, String.class)).load();
        config = loaded.usesEmbeddedDatabase() ? GeneratedSecrets.complete(loaded) : loaded;
    }

    /** The validated configuration. */
    @Produces
    @Dependent
    public RealtimeConfig config() {
        return config;
    }
}
