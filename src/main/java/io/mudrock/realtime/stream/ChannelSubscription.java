package io.mudrock.realtime.stream;

import io.mudrock.realtime.channel.ClientClaims;
import io.mudrock.realtime.channel.PostgresBinding;
import io.mudrock.realtime.channel.PostgresChangesSubscription;
import io.mudrock.realtime.channel.PostgresChangesTarget;
import io.mudrock.realtime.protocol.LogText;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

/**
 * One channel's {@code postgres_changes} registration with a tenant's stream: its target, the
 * claims its changes are authorized with, and its live bindings. Handed to the channel layer,
 * which calls {@link #updateClaims} on token refresh and {@link #close} when the channel ends.
 */
final class ChannelSubscription implements PostgresChangesSubscription {

    private final TenantStream stream;
    private final PostgresChangesTarget target;
    private final List<PostgresBinding> requested;
    /** Tables named by exact bindings that the publication does not hold (yet). */
    private final Set<SubscriptionValidator.TableName> pending = ConcurrentHashMap.newKeySet();
    private volatile ClaimsGroup group;
    private volatile List<LiveBinding> bindings = List.of();
    private volatile boolean closed;

    ChannelSubscription(TenantStream stream, PostgresChangesTarget target, List<PostgresBinding> requested,
                        ClientClaims claims) {
        this.stream = stream;
        this.target = target;
        this.requested = List.copyOf(requested);
        this.group = ClaimsGroup.of(claims);
    }

    /** The bindings as the client sent them, for validating them again. */
    List<PostgresBinding> requested() {
        return requested;
    }

    /** Tables this channel waits for the publication to hold. */
    Set<SubscriptionValidator.TableName> pending() {
        return pending;
    }

    PostgresChangesTarget target() {
        return target;
    }

    /** Who the changes are authorized as. */
    ClaimsGroup group() {
        return group;
    }

    void group(ClaimsGroup group) {
        this.group = group;
    }

    List<LiveBinding> bindings() {
        return bindings;
    }

    void bindings(List<LiveBinding> bindings) {
        this.bindings = List.copyOf(bindings);
    }

    /** Whether changes should still reach the channel. */
    boolean live() {
        return !closed && target.isOpen();
    }

    boolean closed() {
        return closed;
    }

    @Override
    public void updateClaims(ClientClaims claims) {
        stream.refresh(this, claims);
    }

    @Override
    public void close() {
        synchronized (this) {
            if (closed) {
                return;
            }
            closed = true;
        }
        stream.unsubscribe(this);
    }

    @Override
    public String toString() {
        return "channel=" + LogText.value(target.topic()) + " (" + group + ")";
    }
}
