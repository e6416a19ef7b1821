package io.mudrock.realtime.stream;

import io.mudrock.realtime.protocol.LogText;
import io.mudrock.realtime.changes.ChangePayloadSerializer;
import io.mudrock.realtime.changes.ChangeType;
import io.mudrock.realtime.changes.ColumnMask;
import io.mudrock.realtime.changes.filter.FilterValidationException;
import io.mudrock.realtime.changes.PreparedChange;
import io.mudrock.realtime.changes.RowChange;
import io.mudrock.realtime.changes.filter.RowFilter;
import io.mudrock.realtime.changes.TableInfo;
import io.mudrock.realtime.changes.filter.ValueCanonicalizer;
import io.mudrock.realtime.channel.PostgresChangesTarget;
import io.mudrock.realtime.metrics.RealtimeMetrics;
import io.mudrock.realtime.metrics.TenantMetrics;
import io.mudrock.realtime.protocol.FanOutFrames;
import io.mudrock.realtime.protocol.FrameEncoder;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.BitSet;
import java.util.HashMap;
import java.util.IdentityHashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.logging.Level;
import java.util.logging.Logger;

/**
 * Steps 3 to 6 of "one change, end to end", on the stream thread: routes each change to the
 * bindings on its table (index lookup, event and filter), batches changes (a transaction's, or
 * several transactions' while the stream is busy; at most {@link #BATCH_SIZE} at a time, so a
 * huge transaction never sits in memory), authorizes a batch with one RLS round trip per claims
 * group (none where the role's policies cannot filter), serializes each change once per distinct column
 * mask and queues one frame per channel (shared by channels with the same topic and ids).
 * Queuing never waits: each channel's socket holds what it cannot take yet in its own queue and
 * is charged for it ({@code channel.SubscriberQueue}), so no subscriber can slow the stream.
 *
 * <p>Changes reach every channel in commit order and, within a transaction, in statement order:
 * batches are delivered in order, changes within a batch too, and a channel's queue keeps order.
 */
final class ChangeDispatcher {

    private static final Logger LOG = Logger.getLogger(ChangeDispatcher.class.getName());

    /** Changes authorized and delivered together; also the most keys one RLS query carries per table. */
    static final int BATCH_SIZE = 1000;

    /** What the dispatcher needs from its tenant's stream. */
    interface Context {
        BindingIndex index();

        AccessCatalog access();

        ValueCanonicalizer canonicalizer();

        String tenantId();
    }

    private record Routed(RowChange change, List<LiveBinding> bindings) {
    }

    private record MaskKey(TableInfo table, TableAccess access, List<String> select) {
    }

    /**
     * One serialized form of a change for one channel, with the ids of the bindings it answers.
     * Found by identity: each column mask's data string is built once per change, and hashing
     * a fresh payload string cost more than everything else in routing.
     */
    private record Variant(String data, List<Long> ids) {
        static List<Long> idsFor(List<Variant> variants, String data) {
            for (Variant variant : variants) {
                if (variant.data == data) {
                    return variant.ids;
                }
            }
            Variant added = new Variant(data, new ArrayList<>(2));
            variants.add(added);
            return added.ids;
        }
    }

    private record FrameKey(String topic, long[] ids, String data) {
        @Override
        public boolean equals(Object o) {
            return o instanceof FrameKey k && topic.equals(k.topic) && data == k.data && Arrays.equals(ids, k.ids);
        }

        @Override
        public int hashCode() {
            return 31 * (31 * topic.hashCode() + Arrays.hashCode(ids)) + System.identityHashCode(data);
        }
    }

    private final Context context;
    private final RlsChecker rls;
    private final TenantMetrics metrics;
    private ChangePayloadSerializer serializer = new ChangePayloadSerializer();
    private int maxRecordBytes = ChangePayloadSerializer.DEFAULT_MAX_RECORD_BYTES;
    private final List<Routed> batch = new ArrayList<>();
    /** Transaction ids of the batch's changes, which a check must see committed (ascending use, few). */
    private long[] xids = new long[8];
    private int xidCount;
    private final List<LiveBinding> candidates = new ArrayList<>();
    private final Map<MaskKey, ColumnMask> masks = new HashMap<>();

    ChangeDispatcher(Context context, RlsChecker rls) {
        this.context = context;
        this.rls = rls;
        this.metrics = RealtimeMetrics.tenant(context.tenantId());
    }

    /** The tenant's {@code poll_max_record_bytes}: larger changes are cut down and flagged 413. */
    void maxRecordBytes(int maxRecordBytes) {
        if (maxRecordBytes > 0 && maxRecordBytes != this.maxRecordBytes) {
            this.maxRecordBytes = maxRecordBytes;
            serializer = new ChangePayloadSerializer(maxRecordBytes);
        }
    }

    /** A table was re-described: masks built for its old shape are dropped. */
    void relationChanged() {
        masks.clear();
    }

    /**
     * Routes one change; delivers the batch when it is full.
     *
     * @throws SQLException if the database cannot be reached for a catalog or RLS read
     */
    void add(RowChange change) throws SQLException {
        metrics.changeDecoded();
        TableInfo table = change.table();
        candidates.clear();
        context.index().collect(table.schema(), table.name(), candidates);
        if (candidates.isEmpty()) {
            return;
        }
        List<LiveBinding> matched = null;
        for (LiveBinding binding : candidates) {
            if (binding.disabled() || !binding.owner().live() || !binding.spec().accepts(change.type())
                    || !passesFilter(binding, change)) {
                continue;
            }
            if (matched == null) {
                matched = new ArrayList<>(candidates.size());
            }
            matched.add(binding);
        }
        if (matched != null) {
            batch.add(new Routed(change, matched));
            if (batch.size() >= BATCH_SIZE) {
                flush();
            }
        }
    }

    /** A transaction begins: its changes are checked only once the database shows it committed. */
    void begin(int xid) {
        if (xidCount == xids.length) {
            xids = Arrays.copyOf(xids, xidCount * 2);
        }
        xids[xidCount++] = Integer.toUnsignedLong(xid);
    }

    /** How many routed changes wait for {@link #flush()}. */
    int pending() {
        return batch.size();
    }

    /**
     * Authorizes and delivers the routed changes so far (end of a transaction, or a full batch).
     *
     * @throws SQLException if the database cannot be reached for RLS checks
     */
    void flush() throws SQLException {
        if (batch.isEmpty()) {
            return;
        }
        // Claims are read once per batch, so a token refresh mid-batch cannot split one check.
        Map<ChannelSubscription, ClaimsGroup> groups = new IdentityHashMap<>();
        Map<ClaimsGroup, RlsChecker.Request> requests = new LinkedHashMap<>();
        for (int position = 0; position < batch.size(); position++) {
            Routed routed = batch.get(position);
            RowChange change = routed.change();
            for (LiveBinding binding : routed.bindings()) {
                ClaimsGroup group = groups.computeIfAbsent(binding.owner(), ChannelSubscription::group);
                TableAccess access = access(change.table(), group.role());
                if (access != null && needsCheck(change, access)) {
                    requests.computeIfAbsent(group, g -> new RlsChecker.Request()).add(position, change);
                }
            }
        }
        Map<ClaimsGroup, BitSet> visible = new HashMap<>();
        List<Map.Entry<ClaimsGroup, RlsChecker.Request>> all = new ArrayList<>(requests.entrySet());
        for (int from = 0; from < all.size(); from += rls.groupsPerRoundTrip()) {
            checkTogether(all.subList(from, Math.min(all.size(), from + rls.groupsPerRoundTrip())), groups, visible);
        }
        for (int position = 0; position < batch.size(); position++) {
            deliver(batch.get(position), position, groups, visible);
        }
        batch.clear();
        if (xidCount > 0) {
            xids[0] = xids[xidCount - 1]; // the current transaction may go on after a full batch
            xidCount = 1;
        }
    }

    /** One round trip for the chunk; if any part fails, each group alone, so one group's error withholds only its rows. */
    private void checkTogether(List<Map.Entry<ClaimsGroup, RlsChecker.Request>> chunk,
                               Map<ChannelSubscription, ClaimsGroup> groups, Map<ClaimsGroup, BitSet> visible)
            throws SQLException {
        if (chunk.size() > 1) {
            try {
                long started = System.nanoTime();
                Map<ClaimsGroup, BitSet> seen = rls.checkAll(chunk, Arrays.copyOf(xids, xidCount));
                int asked = 0;
                int shown = 0;
                for (Map.Entry<ClaimsGroup, RlsChecker.Request> entry : chunk) {
                    asked += entry.getValue().size();
                    shown += seen.get(entry.getKey()).cardinality();
                }
                metrics.rlsChecked(System.nanoTime() - started, asked - shown);
                visible.putAll(seen);
                return;
            } catch (RlsChecker.Refused refused) {
                LOG.fine(() -> LogText.tenant(context.tenantId()) + ": RLS check of " + chunk.size()
                        + " groups together failed, checking each alone: " + refused.getMessage());
            }
        }
        for (Map.Entry<ClaimsGroup, RlsChecker.Request> entry : chunk) {
            visible.put(entry.getKey(), check(entry.getKey(), entry.getValue(), groups));
        }
    }

    private BitSet check(ClaimsGroup group, RlsChecker.Request request, Map<ChannelSubscription, ClaimsGroup> groups)
            throws SQLException {
        try {
            long started = System.nanoTime();
            BitSet visible = rls.check(group, request, Arrays.copyOf(xids, xidCount));
            metrics.rlsChecked(System.nanoTime() - started, request.size() - visible.cardinality());
            return visible;
        } catch (RlsChecker.Refused refused) {
            // Not delivering is the only safe answer when the database cannot say; say so.
            TableInfo table = refused.table();
            int withheld = request.size();
            String schema = table == null ? "?" : table.schema();
            String name = table == null ? "?" : table.name();
            LOG.warning(() -> LogText.tenant(context.tenantId()) + ": RLS check on " + schema + "." + name + " as " + group
                    + " failed, " + withheld + " changes withheld: " + refused.getMessage());
            groups.forEach((subscription, g) -> {
                if (g.equals(group)) {
                    subscription.target().postgresChangesStatus(false,
                            StreamNotices.rlsCheckFailed(schema, name, group.role(), refused.getMessage(), withheld));
                }
            });
            return new BitSet();
        }
    }

    private void deliver(Routed routed, int position, Map<ChannelSubscription, ClaimsGroup> groups,
                         Map<ClaimsGroup, BitSet> visible) throws SQLException {
        RowChange change = routed.change();
        TableInfo table = change.table();
        PreparedChange prepared = null;
        Map<ColumnMask, String> dataByMask = new HashMap<>(4);
        // Per channel, the data variants in first-seen order, each with its binding ids.
        Map<ChannelSubscription, List<Variant>> perChannel = new LinkedHashMap<>();
        for (LiveBinding binding : routed.bindings()) {
            ChannelSubscription subscription = binding.owner();
            if (!subscription.live()) {
                continue;
            }
            ClaimsGroup group = groups.get(subscription);
            TableAccess access = access(table, group.role());
            if (access == null) {
                continue;
            }
            if (needsCheck(change, access)) {
                BitSet seen = visible.get(group);
                if (seen == null || !seen.get(position)) {
                    continue;
                }
            }
            ColumnMask mask = masks.computeIfAbsent(new MaskKey(table, access, binding.spec().select()),
                    key -> ColumnMask.of(table, access::canSelect, key.select()));
            if (prepared == null) {
                prepared = serializer.prepare(change);
            }
            PreparedChange once = prepared;
            String data = dataByMask.computeIfAbsent(mask, m -> serializer.serialize(once, m, access.rlsEnabled()));
            List<Long> ids = Variant.idsFor(perChannel.computeIfAbsent(subscription, s -> new ArrayList<>(1)), data);
            if (!ids.contains(binding.id())) { // a binding being replaced after a token refresh
                ids.add(binding.id());
            }
        }
        if (perChannel.isEmpty()) {
            return;
        }
        Map<FrameKey, FanOutFrames> frames = new HashMap<>();
        for (Map.Entry<ChannelSubscription, List<Variant>> channel : perChannel.entrySet()) {
            PostgresChangesTarget target = channel.getKey().target();
            for (Variant variant : channel.getValue()) {
                long[] ids = variant.ids().stream().mapToLong(Long::longValue).toArray();
                FanOutFrames shared = frames.computeIfAbsent(new FrameKey(target.topic(), ids, variant.data()),
                        key -> FrameEncoder.postgresChanges(key.topic(), key.ids(), key.data()));
                try {
                    if (target.deliver(shared)) {
                        metrics.changeDelivered();
                    }
                } catch (RuntimeException e) {
                    // One broken channel must not stop the tenant's stream.
                    LOG.log(Level.WARNING, LogText.channel(context.tenantId(), target.topic()) + ": delivery failed", e);
                }
            }
        }
        metrics.changeQueued(change.commitTime());
    }

    /**
     * INSERT and UPDATE of an RLS table with a primary key the role can see are checked, unless
     * its policies cannot filter for the role; DELETE never (§5.4).
     */
    private static boolean needsCheck(RowChange change, TableAccess access) {
        return change.type() != ChangeType.DELETE && access.rowSecurity() && !access.unfiltered()
                && change.table().hasPrimaryKey()
                && primaryKeyVisible(change.table(), access);
    }

    /** Without SELECT on the key the payload is upstream's 401 error, which needs no check. */
    private static boolean primaryKeyVisible(TableInfo table, TableAccess access) {
        for (int i = 0; i < table.size(); i++) {
            if (table.column(i).primaryKey() && !access.canSelect(table.column(i))) {
                return false;
            }
        }
        return true;
    }

    private TableAccess access(TableInfo table, String role) throws SQLException {
        try {
            return context.access().access(table.oid(), role);
        } catch (AccessCatalog.UnknownRole e) {
            LOG.fine(() -> LogText.tenant(context.tenantId()) + ": role " + role + " no longer exists in the database");
            return null;
        }
    }

    /**
     * Whether the binding's filter lets the change through. Whatever goes wrong while evaluating
     * it (a {@code StackOverflowError} included) stops that binding only; an unreachable database
     * stays the stream's problem.
     */
    private boolean passesFilter(LiveBinding binding, RowChange change) throws SQLException {
        if (binding.spec().conditions().isEmpty()) {
            return true;
        }
        try {
            if (becomesErrorPayload(binding, change)) {
                return true;
            }
            Optional<RowFilter> filter = binding.filterFor(change.table());
            if (filter == null) {
                filter = compileLater(binding, change.table());
            }
            return filter.isPresent() && filter.get().test(change);
        } catch (SQLException e) {
            throw e;
        } catch (Throwable e) {
            disable(binding, e);
            return false;
        }
    }

    /**
     * Whether the change reaches this binding as upstream's 400/401 error payload (no primary key,
     * or one the role may not SELECT): no RLS check runs for it, so it goes to every binding on the
     * table and event as upstream's {@code apply_rls} sends it, unfiltered. Filtering it would tell
     * a subscriber which rows it cannot see hold which values.
     */
    private boolean becomesErrorPayload(LiveBinding binding, RowChange change) throws SQLException {
        if (change.type() == ChangeType.DELETE) {
            return false;
        }
        if (!change.table().hasPrimaryKey()) {
            return true;
        }
        TableAccess access = access(change.table(), binding.owner().group().role());
        return access != null && !primaryKeyVisible(change.table(), access);
    }

    /** Takes a binding whose filter failed out of routing, and tells its channel and the log once. */
    private void disable(LiveBinding binding, Throwable failure) {
        if (!binding.disable()) {
            return;
        }
        String reason = failure.getClass().getSimpleName() + (failure.getMessage() == null ? ""
                : ": " + TenantStream.describe(failure));
        LOG.warning(() -> LogText.channel(context.tenantId(), binding.owner().target().topic())
                + ": the filter of binding " + binding.id() + " failed (" + reason + "); the binding is stopped");
        binding.owner().target().postgresChangesStatus(false, StreamNotices.filterFailed(binding.spec().describe(), reason));
    }

    /** A wildcard binding's filter meets a table for the first time (or a table was re-created). */
    private Optional<RowFilter> compileLater(LiveBinding binding, TableInfo table) throws SQLException {
        Optional<RowFilter> filter = Optional.empty();
        try {
            TableAccess access = context.access().access(table.oid(), binding.owner().group().role());
            filter = Optional.of(RowFilter.compile(binding.spec().conditions(), table, access::canSelect,
                    context.canonicalizer()));
        } catch (FilterValidationException e) {
            binding.owner().target().postgresChangesStatus(false, binding.spec().failed(e.postgrexMessage())
                    + " (table " + Sql.table(table.schema(), table.name()) + ")");
        } catch (AccessCatalog.UnknownRole e) {
            LOG.fine(() -> LogText.tenant(context.tenantId()) + " " + binding.owner() + ": the role of binding " + binding.id()
                    + " no longer exists");
        }
        binding.compiledLater(table, filter);
        return filter;
    }
}
