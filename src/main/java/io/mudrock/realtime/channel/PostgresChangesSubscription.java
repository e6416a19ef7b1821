package io.mudrock.realtime.channel;

/** The live {@code postgres_changes} registration of one channel, ended when the channel ends. */
public interface PostgresChangesSubscription {

    /**
     * The client refreshed its token: later changes are authorized with these claims.
     * Must not block.
     *
     * @param claims the new claims
     */
    void updateClaims(ClientClaims claims);

    /** The channel left or its socket closed: stop delivering. Must not block; called once. */
    void close();
}
