package io.mudrock.realtime.channel;

import java.time.Duration;

/** Decides what a client may do on a private channel (§10). */
@FunctionalInterface
public interface ChannelAuthorizer {

    /**
     * Runs the read and write checks for a private channel. Blocks on the tenant database, so it
     * is only called on a worker thread, never on a socket's read thread.
     *
     * @param tenantId the tenant's external id
     * @param subTopic the channel name without {@code realtime:}
     * @param claims the client's claims, which the policies see
     * @param deadline how long the checks may take in total
     * @return the permissions
     * @throws ChannelAuthorizationException if the checks could not be made
     */
    TopicPermissions authorize(String tenantId, String subTopic, ClientClaims claims, Duration deadline)
            throws ChannelAuthorizationException;
}
