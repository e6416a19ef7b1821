package io.mudrock.realtime.channel;

import java.util.concurrent.atomic.AtomicInteger;

/**
 * The live counters of one tenant's limits: sockets with at least one channel, and the joins,
 * events and presence events per second. One per tenant, owned by the {@link ChannelRegistry},
 * so one tenant's traffic never touches another tenant's counters.
 */
public final class TenantActivity {

    private final AtomicInteger connectedUsers = new AtomicInteger();
    private final RateCounter joins = new RateCounter();
    private final RateCounter events = new RateCounter();
    private final RateCounter presenceEvents = new RateCounter();

    /** Package-private: only the registry creates them, one per tenant. */
    TenantActivity() {
    }

    /** @return sockets of this tenant that have at least one joined channel */
    public int connectedUsers() {
        return connectedUsers.get();
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
