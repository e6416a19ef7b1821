package io.mudrock.realtime.stream;

import io.mudrock.realtime.changes.filter.RowFilter;
import io.mudrock.realtime.changes.TableInfo;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;

/**
 * A validated binding registered with the router: its id, what it asks for, and its filter
 * compiled per table (one table for an exact binding, each matching table for a wildcard one).
 */
final class LiveBinding {

    private final ChannelSubscription owner;
    private final long id;
    private final BindingSpec spec;
    /** Filter per relation oid; empty when it cannot apply to that table (a column is missing). */
    private final Map<Integer, Optional<RowFilter>> filters = new ConcurrentHashMap<>();
    /** Set by the stream thread when evaluating the filter failed; read by it only. */
    private volatile boolean disabled;

    LiveBinding(ChannelSubscription owner, long id, BindingSpec spec) {
        this.owner = owner;
        this.id = id;
        this.spec = spec;
    }

    ChannelSubscription owner() {
        return owner;
    }

    long id() {
        return id;
    }

    BindingSpec spec() {
        return spec;
    }

    /** Keeps a filter compiled while validating the binding. */
    void compiled(int relationOid, RowFilter filter) {
        filters.put(relationOid, Optional.of(filter));
    }

    /** The filter compiled for a table, or null when it has not been compiled for it yet. */
    Optional<RowFilter> filterFor(TableInfo table) {
        return filters.get(table.oid());
    }

    /** Remembers the filter (or that none applies) for a table first seen on the stream. */
    void compiledLater(TableInfo table, Optional<RowFilter> filter) {
        filters.put(table.oid(), filter);
    }

    /** Whether the binding was stopped because its filter could not be evaluated. */
    boolean disabled() {
        return disabled;
    }

    /**
     * Stops routing changes to this binding (its filter failed: evaluating it again would fail
     * again on every change). A token refresh that changes the role, or a new join, starts afresh.
     *
     * @return false if it was stopped already
     */
    boolean disable() {
        boolean first = !disabled;
        disabled = true;
        return first;
    }

    @Override
    public String toString() {
        return "binding " + id + " [" + spec.describe() + "] of " + owner;
    }
}
