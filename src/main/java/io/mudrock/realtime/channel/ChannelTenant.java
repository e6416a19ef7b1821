package io.mudrock.realtime.channel;

import java.time.Duration;
import java.util.Objects;

/**
 * A tenant as the channel layer sees it: its id, the switches that change joins, and its limits
 * (§9). Built from the tenant record each time it is needed, so admin changes apply to the next
 * join without restarting sockets.
 *
 * @param id the external id
 * @param presenceEnabled presence on for every join ({@code presence_enabled})
 * @param privateOnly public channels refused ({@code private_only})
 * @param maxConcurrentUsers sockets with at least one channel, whole tenant
 * @param maxEventsPerSecond messages per second, whole tenant
 * @param maxChannelsPerClient channels on one socket
 * @param maxJoinsPerSecond joins per second, whole tenant
 * @param maxPresenceEventsPerSecond presence events per second, whole tenant
 * @param maxPayloadSizeInKb broadcast and presence payload limit, in units of 1000 bytes
 * @param clientPresenceMaxCalls presence pushes one channel may make per window
 * @param clientPresenceWindow that window
 * @param suspended {@code suspend}: joins are refused (its sockets were drained when it was set)
 */
public record ChannelTenant(
        String id,
        boolean presenceEnabled,
        boolean privateOnly,
        int maxConcurrentUsers,
        int maxEventsPerSecond,
        int maxChannelsPerClient,
        int maxJoinsPerSecond,
        int maxPresenceEventsPerSecond,
        int maxPayloadSizeInKb,
        int clientPresenceMaxCalls,
        Duration clientPresenceWindow,
        boolean suspended) {

    /** Upstream's {@code CLIENT_PRESENCE_MAX_CALLS} default. */
    public static final int DEFAULT_CLIENT_PRESENCE_MAX_CALLS = 5;
    /** Upstream's {@code CLIENT_PRESENCE_WINDOW_MS} default. */
    public static final Duration DEFAULT_CLIENT_PRESENCE_WINDOW = Duration.ofSeconds(30);

    /**
     * Requires an id and a window.
     *
     * @param id the external id
     * @param presenceEnabled presence for every join
     * @param privateOnly public channels refused
     * @param maxConcurrentUsers users limit
     * @param maxEventsPerSecond events limit
     * @param maxChannelsPerClient channels limit
     * @param maxJoinsPerSecond joins limit
     * @param maxPresenceEventsPerSecond presence limit
     * @param maxPayloadSizeInKb payload limit
     * @param clientPresenceMaxCalls presence calls per window
     * @param clientPresenceWindow presence window
     * @param suspended joins refused
     */
    public ChannelTenant {
        Objects.requireNonNull(id, "id");
        Objects.requireNonNull(clientPresenceWindow, "clientPresenceWindow");
    }

    /**
     * A tenant that is not suspended.
     *
     * @param id the external id
     * @param presenceEnabled presence for every join
     * @param privateOnly public channels refused
     * @param maxConcurrentUsers users limit
     * @param maxEventsPerSecond events limit
     * @param maxChannelsPerClient channels limit
     * @param maxJoinsPerSecond joins limit
     * @param maxPresenceEventsPerSecond presence limit
     * @param maxPayloadSizeInKb payload limit
     * @param clientPresenceMaxCalls presence calls per window
     * @param clientPresenceWindow presence window
     */
    public ChannelTenant(String id, boolean presenceEnabled, boolean privateOnly, int maxConcurrentUsers,
            int maxEventsPerSecond, int maxChannelsPerClient, int maxJoinsPerSecond, int maxPresenceEventsPerSecond,
            int maxPayloadSizeInKb, int clientPresenceMaxCalls, Duration clientPresenceWindow) {
        this(id, presenceEnabled, privateOnly, maxConcurrentUsers, maxEventsPerSecond, maxChannelsPerClient,
                maxJoinsPerSecond, maxPresenceEventsPerSecond, maxPayloadSizeInKb, clientPresenceMaxCalls,
                clientPresenceWindow, false);
    }

    /** @return the largest broadcast or presence payload accepted, in bytes */
    public long maxPayloadBytes() {
        return maxPayloadSizeInKb * 1000L;
    }
}
