package io.mudrock.realtime.metrics;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.FunctionCounter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.Meter;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Tags;
import io.micrometer.core.instrument.Timer;

import java.time.Duration;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.LongAdder;
import java.util.function.IntSupplier;

/**
 * One tenant's series, all labelled {@code tenant}. What happens per message (deliveries, broadcasts,
 * changes) bumps a {@link LongAdder} the registry reads at scrape time: no lock, no allocation, no
 * registry lookup. What happens per join or per close (errors by reason, closes by code) is rarer
 * and looks its labelled counter up in a small map. Labels take bounded values only, so a hostile
 * client cannot create series: unknown close codes count as {@code other}, join errors by their
 * code word, handshake refusals by a fixed name.
 */
public final class TenantMetrics {

    /** Close codes that get their own label value; any other counts as {@code other}. */
    private static final Set<Integer> KNOWN_CLOSE_CODES = Set.of(1000, 1001, 1002, 1003, 1006, 1007, 1008, 1009,
            1011, 1012, 1013);
    private static final Duration[] LATENCY_BUCKETS = {
        Duration.ofNanos(250_000), Duration.ofMillis(1), Duration.ofMillis(2), Duration.ofMillis(5),
        Duration.ofMillis(10), Duration.ofMillis(25), Duration.ofMillis(50), Duration.ofMillis(100),
        Duration.ofMillis(250), Duration.ofMillis(500), Duration.ofSeconds(1), Duration.ofMillis(2500),
        Duration.ofSeconds(5), Duration.ofSeconds(10)};
    /** Microseconds from the Unix epoch to PostgreSQL's, 2000-01-01 UTC. */
    private static final long PG_EPOCH_MICROS = 946_684_800_000_000L;

    private final String tenant;
    private final MeterRegistry registry;
    private final Tags tags;

    private final LongAdder deliveries = new LongAdder();
    private final LongAdder joins = new LongAdder();
    private final LongAdder[] joinedChannels = new LongAdder[ChannelKind.values().length];
    private final LongAdder broadcastsIn = new LongAdder();
    private final LongAdder broadcastsOut = new LongAdder();
    private final LongAdder presenceIn = new LongAdder();
    private final LongAdder presenceOut = new LongAdder();
    private final LongAdder changesDecoded = new LongAdder();
    private final LongAdder changesDelivered = new LongAdder();
    private final LongAdder rlsRefusals = new LongAdder();
    private final LongAdder budgetDelays = new LongAdder();
    private final LongAdder budgetDelayNanos = new LongAdder();
    private final LongAdder replicationReconnects = new LongAdder();
    private final Timer commitToQueue;
    private final Timer rlsChecks;
    private final ConcurrentHashMap<String, Counter> joinErrors = new ConcurrentHashMap<>();
    private final ConcurrentHashMap<String, Counter> handshakeRefusals = new ConcurrentHashMap<>();
    private final ConcurrentHashMap<String, Counter> closes = new ConcurrentHashMap<>();
    private final ConcurrentHashMap<String, Gauge> replicationStates = new ConcurrentHashMap<>();

    private volatile IntSupplier sockets = () -> 0;
    private volatile IntSupplier queuedFrames = () -> 0;
    private volatile boolean socketsBound;
    private volatile String replicationState = "idle";
    private volatile double replicationLagBytes = Double.NaN;
    private volatile boolean lagRegistered;
    private volatile boolean retired;

    TenantMetrics(String tenant, MeterRegistry registry) {
        this.tenant = tenant;
        this.registry = registry;
        this.tags = Tags.of("tenant", tenant);
        Gauge.builder("realtime.connected.sockets", this, m -> m.sockets.getAsInt()).tags(tags)
                .description("Open WebSocket connections of the tenant").register(registry);
        Gauge.builder("realtime.send.queue.frames", this, m -> m.queuedFrames.getAsInt()).tags(tags)
                .description("Frames waiting in the send queues of the tenant's sockets").register(registry);
        for (ChannelKind kind : ChannelKind.values()) {
            LongAdder joined = new LongAdder();
            joinedChannels[kind.ordinal()] = joined;
            Gauge.builder("realtime.joined.channels", joined, LongAdder::sum).tags(tags.and("kind", kind.label()))
                    .description("Joined channels by kind (postgres_changes: has bindings)").register(registry);
        }
        counter("realtime.deliveries", deliveries, "Frames queued for the tenant's sockets: replies, pushes, broadcasts, presence, changes");
        counter("realtime.joins", joins, "Successful channel joins");
        counter("realtime.broadcasts.received", broadcastsIn, "Broadcasts received from clients (WebSocket and REST)");
        counter("realtime.broadcasts.sent", broadcastsOut, "Broadcast frames queued for channels");
        counter("realtime.presence.received", presenceIn, "Presence messages (track, untrack) received from clients");
        counter("realtime.presence.sent", presenceOut, "Presence diff frames queued for channels");
        counter("realtime.db.changes.decoded", changesDecoded, "Row changes decoded from the replication stream");
        counter("realtime.db.changes.delivered", changesDelivered, "postgres_changes frames queued for channels");
        counter("realtime.rls.refusals", rlsRefusals, "Changes an RLS check found invisible to a subscriber's role");
        counter("realtime.event.budget.delays", budgetDelays, "Times the change stream waited for max_events_per_second");
        FunctionCounter.builder("realtime.event.budget.delay.seconds", budgetDelayNanos, a -> a.sum() / 1e9).tags(tags)
                .description("Time the change stream waited for max_events_per_second").register(registry);
        counter("realtime.replication.reconnects", replicationReconnects,
                "Times the replication stream was lost or could not start (each retry)");
        commitToQueue = Timer.builder("realtime.db.change.commit.to.queue").tags(tags)
                .description("From a transaction's commit in PostgreSQL to its change queued for the last channel")
                .serviceLevelObjectives(LATENCY_BUCKETS).register(registry);
        rlsChecks = Timer.builder("realtime.rls.check").tags(tags)
                .description("RLS check round trips to the tenant database (count) and their time")
                .serviceLevelObjectives(LATENCY_BUCKETS).register(registry);
    }

    /** The tenant was deleted: series registered from now on (by late closes) are taken out again. */
    void retire() {
        retired = true;
    }

    /** A lazily registered meter, removed again when the tenant was deleted meanwhile. */
    private <M extends Meter> M kept(M meter) {
        if (retired) {
            registry.remove(meter);
        }
        return meter;
    }

    private void counter(String name, LongAdder adder, String description) {
        FunctionCounter.builder(name, adder, LongAdder::sum).tags(tags).description(description).register(registry);
    }

    /** @return the tenant's external id */
    public String tenant() {
        return tenant;
    }

    /** @return the running totals other readers than the scrape chart (the inspector), read now */
    public Totals totals() {
        return new Totals(broadcastsIn.sum() + broadcastsOut.sum() + presenceIn.sum() + presenceOut.sum(),
                changesDelivered.sum(), rlsChecks.count(), rlsChecks.totalTime(TimeUnit.SECONDS));
    }

    /**
     * Monotonic totals of one tenant since the server started.
     *
     * @param messages         broadcast and presence messages received and sent
     * @param changesDelivered database changes delivered to subscribers
     * @param rlsChecks        RLS check round trips
     * @param rlsCheckSeconds  the time they took, summed
     */
    public record Totals(long messages, long changesDelivered, long rlsChecks, double rlsCheckSeconds) {
    }

    // --- sockets ------------------------------------------------------------------------------

    /**
     * Where the socket gauges read from: the socket layer's own bookkeeping, read at scrape time.
     * The first binding wins; the socket registry is one per application.
     *
     * @param openSockets the tenant's open sockets now
     * @param framesQueued frames waiting in their send queues now
     */
    public void bindSockets(IntSupplier openSockets, IntSupplier framesQueued) {
        if (!socketsBound) {
            sockets = openSockets;
            queuedFrames = framesQueued;
            socketsBound = true;
        }
    }

    /** @return whether {@link #bindSockets} was called */
    public boolean socketsBound() {
        return socketsBound;
    }

    /** One frame queued for one of the tenant's sockets: the per-delivery counter. */
    public void delivered() {
        deliveries.increment();
    }

    /**
     * A socket closed.
     *
     * @param code the close code (ours when we closed it, else the client's or 1006)
     * @param cause {@code client} when the client closed it, else why we did ({@code overflow},
     *              {@code stall}, {@code idle}, {@code drain}, {@code server})
     */
    public void socketClosed(int code, String cause) {
        String codeLabel = KNOWN_CLOSE_CODES.contains(code) ? Integer.toString(code) : "other";
        closes.computeIfAbsent(codeLabel + '|' + cause, key -> kept(Counter.builder("realtime.socket.closes")
                .tags(tags.and("code", codeLabel, "cause", cause))
                .description("Closed sockets by close code and cause").register(registry))).increment();

    }

    /**
     * A WebSocket handshake of this tenant was refused.
     *
     * @param reason a fixed name: {@code api_key_missing}, {@code invalid_token}, {@code realtime_disabled},
     *               {@code too_many_users}, {@code too_many_joins}, {@code bad_handshake}
     */
    public void handshakeRefused(String reason) {
        handshakeRefusals.computeIfAbsent(reason, r -> kept(Counter.builder("realtime.handshake.refusals")
                .tags(tags.and("reason", r)).description("Refused WebSocket handshakes by reason").register(registry)))
                .increment();
    }

    // --- channels -----------------------------------------------------------------------------

    /**
     * A channel joined.
     *
     * @param kind what it is
     */
    public void channelJoined(ChannelKind kind) {
        joins.increment();
        joinedChannels[kind.ordinal()].increment();
    }

    /**
     * A joined channel ended (leave, close, error).
     *
     * @param kind what it was
     */
    public void channelLeft(ChannelKind kind) {
        joinedChannels[kind.ordinal()].decrement();
    }

    /**
     * A join was refused.
     *
     * @param reason the reason as sent to the client ({@code "Code: message"}); counted by its code
     */
    public void joinRefused(String reason) {
        String code = joinErrorCode(reason);
        joinErrors.computeIfAbsent(code, c -> kept(Counter.builder("realtime.join.errors")
                .tags(tags.and("reason", c)).description("Refused joins by error code").register(registry)))
                .increment();
    }

    /**
     * The code word of a join error reason: what comes before the colon when it is one word
     * ({@code Unauthorized}, {@code ConnectionRateLimitReached}, ...), else {@code Unknown}.
     *
     * @param reason the reason sent to the client
     * @return its code, a bounded label value
     */
    static String joinErrorCode(String reason) {
        int colon = reason == null ? -1 : reason.indexOf(':');
        if (colon <= 0 || colon > 48) {
            return "Unknown";
        }
        for (int i = 0; i < colon; i++) {
            if (!Character.isLetterOrDigit(reason.charAt(i))) {
                return "Unknown";
            }
        }
        return reason.substring(0, colon);
    }

    /** A broadcast arrived from a client (WebSocket or REST); its frames count in {@link #broadcastSent}. */
    public void broadcastReceived() {
        broadcastsIn.increment();
    }

    /**
     * Broadcast frames queued for channels.
     *
     * @param frames how many
     */
    public void broadcastSent(int frames) {
        broadcastsOut.add(frames);
    }

    /** A presence message (track, untrack) arrived from a client. */
    public void presenceReceived() {
        presenceIn.increment();
    }

    /**
     * Presence diff frames queued for channels.
     *
     * @param frames how many
     */
    public void presenceSent(int frames) {
        presenceOut.add(frames);
    }

    // --- postgres changes ---------------------------------------------------------------------

    /** One row change decoded from the replication stream. */
    public void changeDecoded() {
        changesDecoded.increment();
    }

    /** One postgres_changes frame queued for a channel. */
    public void changeDelivered() {
        changesDelivered.increment();
    }

    /**
     * A change is in every subscriber's queue: the time since its transaction committed.
     *
     * @param commitTimeMicrosSince2000 the commit time as pgoutput sends it
     */
    public void changeQueued(long commitTimeMicrosSince2000) {
        long nowMicros = TimeUnit.MILLISECONDS.toMicros(System.currentTimeMillis()) - PG_EPOCH_MICROS;
        commitToQueue.record(Math.max(0, nowMicros - commitTimeMicrosSince2000), TimeUnit.MICROSECONDS);
    }

    /**
     * One RLS check round trip.
     *
     * @param nanos how long it took
     * @param refused how many of the checked changes the role may not see
     */
    public void rlsChecked(long nanos, int refused) {
        rlsChecks.record(nanos, TimeUnit.NANOSECONDS);
        rlsRefusals.add(refused);
    }

    /**
     * A socket's database changes were held for its {@code max_events_per_second} budget, for this long.
     *
     * @param nanos how long
     */
    public void budgetDelayed(long nanos) {
        budgetDelays.increment();
        budgetDelayNanos.add(nanos);
    }

    /** The replication stream was lost or could not start. */
    public void replicationLost() {
        replicationReconnects.increment();
    }

    /**
     * The replication stream's state now; {@code realtime_replication_state{state}} is 1 for it and
     * 0 for the states seen before.
     *
     * @param state {@code idle}, {@code starting}, {@code streaming} or {@code reconnecting}
     */
    public void replicationState(String state) {
        replicationState = state;
        replicationStates.computeIfAbsent(state, s -> kept(Gauge.builder("realtime.replication.state", this,
                m -> s.equals(m.replicationState) ? 1 : 0).tags(tags.and("state", s))
                .description("1 for the replication stream's current state").register(registry)));
    }

    /**
     * The WAL the stream has not yet confirmed: {@code pg_current_wal_lsn()} minus the confirmed
     * position, sampled off the stream's thread.
     *
     * @param bytes the lag
     */
    public void replicationLag(long bytes) {
        replicationLagBytes = Math.max(0, bytes);
        if (!lagRegistered) {
            lagRegistered = true;
            kept(Gauge.builder("realtime.replication.lag", this, m -> m.replicationLagBytes).tags(tags).baseUnit("bytes")
                    .description("pg_current_wal_lsn() minus the stream's confirmed position").register(registry));
        }
    }
}
