package io.mudrock.realtime.channel;

import java.util.concurrent.atomic.AtomicInteger;

/**
 * The live counters of one tenant's limits: sockets with at least one channel, and the joins,
 * events and presence events per second. One per tenant, owned by the {@link ChannelRegistry},
 * so one tenant's traffic never touches another tenant's counters.
 */
public final class TenantActivity {

    private final AtomicInteger connectedUsers = new AtomicInteger();
    private volatile int usersElsewhere;
    private final RateCounter joins = new RateCounter();
    private final RateCounter events = new RateCounter();
    private final RateCounter presenceEvents = new RateCounter();

    /** Package-private: only the registry creates them, one per tenant. */
    TenantActivity() {
    }

    /** @return sockets of this tenant that have at least one joined channel, on every node */
    public int connectedUsers() {
        return connectedUsers.get() + usersElsewhere;
    }

    /** @return the same on this node alone */
    public int localUsers() {
        return connectedUsers.get();
    }

    /**
     * Sets what the other nodes of a cluster last reported for this tenant, so its limits count
     * cluster-wide.
     *
     * @param load their figures, summed
     */
    public void elsewhere(TenantLoad load) {
        usersElsewhere = load.users();
        joins.elsewhere(load.joinsPerSecond());
        events.elsewhere(load.eventsPerSecond());
        presenceEvents.elsewhere(load.presenceEventsPerSecond());
    }

    /** @return this node's own figures, for the other nodes */
    public TenantLoad localLoad() {
        return new TenantLoad(connectedUsers.get(), joins.localPerSecond(), events.localPerSecond(),
                presenceEvents.localPerSecond());
    }

    void userJoined() {
        connectedUsers.incrementAndGet();
    }

    void userLeft() {
        connectedUsers.decrementAndGet();
    }

    /** @return joins per second ({@code max_joins_per_second}) */
    public RateCounter joins() {
        return joins;
    }

    /** @return messages per second, sent and delivered ({@code max_events_per_second}) */
    public RateCounter events() {
        return events;
    }

    /** @return presence tracks and diffs delivered per second ({@code max_presence_events_per_second}) */
    public RateCounter presenceEvents() {
        return presenceEvents;
    }
}
