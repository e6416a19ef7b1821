package io.mudrock.realtime.startup;

import io.mudrock.realtime.channel.ChannelRegistry;
import io.mudrock.realtime.channel.SocketChannels;
import io.mudrock.realtime.config.RealtimeConfig;
import io.mudrock.realtime.database.ManagementDatabase;
import io.mudrock.realtime.metrics.RealtimeMetrics;
import jakarta.enterprise.context.ApplicationScoped;

import java.time.Duration;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.ScheduledThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.logging.Filter;
import java.util.logging.Level;
import java.util.logging.Logger;

/**
 * {@code WARMUP_SECONDS}: before readiness turns UP, runs what the first clients make the server do
 * ({@link WarmupRounds}: the wire parser and writer, both Phoenix serializers and binary broadcasts,
 * JWT verification, joins, presence, broadcasts and leaves through {@link SocketChannels} and a
 * {@link ChannelRegistry}, pgoutput decoding and change serialization) for that long, in-process. A
 * fresh JVM interprets that code until the JIT has compiled it; without this, the clients that connect
 * the moment readiness is UP pay for it (measured: cold connect+join several times slower than warm,
 * and heartbeats missed), with it the start-up does.
 *
 * <p>Runs on the start-up thread, never a request thread; once per process, even if a later start-up
 * step fails and the sequence is retried. Ends at the deadline (it starts no round after it, and a
 * round takes milliseconds once warm; the first one always runs), writes one log line with what it
 * did and how long it took, and never fails start-up: an exception is logged once and start-up goes on.
 *
 * <p>Nothing of it is visible to clients: its channels join a registry of its own (the same class,
 * so the same compiled code, but not the server's: no client shares a topic with it, and no Broadcast
 * from Database stream starts for its tenant), under a random tenant id no Host header can name; its
 * tenant's metrics series are removed when it ends, its timers run on a thread of its own that is
 * stopped then, and the channel layer's log lines about its tenant are dropped.
 */
@ApplicationScoped
public class JitWarmup implements StartupTask {

    private static final Logger LOG = Logger.getLogger(JitWarmup.class.getName());
    /** Loggers that write a line per join or leave: the warm-up's thousands would flood the log. */
    private static final List<Logger> QUIETED = List.of(Logger.getLogger(SocketChannels.class.getName()));

    private final AtomicBoolean ran = new AtomicBoolean();

    @Override
    public void run(RealtimeConfig config, ManagementDatabase database) {
        if (config.warmup().isZero()) {
            LOG.info("JIT warm-up off (WARMUP_SECONDS=0): the first clients run on cold code");
            return;
        }
        if (!ran.compareAndSet(false, true)) {
            return;
        }
        try {
            warm(config.warmup(), new ChannelRegistry());
        } catch (RuntimeException | LinkageError e) {
            // warm() reports its rounds' failures itself; this is its clean-up failing, as unlikely
            // and as harmless to start-up.
            LOG.log(Level.WARNING, "JIT warm-up could not clean up; start-up goes on", e);
        }
    }

    /**
     * Runs rounds until the budget is spent; a round's failure ends them and is logged, not thrown.
     *
     * @param budget how long; zero runs nothing
     * @param registry the registry the warm-up's channels join (a throwaway one)
     * @return what it did
     */
    Report warm(Duration budget, ChannelRegistry registry) {
        if (budget.isZero() || budget.isNegative()) {
            return new Report("", Duration.ZERO, WarmupRounds.Counts.NONE, null);
        }
        long start = System.nanoTime();
        String tenantId = "_warmup-" + UUID.randomUUID();
        List<Filter> previous = quiet(tenantId);
        ScheduledThreadPoolExecutor timer = timer();
        WarmupRounds rounds = null;
        String failure = null;
        try {
            rounds = new WarmupRounds(tenantId, registry, timer);
            long deadline = start + budget.toNanos();
            // At least one round, however long loading the classes took: a round is what warms anything.
            do {
                rounds.run();
            } while (System.nanoTime() - deadline < 0);
        } catch (RuntimeException | LinkageError e) {
            failure = e.toString();
            LOG.log(Level.WARNING, "JIT warm-up failed; start-up goes on, the first clients meet colder code", e);
        } finally {
            timer.shutdownNow();
            RealtimeMetrics.removeTenant(tenantId);
            restore(previous);
        }
        Report report = new Report(tenantId, Duration.ofNanos(System.nanoTime() - start),
                rounds == null ? WarmupRounds.Counts.NONE : rounds.counts(), failure);
        LOG.info(report::summary);
        return report;
    }

    /**
     * What one warm-up did.
     *
     * @param tenantId the throwaway tenant id it used (empty when it did not run)
     * @param elapsed how long it took
     * @param counts what it did
     * @param failure the exception that ended it early, or {@code null}
     */
    record Report(String tenantId, Duration elapsed, WarmupRounds.Counts counts, String failure) {

        /** @return the log line */
        String summary() {
            return "JIT warm-up " + (failure == null ? "done" : "ended early by " + failure) + " in "
                    + elapsed.toMillis() + " ms: " + counts.rounds() + " rounds, " + counts.sockets() + " sockets, "
                    + counts.joins() + " joins and leaves (JWT verified), " + counts.broadcasts()
                    + " broadcasts (text and binary, vsn 1.0.0 and 2.0.0), " + counts.presenceTracks()
                    + " presence tracks, " + counts.changes() + " pgoutput changes decoded and serialized; "
                    + counts.framesIn() + " frames parsed, " + counts.framesOut() + " written (" + counts.bytesOut()
                    + " bytes)";
        }
    }

    /**
     * Timers of the warm-up's channels (token expiry checks, cancelled by their leaves): a thread of
     * its own, so that none of them outlives the warm-up in a shared executor's queue.
     */
    private static ScheduledThreadPoolExecutor timer() {
        ScheduledThreadPoolExecutor timer = new ScheduledThreadPoolExecutor(1, task -> {
            Thread thread = new Thread(task, "mudrock-warmup-timer");
            thread.setDaemon(true);
            return thread;
        });
        timer.setRemoveOnCancelPolicy(true);
        timer.setKeepAliveTime(1, TimeUnit.SECONDS);
        timer.allowCoreThreadTimeOut(true);
        return timer;
    }

    /** Drops the warm-up tenant's lines from {@link #QUIETED}, keeping every other line and filter. */
    private static List<Filter> quiet(String tenantId) {
        List<Filter> previous = QUIETED.stream().map(Logger::getFilter).toList();
        for (int i = 0; i < QUIETED.size(); i++) {
            Filter before = previous.get(i);
            QUIETED.get(i).setFilter(line -> (line.getMessage() == null || !line.getMessage().contains(tenantId))
                    && (before == null || before.isLoggable(line)));
        }
        return previous;
    }

    private static void restore(List<Filter> previous) {
        for (int i = 0; i < QUIETED.size(); i++) {
            QUIETED.get(i).setFilter(previous.get(i));
        }
    }
}
