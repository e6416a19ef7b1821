package io.mudrock.realtime.channel;

import java.time.Duration;
import java.util.Objects;
import java.util.concurrent.Executor;
import java.util.concurrent.ScheduledExecutorService;

/**
 * Everything the channels of a socket need from the server, in one value so sockets are cheap
 * to create and tests can assemble one without a container.
 *
 * @param registry who listens to what
 * @param tenants the tenants' current settings and limits
 * @param tokens verification of join and refresh tokens
 * @param authorizer private-channel checks
 * @param replay stored broadcasts read back for private-channel replay
 * @param postgresChanges where bindings are registered
 * @param scheduler timers: error back-off, token expiry; tasks must be short
 * @param blockingWork threads for database checks, never a socket's read thread
 * @param channelErrorBackoff {@code CHANNEL_ERROR_BACKOFF_MS}: delay before a join error reply
 * @param joinDeadline how long a join may wait for its database checks and change subscription
 */
public record ChannelServices(
        ChannelRegistry registry,
        ChannelTenants tenants,
        TokenVerifier tokens,
        ChannelAuthorizer authorizer,
        BroadcastReplay replay,
        PostgresChangesGateway postgresChanges,
        ScheduledExecutorService scheduler,
        Executor blockingWork,
        Duration channelErrorBackoff,
        Duration joinDeadline) {

    /**
     * Requires every service.
     *
     * @param registry registry
     * @param tenants tenants
     * @param tokens tokens
     * @param authorizer authorizer
     * @param replay replay
     * @param postgresChanges gateway
     * @param scheduler scheduler
     * @param blockingWork worker threads
     * @param channelErrorBackoff join error delay
     * @param joinDeadline join deadline
     */
    public ChannelServices {
        Objects.requireNonNull(registry, "registry");
        Objects.requireNonNull(tenants, "tenants");
        Objects.requireNonNull(tokens, "tokens");
        Objects.requireNonNull(authorizer, "authorizer");
        Objects.requireNonNull(replay, "replay");
        Objects.requireNonNull(postgresChanges, "postgresChanges");
        Objects.requireNonNull(scheduler, "scheduler");
        Objects.requireNonNull(blockingWork, "blockingWork");
        Objects.requireNonNull(channelErrorBackoff, "channelErrorBackoff");
        Objects.requireNonNull(joinDeadline, "joinDeadline");
    }
}
