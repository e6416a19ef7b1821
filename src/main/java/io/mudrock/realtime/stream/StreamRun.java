package io.mudrock.realtime.stream;

import io.mudrock.realtime.changes.ChangeAssembler;
import io.mudrock.realtime.changes.pgoutput.PgOutputDecoder;
import io.mudrock.realtime.changes.values.PgTypeRegistry;
import io.mudrock.realtime.changes.RelationCache;
import io.mudrock.realtime.changes.RowChange;
import io.mudrock.realtime.changes.pgoutput.WalMessage;
import io.mudrock.realtime.protocol.LogText;
import io.mudrock.realtime.tenant.Tenant;
import java.nio.ByteBuffer;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Duration;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.locks.LockSupport;
import java.util.logging.Level;
import java.util.logging.Logger;

/**
 * The long-lived task of one tenant's stream, on the managed executor: opens a replication
 * session, reads pgoutput messages, hands changes to the {@link ChangeDispatcher}, confirms each
 * transaction's end LSN once it was handed to every subscriber's send queue (while further
 * transactions are already waiting to be read, those of the next {@link #MAX_DEFER_NANOS} are
 * authorized and delivered with it, in order), and reconnects with
 * exponential back-off (1 s doubling to 30 s) when the connection or the database goes away, or
 * anything else fails (an {@code Error} too: the task never ends while bindings exist, and a
 * permanent slot is dropped only when the task ends on purpose).
 *
 * <p>It reads with {@code readPending} (never blocking), so it notices a stop request within
 * milliseconds, and does its housekeeping between transactions: publication poll, slot liveness
 * check, idle retirement.
 */
final class StreamRun implements Runnable {

    private static final Logger LOG = Logger.getLogger(StreamRun.class.getName());
    private static final long INITIAL_BACKOFF_MS = 1_000;
    private static final long MAX_BACKOFF_MS = 30_000;
    /** Idle polls after activity at the short interval, before settling at the long one. */
    private static final int BUSY_POLLS = 200;
    private static final long BUSY_POLL_NANOS = TimeUnit.MILLISECONDS.toNanos(1);
    private static final long IDLE_POLL_NANOS = TimeUnit.MILLISECONDS.toNanos(10);
    /** The longest a committed transaction waits for later, already pending ones to share its delivery. */
    private static final long MAX_DEFER_NANOS = TimeUnit.MILLISECONDS.toNanos(1);

    private final TenantStream stream;
    private final Future<?> previous;
    private final boolean resume;
    private volatile boolean stopRequested;
    private volatile String stopReason = "idle";
    private volatile ReplicationSession session;

    /**
     * @param previous the task this one replaces, awaited first; null if none
     * @param resume   resume a permanent slot where it was confirmed (the previous task crashed)
     *                 rather than start from now
     */
    StreamRun(TenantStream stream, Future<?> previous, boolean resume) {
        this.stream = stream;
        this.previous = previous;
        this.resume = resume;
    }

    /** Asks the task to stop; it closes its connection itself within milliseconds. */
    void requestStop(String why) {
        stopReason = why;
        stopRequested = true;
    }

    /** Closes the connection from outside, for a task that did not stop in time. */
    void abort() {
        ReplicationSession current = session;
        if (current != null) {
            current.abort();
        }
    }

    @Override
    public void run() {
        awaitPrevious();
        long backoff = INITIAL_BACKOFF_MS;
        boolean fresh = !resume;
        String permanentSlot = null;
        String lastSlot = null;
        TenantStream.Resources resources = null;
        String how = "stopped";
        Throwable crash = null;
        try {
            while (!stopRequested) {
                ReplicationSession opened = null;
                try {
                    Tenant tenant = stream.tenant();
                    resources = stream.resources();
                    String slot = stream.slotName(tenant);
                    if (stream.permanentSlot()) {
                        permanentSlot = slot;
                    }
                    opened = ReplicationSession.open(resources.database(), "mudrock_realtime_" + stream.tenantId(), slot,
                            !stream.permanentSlot(), fresh, TenantStream.publication(tenant));
                    fresh = false; // later sessions of this run resume a permanent slot where it was confirmed
                    lastSlot = slot;
                    session = opened;
                    stream.streaming(this, opened);
                    backoff = INITIAL_BACKOFF_MS;
                    if (consume(opened, resources, tenant)) {
                        how = "no bindings for " + TenantStream.IDLE_LINGER.toSeconds() + " s";
                        return;
                    }
                } catch (StreamStopping e) {
                    return;
                } catch (Throwable e) {
                    // Never let a failure end the task, not even an Error: report it and reconnect.
                    if (stopRequested) {
                        return;
                    }
                    if (e instanceof VirtualMachineError) {
                        LOG.warning(() -> LogText.tenant(stream.tenantId()) + ": change stream failed: " + e
                                + "; reconnecting");
                    } else if (!(e instanceof SQLException || e instanceof TenantStream.NoDatabase)) {
                        LOG.log(Level.WARNING, LogText.tenant(stream.tenantId()) + ": change stream failed unexpectedly", e);
                    }
                    stream.lost(this, TenantStream.describe(e), Duration.ofMillis(backoff));
                    if (ReconnectPause.pause(backoff, () -> stopRequested) && stream.retireIfIdle(this)) {
                        how = "no bindings while disconnected";
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
        } catch (Throwable e) {
            crash = e; // reporting a failure failed: the stream restarts this task, keeping the slot
        } finally {
            if (stopRequested) {
                how = stopReason;
            } else if (crash != null) {
                how = "failed: " + TenantStream.describe(crash);
            }
            if (permanentSlot != null && resources != null && (crash == null || stopRequested)) {
                dropSlot(resources, permanentSlot);
            }
            stream.ended(this, how, lastSlot, crash != null && !stopRequested);
        }
    }

    /** A new task starts only after the previous one released its connection (and its slot). */
    private void awaitPrevious() {
        if (previous == null) {
            return;
        }
        try {
            previous.get(10, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } catch (ExecutionException | TimeoutException | RuntimeException e) {
            // it failed or hangs: go on, a slot conflict would only delay this one
        }
    }

    /**
     * Streams until asked to stop or retired as idle.
     *
     * @return true when retired as idle
     */
    private boolean consume(ReplicationSession session, TenantStream.Resources resources, Tenant tenant) throws Exception {
        PgOutputDecoder decoder = new PgOutputDecoder();
        PgTypeRegistry types = new PgTypeRegistry(resources.catalog());
        ChangeAssembler assembler = new ChangeAssembler(types, new RelationCache(types, resources.catalog()));
        ChangeDispatcher dispatcher = new ChangeDispatcher(stream, resources.rls());
        String publication = TenantStream.publication(tenant);
        limits(dispatcher);
        stream.publicationTables(resources.validator().publicationTables(publication), publication);
        long nextPoll = System.nanoTime() + TenantStream.PUBLICATION_POLL.toNanos();
        long nextLiveness = System.nanoTime() + TenantStream.LIVENESS_CHECK.toNanos();
        long lastStatus = System.nanoTime();
        long statusConfirmed = session.confirmed();
        boolean inTransaction = false;
        long deferredLsn = 0; // end of the last transaction routed but not yet authorized and delivered
        long deferredSince = 0;
        int emptyPolls = 0;
        while (!stopRequested) {
            ByteBuffer buffer = session.readPending();
            if (buffer == null && deferredLsn != 0) {
                // Nothing more has arrived: deliver what waits now, never wait for a fuller batch.
                dispatcher.flush();
                session.confirm(deferredLsn);
                deferredLsn = 0;
            }
            if (buffer == null) {
                stream.positions(session.received(), session.confirmed());
                long now = System.nanoTime();
                if (!inTransaction) {
                    session.confirm(session.received()); // all handed on: quiet tables must not hold WAL back
                    if (now > nextPoll) {
                        stream.publicationTables(resources.validator().publicationTables(publication), publication);
                        limits(dispatcher);
                        nextPoll = now + TenantStream.PUBLICATION_POLL.toNanos();
                    }
                    if (now > nextLiveness) {
                        checkLiveness(session, resources);
                        nextLiveness = now + TenantStream.LIVENESS_CHECK.toNanos();
                    }
                    if (stream.retireIfIdle(this)) {
                        return true;
                    }
                }
                // Tell PostgreSQL promptly that WAL was released, rather than at the next interval.
                if (session.confirmed() != statusConfirmed && now - lastStatus > TimeUnit.SECONDS.toNanos(1)) {
                    session.statusUpdate();
                    statusConfirmed = session.confirmed();
                    lastStatus = now;
                }
                LockSupport.parkNanos(emptyPolls++ < BUSY_POLLS ? BUSY_POLL_NANOS : IDLE_POLL_NANOS);
                continue;
            }
            emptyPolls = 0;
            WalMessage message = decoder.decode(buffer);
            if (message instanceof WalMessage.Commit commit) {
                assembler.accept(message);
                inTransaction = false;
                long now = System.nanoTime();
                if (deferredLsn == 0) {
                    deferredSince = now;
                }
                deferredLsn = commit.endLsn();
                // While more is already pending, the next transactions join this batch: one RLS round
                // trip per claims group for all of them, and one burst per socket (so its queued frames
                // leave in one write and one flush) instead of a write per one-row transaction.
                // Bounded in size and age, so a busy stream still delivers every millisecond; when
                // nothing more has arrived the batch goes out at once (top of the loop).
                if (dispatcher.pending() >= ChangeDispatcher.BATCH_SIZE / 2 || now - deferredSince > MAX_DEFER_NANOS) {
                    dispatcher.flush();
                    session.confirm(deferredLsn); // every change up to here is in the subscribers' queues
                    deferredLsn = 0;
                }
            } else if (message instanceof WalMessage.Begin begin) {
                assembler.accept(message);
                dispatcher.begin(begin.xid());
                inTransaction = true;
            } else if (message instanceof WalMessage.Relation relation) {
                assembler.accept(message);
                resources.access().invalidate(relation.oid());
                dispatcher.relationChanged();
            } else {
                RowChange change = assembler.accept(message);
                if (change != null) {
                    dispatcher.add(change);
                }
            }
        }
        return false;
    }

    /** The tenant's record size limit, read again now and then: admin changes apply without a restart. */
    private void limits(ChangeDispatcher dispatcher) throws TenantStream.NoDatabase {
        dispatcher.maxRecordBytes(stream.tenant().postgresCdc().pollMaxRecordBytes());
    }

    /**
     * A connection that broke without a reset reads nothing forever: check through the pool that
     * the slot is still held by our walsender.
     */
    private static void checkLiveness(ReplicationSession session, TenantStream.Resources resources) throws SQLException {
        try (Connection connection = resources.database().connection();
             PreparedStatement statement = connection.prepareStatement(
                     "select active_pid from pg_catalog.pg_replication_slots where slot_name = ?")) {
            statement.setString(1, session.slot());
            try (ResultSet rs = statement.executeQuery()) {
                if (!rs.next() || rs.getInt(1) != session.backendPid()) {
                    throw new SQLException("replication slot " + session.slot() + " is no longer held by this stream", "08006");
                }
            }
        }
    }

    /** A permanent slot lives as long as this task: dropped when it ends, so it never retains WAL for nobody. */
    private void dropSlot(TenantStream.Resources resources, String slot) {
        for (int attempt = 0; attempt < 20; attempt++) {
            try (Connection connection = resources.database().connection();
                 PreparedStatement statement = connection.prepareStatement(
                         "select pg_drop_replication_slot(slot_name) from pg_catalog.pg_replication_slots "
                                 + "where slot_name = ? and not active")) {
                statement.setString(1, slot);
                statement.execute();
                if (!ReplicationSession.slotExists(connection, slot)) {
                    LOG.info(() -> LogText.tenant(stream.tenantId()) + ": replication slot " + slot + " dropped");
                    return;
                }
            } catch (SQLException e) {
                LOG.warning(() -> LogText.tenant(stream.tenantId()) + ": replication slot " + slot + " could not be dropped: "
                        + TenantStream.describe(e) + " (drop it with: select pg_drop_replication_slot('" + slot + "');)");
                return;
            }
            LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(100)); // its walsender is still exiting
        }
        LOG.warning(() -> LogText.tenant(stream.tenantId()) + ": replication slot " + slot + " is still active; drop it with: "
                + "select pg_drop_replication_slot('" + slot + "');");
    }
}
