package io.mudrock.realtime.channel;

import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;

/**
 * The gateway used while no change stream is deployed: joins with bindings succeed (their ids
 * are echoed) and no change is ever delivered.
 */
public final class NoPostgresChanges implements PostgresChangesGateway {

    /** The one instance; it has no state. */
    public static final NoPostgresChanges INSTANCE = new NoPostgresChanges();

    private static final PostgresChangesSubscription NOTHING = new PostgresChangesSubscription() {
        @Override
        public void updateClaims(ClientClaims claims) {
            // nothing is delivered, so nothing is authorized
        }

        @Override
        public void close() {
            // nothing to stop
        }
    };

    private NoPostgresChanges() {
    }

    @Override
    public CompletionStage<PostgresChangesSubscription> subscribe(PostgresChangesTarget target,
            List<PostgresBinding> bindings, ClientClaims claims) {
        return CompletableFuture.completedFuture(NOTHING);
    }
}
