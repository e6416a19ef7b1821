package io.mudrock.realtime.channel;

import java.util.List;
import java.util.concurrent.CompletionStage;

/**
 * Where joins register their {@code postgres_changes} bindings: implemented by the change
 * stream. Until one is deployed, {@link NoPostgresChanges} accepts every join and delivers nothing.
 *
 * <p>An implementation is an {@code @ApplicationScoped} CDI bean of this type; the socket layer
 * picks it up when it exists.
 */
public interface PostgresChangesGateway {

    /**
     * Registers a joined channel's bindings. Called on a socket's read thread (or a worker), so
     * it must not block: database work runs elsewhere and completes the returned stage. The join
     * reply waits for that stage, up to the join deadline, so that changes committed after the
     * client sees SUBSCRIBED are delivered. Per-binding problems are reported with
     * {@link PostgresChangesTarget#postgresChangesStatus}; the join itself still succeeds.
     *
     * @param target the channel, where changes are delivered
     * @param bindings its bindings with their ids, in the order the client sent them
     * @param claims the claims the changes are authorized with
     * @return the subscription, completed once changes can flow
     */
    CompletionStage<PostgresChangesSubscription> subscribe(PostgresChangesTarget target,
            List<PostgresBinding> bindings, ClientClaims claims);
}
