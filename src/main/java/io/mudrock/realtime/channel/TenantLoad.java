package io.mudrock.realtime.channel;

/**
 * One tenant's figures that its limits count, on one node or summed over several.
 *
 * @param users sockets with at least one joined channel ({@code max_concurrent_users})
 * @param joinsPerSecond joins per second ({@code max_joins_per_second})
 * @param eventsPerSecond messages per second ({@code max_events_per_second})
 * @param presenceEventsPerSecond presence events per second ({@code max_presence_events_per_second})
 */
public record TenantLoad(int users, double joinsPerSecond, double eventsPerSecond, double presenceEventsPerSecond) {

    /** Nothing at all. */
    public static final TenantLoad NONE = new TenantLoad(0, 0, 0, 0);

    /** @return true when every figure is zero */
    public boolean idle() {
        return users == 0 && joinsPerSecond == 0 && eventsPerSecond == 0 && presenceEventsPerSecond == 0;
    }

    /**
     * @param other more figures
     * @return both summed
     */
    public TenantLoad plus(TenantLoad other) {
        return new TenantLoad(users + other.users, joinsPerSecond + other.joinsPerSecond,
                eventsPerSecond + other.eventsPerSecond, presenceEventsPerSecond + other.presenceEventsPerSecond);
    }
}
