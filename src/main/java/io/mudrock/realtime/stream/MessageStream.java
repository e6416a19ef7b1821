package io.mudrock.realtime.stream;

import io.mudrock.realtime.changes.DatabaseBroadcast;
import io.mudrock.realtime.changes.DatabaseBroadcastDecoder;
import io.mudrock.realtime.changes.pgoutput.PgOutputDecoder;
import io.mudrock.realtime.changes.pgoutput.WalMessage;
import io.mudrock.realtime.config.RealtimeConfig;
import io.mudrock.realtime.database.MessagePartitions;
import io.mudrock.realtime.database.MessagesPublication;
import io.mudrock.realtime.protocol.LogText;
import io.mudrock.realtime.tenant.Tenant;
import io.mudrock.realtime.tenant.TenantDatabases;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.sql.Connection;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.time.LocalDateTime;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;
import java.util.function.Consumer;
import java.util.function.Function;
import java.util.function.Predicate;
import java.util.logging.Level;
import java.util.logging.Logger;

/**
 * One tenant's Broadcast from Database stream, like upstream's replication connection: a
 * temporary slot of its own ({@link #slotName}) on
 * the publication {@value #PUBLICATION}, whose inserts are delivered to the channels of their topic
 * through {@code channel.DatabaseBroadcasts}, one after another in commit order; each transaction's end LSN
 * is confirmed only once its messages are in the subscribers' send queues.
 *
 * <p>The slot name is the same on every server of a tenant, so PostgreSQL lets one stream at a
 * time hold it (one stream per tenant in a cluster); the others retry with back-off. Upstream's
 * name has no tenant part because each of its tenants has a database of its own; here several
 * tenants may point at one database, each with its own slot. It runs as a
 * long task on the managed executor while the tenant has channels on this server, and retires
 * {@link #IDLE_LINGER} after the last one left. Between transactions it keeps the day partitions of
 * {@code realtime.messages} ({@link MessagePartitions}) once an hour.
 *
 * <p>Thread-safe: {@link #whenStreaming} and {@link #requestStop} come from other threads; the
 * stream thread owns the session.
 */
final class MessageStream implements Runnable {

    private static final Logger LOG = Logger.getLogger(MessageStream.class.getName());

    /** Upstream's publication for {@code realtime.messages}. */
    static final String PUBLICATION = MessagesPublication.NAME;
    /** The slot name's prefix; a tenant's slot adds a hash of its id (several tenants may share a database). */
    static final String SLOT_PREFIX = "supabase_realtime_messages_";
    /** How long the stream stays after the tenant's last channel left. */
    static final Duration IDLE_LINGER = Duration.ofSeconds(30);
    private static final long CHANNEL_CHECK_NANOS = TimeUnit.SECONDS.toNanos(2);
    private static final long LIVENESS_NANOS = TimeUnit.SECONDS.toNanos(30);
    private static final long MAINTENANCE_NANOS = TimeUnit.HOURS.toNanos(1);
    private static final long INITIAL_BACKOFF_MS = 1_000;
    private static final long MAX_BACKOFF_MS = 30_000;
    private static final int BUSY_POLLS = 200;

    private final String tenantId;
    private final Function<String, Optional<Tenant>> tenants;
    private final Consumer<DatabaseBroadcast> sink;
    private final Predicate<String> hasChannels;
    private final Predicate<MessageStream> retire;
    private final String slot;
    private final Duration idleLinger;

    private volatile boolean stopRequested;
    private volatile boolean ended;
    private volatile boolean retired;
    private volatile ReplicationSession session;
    private volatile String problem;
    // Guarded by this.
    private boolean streaming;
    private final List<Runnable> waiting = new ArrayList<>();

    /**
     * @param tenantId the tenant's external id
     * @param tenants reads the tenant's current record
     * @param sink queues a message to its channels ({@code channel.DatabaseBroadcasts}); may throw
     *     {@link IllegalArgumentException} for a message it cannot deliver
     * @param hasChannels whether a tenant has channels on this server
     * @param retire retires this stream unless channels came back, atomically with joins; true if retired
     * @param replication the slot name suffix
     */
    MessageStream(String tenantId, Function<String, Optional<Tenant>> tenants, Consumer<DatabaseBroadcast> sink,
                  Predicate<String> hasChannels, Predicate<MessageStream> retire,
                  RealtimeConfig.ReplicationSettings replication) {
        this(tenantId, tenants, sink, hasChannels, retire, replication, IDLE_LINGER);
    }

    /** As the other constructor, with {@code idleLinger} instead of {@link #IDLE_LINGER} (tests wait less). */
    MessageStream(String tenantId, Function<String, Optional<Tenant>> tenants, Consumer<DatabaseBroadcast> sink,
                  Predicate<String> hasChannels, Predicate<MessageStream> retire,
                  RealtimeConfig.ReplicationSettings replication, Duration idleLinger) {
        this.idleLinger = idleLinger;
        this.tenantId = tenantId;
        this.tenants = tenants;
        this.sink = sink;
        this.hasChannels = hasChannels;
        this.retire = retire;
        this.slot = slotName(tenantId, replication.slotNameSuffix());
    }

    /**
     * The tenant's slot: {@code supabase_realtime_messages_<8 hex digits of SHA-256(tenant id)>[_<suffix>]},
     * the same on every server, so only one of them streams the tenant at a time.
     */
    static String slotName(String tenantId, Optional<String> suffix) {
        byte[] digest;
        try {
            digest = MessageDigest.getInstance("SHA-256").digest(tenantId.getBytes(StandardCharsets.UTF_8));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("SHA-256 is missing", e);
        }
        return SlotNames.permanent(SLOT_PREFIX + HexFormat.of().formatHex(digest, 0, 4), suffix);
    }

    /** Runs {@code action} once the stream is established: now if it is, else when it gets there. */
    void whenStreaming(Runnable action) {
        synchronized (this) {
            if (!streaming) {
                waiting.add(action);
                return;
            }
        }
        action.run();
    }

    /** Asks the task to stop; it closes its connection within milliseconds. */
    void requestStop() {
        stopRequested = true;
    }

    /** Closes the connection from outside, for a task that did not stop in time. */
    void abort() {
        ReplicationSession current = session;
        if (current != null) {
            current.abort();
        }
    }

    /** @return false once the task ended, retired or was asked to stop: a join then starts a new one */
    boolean alive() {
        return !ended && !retired && !stopRequested;
    }

    /** Marks the stream retired: called by the owner inside its map update, so no join can slip by. */
    void markRetired() {
        retired = true;
    }

    /** @return the tenant's external id */
    String tenantId() {
        return tenantId;
    }

    /** @return whether the slot is being streamed now */
    synchronized boolean streaming() {
        return streaming;
    }

    /** @return the last connection problem, or null while none */
    String problem() {
        return problem;
    }

    /** @return the slot name */
    String slot() {
        return slot;
    }

    @Override
    public void run() {
        long backoff = INITIAL_BACKOFF_MS;
        StreamDatabase database = null;
        String how = "stopped";
        try {
            while (!stopRequested) {
                ReplicationSession opened = null;
                try {
                    Tenant tenant = tenants.apply(tenantId).filter(t -> t.postgresCdc() != null
                            && t.postgresCdc().dbHost() != null).orElseThrow(() -> new TenantStream.NoDatabase(tenantId));
                    RealtimeConfig.DatabaseSettings settings = TenantDatabases.settingsOf(tenant.postgresCdc());
                    if (database != null && !database.settings().equals(settings)) {
                        database.close();
                        database = null;
                    }
                    if (database == null) {
                        database = new StreamDatabase("messages_" + tenantId, settings);
                    }
                    prepare(database);
                    opened = ReplicationSession.open(database, "mudrock_realtime_messages_" + tenantId, slot, true,
                            true, PUBLICATION);
                    session = opened;
                    backoff = INITIAL_BACKOFF_MS;
                    established();
                    if (consume(opened, database, tenant)) {
                        how = "no channels for " + idleLinger.toSeconds() + " s";
                        return;
                    }
                } catch (Exception | LinkageError | AssertionError e) {
                    // Never let a failure end the task: report it and reconnect. VirtualMachineErrors propagate.
                    if (stopRequested) {
                        return;
                    }
                    lost(e, backoff);
                    if (!ReconnectPause.pause(backoff, () -> stopRequested) || retire.test(this)) {
                        how = "no channels while disconnected";
                        return;
                    }
                    backoff = Math.min(backoff * 2, MAX_BACKOFF_MS);
                } finally {
                    session = null;
                    if (opened != null) {
                        opened.close();
                    }
                }
            }
        } finally {
            ended = true;
            synchronized (this) {
                streaming = false;
                waiting.clear();
            }
            if (database != null) {
                database.close();
            }
            String reason = stopRequested ? "stopped" : how;
            LOG.info(() -> LogText.tenant(tenantId) + ": Broadcast from Database stream ended: " + reason);
        }
    }

    /** Keeps the partitions and makes sure the publication holds {@code realtime.messages}. */
    private void prepare(StreamDatabase database) throws SQLException {
        try (Connection connection = database.connection()) {
            maintain(connection);
            MessagesPublication state = MessagesPublication.read(connection);
            if (!state.exists()) {
                try (Statement create = connection.createStatement()) {
                    create.execute("CREATE PUBLICATION " + PUBLICATION + " FOR TABLE realtime.messages");
                }
                LOG.info(() -> LogText.tenant(tenantId) + ": created publication " + PUBLICATION);
            } else if (!state.holdsMessages()) {
                try (Statement add = connection.createStatement()) {
                    add.execute("ALTER PUBLICATION " + PUBLICATION + " ADD TABLE realtime.messages");
                }
                LOG.info(() -> LogText.tenant(tenantId) + ": added realtime.messages to publication " + PUBLICATION);
            }
        }
    }

    private void maintain(Connection connection) throws SQLException {
        MessagePartitions.Maintenance done = MessagePartitions.maintain(connection, LocalDateTime.now(ZoneOffset.UTC));
        if (!done.created().isEmpty() || !done.dropped().isEmpty() || done.moved() > 0 || done.purged() > 0) {
            LOG.info(() -> LogText.tenant(tenantId) + ": realtime.messages partitions created " + done.created() + ", dropped "
                    + done.dropped() + (done.moved() > 0 ? ", moved " + done.moved() + " rows out of the default partition" : "")
                    + (done.purged() > 0 ? ", purged " + done.purged() + " expired rows of the default partition" : ""));
        }
    }

    private void established() {
        List<Runnable> ready;
        synchronized (this) {
            streaming = true;
            ready = List.copyOf(waiting);
            waiting.clear();
        }
        if (problem != null) {
            LOG.info(() -> LogText.tenant(tenantId) + ": Broadcast from Database stream reconnected on slot " + slot);
        } else {
            LOG.info(() -> LogText.tenant(tenantId) + ": Broadcast from Database stream streaming slot " + slot
                    + " of publication " + PUBLICATION);
        }
        problem = null;
        ready.forEach(this::runQuietly);
    }

    private void lost(Throwable e, long backoff) {
        synchronized (this) {
            streaming = false;
        }
        String why = e instanceof SQLException sql && "42710".equals(sql.getSQLState())
                ? "slot " + slot + " is held by another server (one stream per tenant)"
                : TenantStream.describe(e);
        if (!why.equals(problem)) {
            if (e instanceof SQLException || e instanceof TenantStream.NoDatabase) {
                LOG.warning(() -> LogText.tenant(tenantId) + ": Broadcast from Database stream not streaming: " + why
                        + "; retrying in " + backoff + " ms");
            } else {
                LOG.log(Level.WARNING, LogText.tenant(tenantId) + ": Broadcast from Database stream failed unexpectedly", e);
            }
        }
        problem = why;
    }

    /**
     * Streams until asked to stop or retired as idle.
     *
     * @return true when retired as idle
     */
    private boolean consume(ReplicationSession session, StreamDatabase database, Tenant tenant) throws SQLException {
        PgOutputDecoder decoder = new PgOutputDecoder();
        DatabaseBroadcastDecoder rows = new DatabaseBroadcastDecoder();
        int maxPayloadBytes = tenant.maxPayloadSizeInKb() * 1024;
        long now = System.nanoTime();
        long nextChannelCheck = now + CHANNEL_CHECK_NANOS;
        long nextLiveness = now + LIVENESS_NANOS;
        long nextMaintenance = now + MAINTENANCE_NANOS;
        long idleSince = -1;
        long lastStatus = now;
        long statusConfirmed = session.confirmed();
        boolean inTransaction = false;
        int emptyPolls = 0;
        while (!stopRequested) {
            ByteBuffer buffer = session.readPending();
            if (buffer == null) {
                now = System.nanoTime();
                if (!inTransaction) {
                    if (now > nextChannelCheck) {
                        nextChannelCheck = now + CHANNEL_CHECK_NANOS;
                        if (hasChannels.test(tenantId)) {
                            idleSince = -1;
                        } else if (idleSince < 0) {
                            idleSince = now;
                        } else if (now - idleSince > idleLinger.toNanos()) {
                            if (retire.test(this)) {
                                return true;
                            }
                            idleSince = -1; // a channel joined meanwhile
                        }
                    }
                    if (now > nextLiveness) {
                        try (Connection connection = database.connection()) {
                            session.checkStillHeld(connection);
                        }
                        nextLiveness = now + LIVENESS_NANOS;
                    }
                    if (now > nextMaintenance) {
                        try (Connection connection = database.connection()) {
                            maintain(connection);
                        }
                        nextMaintenance = now + MAINTENANCE_NANOS;
                    }
                }
                // Tell PostgreSQL promptly that WAL was released, rather than at the next interval.
                if (session.confirmed() != statusConfirmed && now - lastStatus > TimeUnit.SECONDS.toNanos(1)) {
                    session.statusUpdate();
                    statusConfirmed = session.confirmed();
                    lastStatus = now;
                }
                LockSupport.parkNanos(emptyPolls++ < BUSY_POLLS ? TimeUnit.MILLISECONDS.toNanos(1)
                        : TimeUnit.MILLISECONDS.toNanos(10));
                continue;
            }
            emptyPolls = 0;
            WalMessage message = decoder.decode(buffer);
            if (message instanceof WalMessage.Insert insert) {
                deliver(rows, insert, maxPayloadBytes);
            } else if (message instanceof WalMessage.Commit commit) {
                session.confirm(commit.endLsn()); // every message up to here is in the subscribers' queues
                inTransaction = false;
            } else if (message instanceof WalMessage.Begin) {
                inTransaction = true;
            } else if (message instanceof WalMessage.Relation relation) {
                rows.relation(relation);
            }
        }
        return false;
    }

    private void deliver(DatabaseBroadcastDecoder rows, WalMessage.Insert insert, int maxPayloadBytes) {
        Optional<DatabaseBroadcast> decoded;
        try {
            decoded = rows.insert(insert);
        } catch (IllegalArgumentException e) {
            LOG.warning(() -> LogText.tenant(tenantId) + ": UnableToBroadcastChanges: " + e.getMessage());
            return;
        }
        if (decoded.isEmpty()) {
            return;
        }
        DatabaseBroadcast m = decoded.get();
        int size = m.payloadJson() != null ? utf8Length(m.payloadJson(), maxPayloadBytes) : m.binaryPayload().length;
        if (size > maxPayloadBytes) {
            LOG.warning(() -> LogText.channel(tenantId, "realtime:" + m.topic()) + ": UnableToBroadcastChanges: message "
                    + m.id() + " is over max_payload_size_in_kb (" + size + " bytes); not delivered");
            return;
        }
        try {
            sink.accept(m);
        } catch (IllegalArgumentException e) {
            LOG.warning(() -> LogText.channel(tenantId, "realtime:" + m.topic()) + ": UnableToBroadcastChanges: message "
                    + m.id() + ": " + e.getMessage());
        }
    }

    /** The UTF-8 size of a text, counted only as far as needed to know it is over {@code limit}. */
    private static int utf8Length(String text, int limit) {
        if (text.length() * 3L <= limit) {
            return text.length(); // cannot be over: skip the count on the hot path
        }
        int bytes = 0;
        for (int i = 0; i < text.length() && bytes <= limit; i++) {
            char c = text.charAt(i);
            bytes += c < 0x80 ? 1 : c < 0x800 ? 2 : Character.isHighSurrogate(c) ? 2 : 3; // a pair is 4 in all
        }
        return bytes;
    }

    private void runQuietly(Runnable action) {
        try {
            action.run();
        } catch (RuntimeException e) {
            LOG.log(Level.WARNING, LogText.tenant(tenantId) + ": a replication_ready notice failed", e);
        }
    }
}
