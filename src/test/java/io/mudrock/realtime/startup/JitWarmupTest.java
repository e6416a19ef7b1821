package io.mudrock.realtime.startup;

import io.mudrock.realtime.channel.ChannelRegistry;
import io.mudrock.realtime.channel.SocketChannels;
import io.mudrock.realtime.config.ConfigLoader;
import io.mudrock.realtime.config.RealtimeConfig;
import io.mudrock.realtime.it.Await;
import io.mudrock.realtime.metrics.RealtimeMetrics;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.logging.Handler;
import java.util.logging.Level;
import java.util.logging.LogRecord;
import java.util.logging.Logger;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The start-up warm-up, run in-process as the server runs it, without a container. */
class JitWarmupTest {

    private static final Duration BUDGET = Duration.ofMillis(800);
    /**
     * A round takes milliseconds once warm, tens of them while still interpreted on a loaded
     * machine; the deadline may be passed by one round.
     */
    private static final Duration OVERRUN = Duration.ofMillis(500);

    private final Logger warmupLog = Logger.getLogger(JitWarmup.class.getName());
    private final Logger channelLog = Logger.getLogger(SocketChannels.class.getName());
    private final List<String> warmupLines = new CopyOnWriteArrayList<>();
    private final List<String> channelLines = new CopyOnWriteArrayList<>();
    private final Handler warmupHandler = recorder(warmupLines);
    private final Handler channelHandler = recorder(channelLines);

    /**
     * Loads and initializes every class the rounds use (the metrics registry alone takes a second):
     * once per JVM, paid by the server's first round, which the deadline then allows for.
     */
    @BeforeAll
    static void loadClasses() {
        assertEquals(1, new JitWarmup().warm(Duration.ofNanos(1), new ChannelRegistry()).counts().rounds(),
                "a budget shorter than a round still runs one");
    }

    @BeforeEach
    void listen() {
        warmupLog.addHandler(warmupHandler);
        channelLog.addHandler(channelHandler);
    }

    @AfterEach
    void stopListening() {
        warmupLog.removeHandler(warmupHandler);
        channelLog.removeHandler(channelHandler);
    }

    @Test
    void exercisesEveryHotPathWithinItsBudget() {
        JitWarmup.Report report = new JitWarmup().warm(BUDGET, new ChannelRegistry());

        assertNull(report.failure());
        assertTrue(report.elapsed().compareTo(BUDGET) >= 0, "ran for its budget: " + report.elapsed());
        assertTrue(report.elapsed().compareTo(BUDGET.plus(OVERRUN)) < 0, "stopped at its deadline: " + report.elapsed());
        WarmupRounds.Counts counts = report.counts();
        assertTrue(counts.rounds() > 1, report.summary());
        assertEquals(6 * counts.rounds(), counts.sockets());
        assertEquals(6 * counts.rounds(), counts.joins());
        assertEquals(9 * counts.rounds(), counts.broadcasts(), "a text broadcast each, a binary one per vsn 2.0.0 socket");
        assertEquals(2 * counts.rounds(), counts.presenceTracks());
        assertEquals(3 * counts.rounds(), counts.changes(), "insert, update and delete of each transaction");
        assertTrue(counts.framesOut() > counts.framesIn(), "fan-out writes more than the clients send: " + report.summary());
        assertEquals(List.of(report.summary()), warmupLines, "one line with what it did and how long");
    }

    @Test
    void leavesNothingBehind() throws InterruptedException {
        ChannelRegistry registry = new ChannelRegistry();
        JitWarmup.Report report = new JitWarmup().warm(Duration.ofMillis(300), registry);

        assertNull(report.failure());
        assertTrue(report.counts().rounds() >= 1);
        assertTrue(report.tenantId().startsWith("_warmup-"), report.tenantId());
        assertTrue(!registry.hasChannels(report.tenantId()), "every channel left its topic");
        assertEquals(0, registry.activity(report.tenantId()).connectedUsers(), "every socket was let go");
        assertNull(RealtimeMetrics.existing(report.tenantId()), "its tenant's metrics series were removed");
        assertEquals(List.of(), channelLines.stream().filter(line -> line.contains(report.tenantId())).toList(),
                "no channel log line about the warm-up's tenant");
        assertNull(channelLog.getFilter(), "the channel logger's filter is restored");
        assertTimerThreadEnds();
    }

    @Test
    void zeroSecondsRunsNothing() {
        JitWarmup.Report report = new JitWarmup().warm(Duration.ZERO, new ChannelRegistry());
        assertEquals(WarmupRounds.Counts.NONE, report.counts());
        assertEquals(Duration.ZERO, report.elapsed());

        long start = System.nanoTime();
        new JitWarmup().run(config("0"), null);
        assertTrue(Duration.ofNanos(System.nanoTime() - start).compareTo(Duration.ofMillis(200)) < 0);
        assertEquals(List.of("JIT warm-up off (WARMUP_SECONDS=0): the first clients run on cold code"), warmupLines);
    }

    @Test
    void runsOncePerProcessThoughStartUpIsRetried() {
        JitWarmup warmup = new JitWarmup();
        warmup.run(config("1"), null);
        warmup.run(config("1"), null);
        assertEquals(1, warmupLines.size(), "the retried start-up did not warm again: " + warmupLines);
        assertTrue(warmupLines.get(0).startsWith("JIT warm-up done in "), warmupLines.get(0));
    }

    @Test
    void aFailureIsLoggedOnceAndStartUpGoesOn() {
        JitWarmup.Report report = new JitWarmup().warm(Duration.ofMillis(200), null);

        assertNotNull(report.failure(), "no registry: the warm-up cannot run");
        assertEquals(2, warmupLines.size(), "the failure, then the summary: " + warmupLines);
        assertTrue(warmupLines.get(0).startsWith("JIT warm-up failed; start-up goes on"), warmupLines.get(0));
        assertTrue(warmupLines.get(1).startsWith("JIT warm-up ended early by java.lang.NullPointerException"),
                warmupLines.get(1));
        assertNull(RealtimeMetrics.existing(report.tenantId()));
        assertNull(channelLog.getFilter());
    }

    private static RealtimeConfig config(String seconds) {
        Map<String, String> values = Map.of("WARMUP_SECONDS", seconds);
        return new ConfigLoader(name -> Optional.ofNullable(values.get(name))).load();
    }

    /** The timer thread is stopped with the warm-up; it ends asynchronously, so wait with a deadline. */
    private static void assertTimerThreadEnds() throws InterruptedException {
        Await.until("the warm-up's timer thread to end", Duration.ofSeconds(5), () -> !timerThreadAlive());
    }

    private static boolean timerThreadAlive() {
        return Thread.getAllStackTraces().keySet().stream()
                .anyMatch(t -> t.getName().equals("mudrock-warmup-timer") && t.isAlive());
    }

    private static Handler recorder(List<String> lines) {
        return new Handler() {
            @Override
            public void publish(LogRecord record) {
                if (record.getLevel().intValue() >= Level.INFO.intValue()) {
                    lines.add(record.getMessage());
                }
            }

            @Override
            public void flush() {
            }

            @Override
            public void close() {
            }
        };
    }
}
