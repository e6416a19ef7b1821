package io.mudrock.realtime.socket;

import io.mudrock.realtime.channel.ChannelRegistry;
import io.mudrock.realtime.channel.ChannelServices;
import io.mudrock.realtime.channel.NoPostgresChanges;
import io.mudrock.realtime.channel.PostgresChangesGateway;
import io.mudrock.realtime.channel.RlsChannelAuthorizer;
import io.mudrock.realtime.config.RealtimeConfig;
import jakarta.annotation.PostConstruct;
import jakarta.annotation.Resource;
import jakarta.enterprise.concurrent.ManagedExecutorService;
import jakarta.enterprise.concurrent.ManagedScheduledExecutorService;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.context.Dependent;
import jakarta.enterprise.inject.Instance;
import jakarta.enterprise.inject.Produces;
import jakarta.inject.Inject;
import java.time.Duration;
import java.util.logging.Logger;

/**
 * Assembles the {@link ChannelServices} every socket and the REST API share, from the server's
 * beans: the registry, tenants, token verification, the tenant databases, Liberty's managed
 * executors, and the change stream's gateway when one is deployed.
 */
@ApplicationScoped
public class ChannelServicesProducer {

    private static final Logger LOG = Logger.getLogger(ChannelServicesProducer.class.getName());
    /** How long a join may wait for its database checks and change subscription. */
    static final Duration JOIN_DEADLINE = Duration.ofSeconds(5);

    @Inject
    RealtimeConfig config;
    @Inject
    ChannelRegistry registry;
    @Inject
    DirectoryTenants tenants;
    @Inject
    TenantTokenVerifier tokens;
    @Inject
    Instance<PostgresChangesGateway> gateways;
    @Resource
    ManagedScheduledExecutorService scheduler;
    @Resource
    ManagedExecutorService executor;

    private ChannelServices services;

    @PostConstruct
    void assemble() {
        PostgresChangesGateway gateway = gateways.isResolvable() ? gateways.get() : NoPostgresChanges.INSTANCE;
        if (gateway == NoPostgresChanges.INSTANCE) {
            LOG.info("No postgres_changes gateway deployed: joins echo their bindings, no changes are delivered");
        }
        RlsChannelAuthorizer messages = new RlsChannelAuthorizer(tenants);
        services = new ChannelServices(registry, tenants, tokens, messages, messages, gateway,
                scheduler, executor, config.channelErrorBackoff(), JOIN_DEADLINE);
    }

    /** @return the shared channel services */
    @Produces
    @Dependent
    public ChannelServices services() {
        return services;
    }
}
