package io.mudrock.realtime.stream;

import io.mudrock.realtime.protocol.LogText;
import io.mudrock.realtime.changes.catalog.JdbcCatalog;
import io.mudrock.realtime.changes.filter.ValueCanonicalizer;
import io.mudrock.realtime.channel.ClientClaims;
import io.mudrock.realtime.channel.PostgresBinding;
import io.mudrock.realtime.channel.PostgresChangesSubscription;
import io.mudrock.realtime.channel.PostgresChangesTarget;
import io.mudrock.realtime.config.RealtimeConfig;
import io.mudrock.realtime.metrics.RealtimeMetrics;
import io.mudrock.realtime.tenant.PostgresCdcSettings;
import io.mudrock.realtime.tenant.Tenant;
import io.mudrock.realtime.tenant.TenantDatabases;
import java.sql.SQLException;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Future;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.function.Function;
import java.util.logging.Level;
import java.util.logging.Logger;

/**
 * One tenant's change stream: its subscriptions and router index, the task that streams its
 * database (a {@link StreamRun} while bindings exist), and the connections and caches both use.
 *
 * <p><b>Lifecycle.</b> The task starts when the first binding goes live and stops
 * {@link #IDLE_LINGER} after the last one left (a reconnecting client rejoins within that time
 * without a new slot), when the tenant is reloaded or deleted, and on shutdown.
 *
 * <p><b>Going live.</b> A join's bindings are validated on a worker thread, registered in the
 * index, and its stage completes once the task is streaming: from then on every transaction that
 * commits is decoded after the binding was registered, so a row written right after SUBSCRIBED
 * is delivered.
 *
 * <p>Thread-safe: joins, leaves and token refreshes arrive on worker threads; the task reads the
 * index without locks. Lifecycle state is guarded by this object.
 */
final class TenantStream implements ChangeDispatcher.Context {

    private static final Logger LOG = Logger.getLogger(TenantStream.class.getName());

    /** How long the slot is kept after the last binding left. */
    static final Duration IDLE_LINGER = Duration.ofSeconds(30);
    /** How often the publication's tables are read while streaming, for the status messages. */
    static final Duration PUBLICATION_POLL = Duration.ofSeconds(5);
    /** How often the slot is checked to be ours and active (a half-open connection reads nothing). */
    static final Duration LIVENESS_CHECK = Duration.ofSeconds(30);
    /** Deadline of one RLS check. */
    static final Duration RLS_TIMEOUT = Duration.ofSeconds(5);
    /** Delay before checking a join's bindings again when the database could not be reached. */
    static final Duration SUBSCRIBE_RETRY = Duration.ofSeconds(5);

    /** The database resources of one tenant settings version. */
    record Resources(StreamDatabase database, AccessCatalog access, SubscriptionValidator validator, RlsChecker rls,
                     JdbcCatalog catalog) {

        static Resources open(String tenantId, RealtimeConfig.DatabaseSettings settings, int rlsGroupsPerRoundTrip) {
            StreamDatabase database = new StreamDatabase(tenantId, settings);
            AccessCatalog access = new AccessCatalog(database);
            return new Resources(database, access, new SubscriptionValidator(database, access),
                    new RlsChecker(database, RLS_TIMEOUT, rlsGroupsPerRoundTrip), new JdbcCatalog(database::connection));
        }
    }

    /** The tenant has no usable database settings. */
    static final class NoDatabase extends Exception {
        NoDatabase(String tenantId) {
            super("tenant " + tenantId + " has no postgres_cdc_rls database settings");
        }
    }

    private final String tenantId;
    private final Function<String, Optional<Tenant>> tenants;
    private final ExecutorService executor;
    private final RealtimeConfig.ReplicationSettings replication;
    private final BindingIndex index = new BindingIndex();
    private final Set<ChannelSubscription> subscriptions = ConcurrentHashMap.newKeySet();

    // Guarded by this.
    private Resources resources;
    private StreamRun run;
    private Future<?> runFuture;
    private CompletableFuture<Void> streaming = new CompletableFuture<>();
    private StreamStatus.State state = StreamStatus.State.IDLE;
    private Instant since = Instant.now();
    private String problem;
    private String slot;
    private boolean outageAnnounced;
    private long emptySince = System.nanoTime();
    private boolean forgotten;

    private volatile long confirmedLsn;
    private volatile long receivedLsn;
    private final int rlsGroupsPerRoundTrip;

    /**
     * @param tenantId    the tenant's external id
     * @param tenants     reads the tenant's current record (settings and limits change at runtime)
     * @param executor    runs the stream task and the join checks
     * @param replication slot settings
     */
    TenantStream(String tenantId, Function<String, Optional<Tenant>> tenants, ExecutorService executor,
                 RealtimeConfig.ReplicationSettings replication) {
        this(tenantId, tenants, executor, replication, RlsChecker.GROUPS_PER_ROUND_TRIP);
    }

    /** As above, with how many claims groups share one RLS round trip (1 measures the per-group path). */
    TenantStream(String tenantId, Function<String, Optional<Tenant>> tenants, ExecutorService executor,
                 RealtimeConfig.ReplicationSettings replication, int rlsGroupsPerRoundTrip) {
        this.tenantId = tenantId;
        this.tenants = tenants;
        this.executor = executor;
        this.replication = replication;
        this.rlsGroupsPerRoundTrip = rlsGroupsPerRoundTrip;
    }

    // --- joins, leaves, token refreshes ---------------------------------------------------------

    /** Registers a channel's bindings; completes once they are live (see the class comment). */
    CompletionStage<PostgresChangesSubscription> subscribe(PostgresChangesTarget target, List<PostgresBinding> bindings,
                                                           ClientClaims claims) {
        ChannelSubscription subscription = new ChannelSubscription(this, target, bindings, claims);
        CompletableFuture<PostgresChangesSubscription> result = new CompletableFuture<>();
        try {
            executor.execute(() -> registerOrReport(subscription, result, true));
        } catch (RejectedExecutionException e) {
            result.complete(subscription); // the server is stopping: nothing will be delivered
        }
        return result;
    }

    /** {@link #register}, never leaving the join waiting on a bug: the client is answered and told. */
    private void registerOrReport(ChannelSubscription subscription, CompletableFuture<PostgresChangesSubscription> result,
                                  boolean firstAttempt) {
        try {
            register(subscription, result, firstAttempt);
        } catch (RuntimeException | LinkageError e) {
            LOG.log(Level.SEVERE, LogText.tenant(tenantId) + " " + subscription + ": bindings could not be registered", e);
            if (result.complete(subscription)) {
                subscription.target().postgresChangesStatus(false, StreamNotices.failed(describe(e)));
            }
        }
    }

    private void register(ChannelSubscription subscription, CompletableFuture<PostgresChangesSubscription> result,
                          boolean firstAttempt) {
        PostgresChangesTarget target = subscription.target();
        SubscriptionValidator.Outcome outcome;
        try {
            Tenant tenant = tenant();
            outcome = resources().validator().validate(subscription, subscription.requested(), subscription.group(),
                    publication(tenant));
        } catch (NoDatabase e) {
            result.complete(subscription);
            target.postgresChangesStatus(false, StreamNotices.NO_DATABASE);
            return;
        } catch (SQLException | RuntimeException e) {
            // Upstream retries every few seconds too; the join is answered now, with the reason.
            result.complete(subscription);
            if (firstAttempt) {
                LOG.warning(() -> LogText.channel(tenantId, target.topic()) + ": bindings cannot be checked: "
                        + describe(e) + "; retrying every " + SUBSCRIBE_RETRY.toSeconds() + " s");
                target.postgresChangesStatus(false, StreamNotices.cannotCheck(describe(e)));
            }
            retryLater(subscription);
            return;
        }
        CompletableFuture<Void> ready;
        synchronized (this) {
            if (subscription.closed() || forgotten) {
                result.complete(subscription);
                return;
            }
            subscription.bindings(outcome.live());
            subscription.pending().addAll(outcome.pending());
            outcome.live().forEach(index::add);
            if (outcome.live().isEmpty()) {
                ready = CompletableFuture.completedFuture(null);
            } else {
                subscriptions.add(subscription);
                ensureRunning();
                ready = streaming;
            }
        }
        // The channel layer queues its join reply when this stage completes, and holds system
        // messages until then, so the client reads the reply first.
        ready.whenComplete((ignored, error) -> {
            result.complete(subscription);
            outcome.problems().forEach(message -> target.postgresChangesStatus(false, message));
            if (outcome.subscribed()) {
                target.postgresChangesStatus(true, StreamNotices.SUBSCRIBED);
            }
        });
    }

    private void retryLater(ChannelSubscription subscription) {
        try {
            CompletableFuture.delayedExecutor(SUBSCRIBE_RETRY.toMillis(), TimeUnit.MILLISECONDS, executor).execute(() -> {
                if (!subscription.closed() && subscription.target().isOpen()) {
                    registerOrReport(subscription, new CompletableFuture<>(), false);
                }
            });
        } catch (RejectedExecutionException e) {
            // stopping: no retry
        }
    }

    /** A token refresh: later changes are authorized with the new claims. */
    void refresh(ChannelSubscription subscription, ClientClaims claims) {
        ClaimsGroup next = ClaimsGroup.of(claims);
        if (next.role().equals(subscription.group().role())) {
            subscription.group(next);
            subscription.target().postgresChangesStatus(true, StreamNotices.SUBSCRIBED);
            return;
        }
        // Another role may see other columns: check the bindings again before switching.
        try {
            executor.execute(() -> revalidate(subscription, next));
        } catch (RejectedExecutionException e) {
            // stopping
        }
    }

    private void revalidate(ChannelSubscription subscription, ClaimsGroup next) {
        SubscriptionValidator.Outcome outcome;
        try {
            outcome = resources().validator().validate(subscription, subscription.requested(), next, publication(tenant()));
        } catch (NoDatabase | SQLException | RuntimeException e) {
            LOG.warning(() -> LogText.tenant(tenantId) + " " + subscription + ": bindings cannot be checked for role "
                    + next.role() + ": " + describe(e) + "; keeping role " + subscription.group().role());
            subscription.target().postgresChangesStatus(false, StreamNotices.cannotCheck(describe(e)));
            return;
        }
        synchronized (this) {
            if (subscription.closed() || forgotten) {
                return;
            }
            List<LiveBinding> previous = subscription.bindings();
            // New bindings first: a change routed meanwhile reaches the channel once, not never.
            outcome.live().forEach(index::add);
            subscription.group(next);
            subscription.bindings(outcome.live());
            previous.forEach(index::remove);
            subscription.pending().clear();
            subscription.pending().addAll(outcome.pending());
            if (outcome.live().isEmpty()) {
                subscriptions.remove(subscription);
                emptyCheck();
            }
        }
        outcome.problems().forEach(message -> subscription.target().postgresChangesStatus(false, message));
        if (outcome.subscribed()) {
            subscription.target().postgresChangesStatus(true, StreamNotices.SUBSCRIBED);
        }
    }

    /** The channel ended. */
    synchronized void unsubscribe(ChannelSubscription subscription) {
        subscription.bindings().forEach(index::remove);
        subscriptions.remove(subscription);
        emptyCheck();
    }

    private void emptyCheck() {
        if (subscriptions.isEmpty()) {
            emptySince = System.nanoTime();
        }
    }

    // --- the task ---------------------------------------------------------------------------------

    /** Starts the task unless it runs; a new task waits for the previous one to have ended. */
    private void ensureRunning() {
        ensureRunning(false);
    }

    private void ensureRunning(boolean resume) {
        if (run != null) {
            return;
        }
        Future<?> previous = runFuture;
        StreamRun next = new StreamRun(this, previous, resume);
        try {
            runFuture = executor.submit(next);
        } catch (RejectedExecutionException e) {
            // The server is stopping: joins are answered, nothing will stream.
            streaming.complete(null);
            return;
        }
        run = next;
        state = StreamStatus.State.STARTING;
        since = Instant.now();
        problem = null;
    }

    /**
     * Asked by the task when it has nothing to stream: retires it if no binding came back within
     * {@link #IDLE_LINGER}. A join arriving afterwards starts a new task.
     */
    synchronized boolean retireIfIdle(StreamRun task) {
        pruneEnded();
        if (run != task || !subscriptions.isEmpty()
                || System.nanoTime() - emptySince < IDLE_LINGER.toNanos()) {
            return false;
        }
        run = null;
        return true;
    }

    /**
     * Forgets channels that ended without closing their subscription: one that ended before its
     * subscription was handed over (the stream was not live yet) is never told to close.
     */
    private void pruneEnded() {
        for (ChannelSubscription subscription : subscriptions) {
            if (!subscription.target().isOpen()) {
                subscription.bindings().forEach(index::remove);
                subscriptions.remove(subscription);
                emptyCheck();
            }
        }
    }

    /** The task has a replication connection and streams. */
    void streaming(StreamRun task, ReplicationSession session) {
        CompletableFuture<Void> ready;
        boolean back;
        Instant lostAt;
        synchronized (this) {
            if (run != task) {
                return;
            }
            lostAt = since;
            back = outageAnnounced;
            outageAnnounced = false;
            state = StreamStatus.State.STREAMING;
            since = Instant.now();
            problem = null;
            slot = session.slot();
            confirmedLsn = session.confirmed();
            ready = streaming;
        }
        if (back) {
            LOG.info(() -> LogText.tenant(tenantId) + ": change stream back after "
                    + Duration.between(lostAt, Instant.now()).toSeconds() + " s: slot " + session.slot());
            tellSubscribers(true, StreamNotices.BACK);
        } else {
            LOG.info(() -> LogText.tenant(tenantId) + ": change stream started: slot " + session.slot() + " ("
                    + (replication.permanentSlot() ? "permanent" : "temporary") + ")");
        }
        ready.complete(null); // joins waiting for a live stream are answered now
    }

    /** The task lost (or could not open) its connection and will retry after {@code retryIn}. */
    void lost(StreamRun task, String reason, Duration retryIn) {
        boolean announce;
        boolean wasStreaming;
        String previousSlot;
        synchronized (this) {
            if (run != task) {
                return;
            }
            wasStreaming = state == StreamStatus.State.STREAMING;
            previousSlot = slot;
            if (wasStreaming) {
                streaming = new CompletableFuture<>(); // new joins wait for the stream again
            }
            if (state != StreamStatus.State.RECONNECTING) {
                since = Instant.now();
            }
            state = StreamStatus.State.RECONNECTING;
            problem = reason;
            announce = !outageAnnounced && !subscriptions.isEmpty();
            outageAnnounced |= announce;
        }
        RealtimeMetrics.tenant(tenantId).replicationLost();
        if (announce) {
            LOG.warning(() -> LogText.tenant(tenantId) + ": change stream" + (wasStreaming ? " lost (slot " + previousSlot + ")"
                    : " could not start") + ": " + reason + "; retrying in " + retryIn.toMillis() + " ms");
            tellSubscribers(false, StreamNotices.lost(reason, replication.permanentSlot()));
        } else {
            LOG.fine(() -> LogText.tenant(tenantId) + ": change stream still down: " + reason);
        }
    }

    /**
     * The task ended (stopped, retired, or crashed: it failed while reporting a failure). A
     * crashed task is replaced at once while bindings exist; the new one waits for it to be gone.
     */
    synchronized void ended(StreamRun task, String how, String lastSlot, boolean crashed) {
        if (run == task) {
            run = null;
        }
        if (crashed && run == null && !subscriptions.isEmpty() && !forgotten) {
            LOG.severe(() -> LogText.tenant(tenantId) + ": change stream " + how + "; restarting it");
            ensureRunning(true);
            state = StreamStatus.State.RECONNECTING;
            problem = how;
            return;
        }
        if (run == null) {
            state = StreamStatus.State.IDLE;
            since = Instant.now();
            slot = null;
        }
        LOG.info(() -> LogText.tenant(tenantId) + ": change stream stopped (" + how + ")"
                + (lastSlot == null ? "" : ": slot " + lastSlot + " released"));
    }

    /** Progress of the task, for the status report. */
    void positions(long received, long confirmed) {
        receivedLsn = received;
        confirmedLsn = confirmed;
    }

    /**
     * Stops the task and waits for it: set its flag, give it a moment to close its connection
     * itself, close it from here if it is stuck, then cancel (interrupt) it.
     *
     * @param forget drop every subscription too (the tenant is gone)
     */
    void stop(boolean forget, String why) {
        StreamRun task;
        Future<?> future;
        Resources closing;
        synchronized (this) {
            task = run;
            future = runFuture;
            run = null;
            if (task != null) {
                task.requestStop(why);
            }
            if (forget) {
                forgotten = true;
                subscriptions.forEach(s -> s.bindings().forEach(index::remove));
                subscriptions.clear();
            }
            closing = resources;
            resources = null;
            streaming = new CompletableFuture<>();
        }
        if (future != null) {
            awaitStop(task, future);
        }
        if (closing != null) {
            closing.database().close();
        }
    }

    private static void awaitStop(StreamRun task, Future<?> future) {
        try {
            future.get(3, TimeUnit.SECONDS);
            return;
        } catch (TimeoutException e) {
            if (task != null) {
                task.abort(); // closing the connection unblocks a thread stuck in a read
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            future.cancel(true);
            return;
        } catch (ExecutionException | RuntimeException e) {
            return;
        }
        try {
            future.get(3, TimeUnit.SECONDS);
        } catch (TimeoutException e) {
            future.cancel(true);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            future.cancel(true);
        } catch (ExecutionException | RuntimeException e) {
            // ended with an error: it is over either way
        }
    }

    /** The tenant's settings changed: restart with them if bindings remain. */
    void reload() {
        stop(false, "tenant reloaded");
        boolean restart;
        synchronized (this) {
            restart = !subscriptions.isEmpty() && !forgotten;
            outageAnnounced |= restart; // the restarted task says when it is back
        }
        if (restart) {
            tellSubscribers(false, StreamNotices.lost("the tenant's settings were reloaded", false));
            synchronized (this) {
                if (!forgotten) {
                    ensureRunning();
                }
            }
        }
    }

    // --- publication membership ------------------------------------------------------------------

    /**
     * The publication's current tables (polled by the task): channels waiting for a table that is
     * now published are told they are subscribed; channels whose table left are told how to fix it.
     */
    void publicationTables(Set<SubscriptionValidator.TableName> published, String publication) {
        for (ChannelSubscription subscription : subscriptions) {
            if (!subscription.live()) {
                continue;
            }
            boolean nowLive = false;
            for (LiveBinding binding : subscription.bindings()) {
                BindingSpec spec = binding.spec();
                if (spec.wildcard()) {
                    continue;
                }
                SubscriptionValidator.TableName name = new SubscriptionValidator.TableName(spec.schema(), spec.table());
                boolean isPublished = published.contains(name);
                if (isPublished && subscription.pending().remove(name)) {
                    nowLive = true;
                    LOG.info(() -> LogText.tenant(tenantId) + " " + subscription + ": " + Sql.table(spec.schema(), spec.table())
                            + " joined publication " + publication + "; the channel receives its changes");
                } else if (!isPublished && subscription.pending().add(name)) {
                    LOG.info(() -> LogText.tenant(tenantId) + " " + subscription + ": " + Sql.table(spec.schema(), spec.table())
                            + " left publication " + publication + "; the channel is told");
                    subscription.target().postgresChangesStatus(false,
                            StreamNotices.tableRemoved(publication, spec.schema(), spec.table()));
                }
            }
            if (nowLive) {
                subscription.target().postgresChangesStatus(true, StreamNotices.SUBSCRIBED);
            }
        }
    }

    // --- what the task and the dispatcher read ----------------------------------------------------

    /** The tenant's current record. */
    Tenant tenant() throws NoDatabase {
        Tenant tenant = tenants.apply(tenantId).orElseThrow(() -> new NoDatabase(tenantId));
        if (tenant.postgresCdc() == null || tenant.postgresCdc().dbHost() == null) {
            throw new NoDatabase(tenantId);
        }
        return tenant;
    }

    /** The connections and caches for the tenant's current settings, opened on first use. */
    synchronized Resources resources() throws NoDatabase {
        RealtimeConfig.DatabaseSettings settings = TenantDatabases.settingsOf(tenant().postgresCdc());
        if (resources != null && !resources.database().settings().equals(settings)) {
            resources.database().close();
            resources = null;
        }
        if (resources == null) {
            resources = Resources.open(tenantId, settings, rlsGroupsPerRoundTrip);
        }
        return resources;
    }

    static String publication(Tenant tenant) {
        String publication = tenant.postgresCdc().publication();
        return publication == null || publication.isBlank() ? PostgresCdcSettings.DEFAULT_PUBLICATION : publication;
    }

    /** The slot the task should use for the tenant. */
    String slotName(Tenant tenant) {
        String base = tenant.postgresCdc().slotName();
        if (base == null || base.isBlank()) {
            base = PostgresCdcSettings.DEFAULT_SLOT_NAME;
        }
        return replication.permanentSlot() ? SlotNames.permanent(base, replication.slotNameSuffix())
                : SlotNames.temporary(base);
    }

    boolean permanentSlot() {
        return replication.permanentSlot();
    }

    @Override
    public BindingIndex index() {
        return index;
    }

    @Override
    public AccessCatalog access() {
        Resources current;
        synchronized (this) {
            current = resources;
        }
        if (current == null) {
            throw new IllegalStateException("the stream of tenant " + tenantId + " has no database resources");
        }
        return current.access();
    }

    @Override
    public ValueCanonicalizer canonicalizer() {
        Resources current;
        synchronized (this) {
            current = resources;
        }
        if (current == null) {
            throw new IllegalStateException("the stream of tenant " + tenantId + " has no database resources");
        }
        return current.catalog();
    }

    @Override
    public String tenantId() {
        return tenantId;
    }

    /** Tells every channel with live bindings something (a {@code system} message). */
    void tellSubscribers(boolean ok, String message) {
        for (ChannelSubscription subscription : List.copyOf(subscriptions)) {
            if (subscription.live()) {
                try {
                    subscription.target().postgresChangesStatus(ok, message);
                } catch (RuntimeException e) {
                    // One broken channel must not keep the others uninformed (or end the stream task).
                    LOG.warning(() -> LogText.channel(tenantId, subscription.target().topic())
                            + ": status message not queued: " + describe(e));
                }
            }
        }
    }

    /** The current state. */
    synchronized StreamStatus status() {
        long checks = resources == null ? 0 : resources.rls().roundTrips();
        return new StreamStatus(tenantId, state, slot, subscriptions.size(), since, problem, confirmedLsn, receivedLsn,
                checks);
    }

    /** A reason for logs and messages: the message, not a stack trace. */
    static String describe(Throwable e) {
        Throwable cause = e;
        while (cause.getCause() != null && cause.getMessage() == null) {
            cause = cause.getCause();
        }
        String message = cause.getMessage();
        return message == null ? cause.getClass().getSimpleName() : message.strip().replaceAll("\\s+", " ");
    }
}
