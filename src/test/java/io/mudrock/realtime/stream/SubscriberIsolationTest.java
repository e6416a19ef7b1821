package io.mudrock.realtime.stream;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.mudrock.realtime.channel.ClientClaims;
import io.mudrock.realtime.channel.PostgresBinding;
import io.mudrock.realtime.channel.PostgresChangesTarget;
import io.mudrock.realtime.channel.SubscriberQueue;
import io.mudrock.realtime.config.RealtimeConfig;
import java.sql.Connection;
import java.sql.Statement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.locks.LockSupport;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * One subscriber's cost stays its own, against a real PostgreSQL 17 and the real stream, with
 * each client's changes going through its socket's real {@code SubscriberQueue}: a socket over
 * its budget, one that stops reading and one that falls too far behind each get their own delay,
 * message or close, while a victim on another socket keeps receiving every change within
 * {@link #VICTIM_BOUND} of its commit, and the slot keeps being confirmed.
 */
class SubscriberIsolationTest {

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final Duration WAIT = Duration.ofSeconds(30);
    /** The generous bound on a victim's commit-to-delivery latency (it is milliseconds in practice). */
    private static final Duration VICTIM_BOUND = Duration.ofSeconds(1);
    private static final int COMMITS = 200;
    private static final AtomicInteger SEQ = new AtomicInteger();

    private static StreamDatabaseFixture db;
    private static ExecutorService executor;
    private static ScheduledExecutorService scheduler;

    private final List<TenantStream> streams = new ArrayList<>();

    @BeforeAll
    static void start() throws Exception {
        db = StreamDatabaseFixture.start("isolation");
        executor = Executors.newCachedThreadPool();
        scheduler = Executors.newSingleThreadScheduledExecutor();
    }

    @AfterAll
    static void stop() throws Exception {
        scheduler.shutdownNow();
        executor.shutdownNow();
        db.close();
    }

    @AfterEach
    void stopStreams() {
        streams.forEach(s -> s.stop(true, "test over"));
    }

    private TenantStream stream() {
        // The tenant's own max_events_per_second no longer paces the stream: 1 would stall it if it did.
        TenantStream stream = new TenantStream("iso" + SEQ.incrementAndGet(), id -> Optional.of(db.tenant(id, 1)),
                executor, RealtimeConfig.ReplicationSettings.DEFAULT);
        streams.add(stream);
        return stream;
    }

    private static String table() throws Exception {
        String name = "iso" + SEQ.incrementAndGet();
        db.execute("create table public." + name + " (id int4 primary key)",
                "grant select on public." + name + " to anon",
                "alter publication supabase_realtime add table public." + name);
        return name;
    }

    private static void join(TenantStream stream, PostgresChangesTarget target, String table) throws Exception {
        List<PostgresBinding> bindings = PostgresBinding.assignIds(List.of(JSON.readTree(
                "{\"event\":\"*\",\"schema\":\"public\",\"table\":\"" + table + "\"}")));
        ClientClaims anon = new ClientClaims("token", "anon", Long.MAX_VALUE, null, "{\"role\":\"anon\"}");
        stream.subscribe(target, bindings, anon).toCompletableFuture().get(WAIT.toSeconds(), TimeUnit.SECONDS);
    }

    private static TestSocket socket(TenantStream stream, int budget) {
        return new TestSocket(stream.tenantId(), scheduler, budget, SubscriberQueue.Limits.DEFAULT);
    }

    /**
     * Commits row 0 and waits for the victim to have it: the stream's first change of a table
     * reads the catalog, which is not what these tests measure.
     */
    private static void warmUp(String table, TestSocket victim) throws Exception {
        db.execute("insert into public." + table + " values (0)");
        victim.awaitCount(1, WAIT);
    }

    /** Commits rows 1..count of {@code table} one transaction each; returns each commit's {@link System#nanoTime()}. */
    private static long[] commitOneByOne(String table, int count) throws Exception {
        long[] committed = new long[count + 1];
        try (Connection connection = db.connect(); Statement statement = connection.createStatement()) {
            // The embedded server commits asynchronously by default, so WAL would reach the stream
            // only at the WAL writer's next flush (up to 200 ms later): not what is measured here.
            statement.execute("set synchronous_commit = on");
            for (int id = 1; id <= count; id++) {
                statement.executeUpdate("insert into public." + table + " values (" + id + ")");
                committed[id] = System.nanoTime();
            }
        }
        return committed;
    }

    /**
     * Checks the victim got rows 1..count in order after the warm-up row, each within
     * {@link #VICTIM_BOUND} of its commit.
     *
     * @return the worst latency
     */
    private static Duration assertVictimUnharmed(TestSocket victim, long[] committed, int count) throws Exception {
        victim.awaitCount(count + 1, WAIT);
        List<String> frames = victim.frames();
        List<Long> arrivals = victim.arrivals();
        long[] latencies = new long[count];
        for (int i = 0; i < count; i++) {
            assertEquals(i + 1, id(frames.get(i + 1)), "in commit order");
            latencies[i] = arrivals.get(i + 1) - committed[i + 1];
        }
        java.util.Arrays.sort(latencies);
        Duration latency = Duration.ofNanos(latencies[count - 1]);
        assertTrue(latency.compareTo(VICTIM_BOUND) < 0, "the victim waited " + latency.toMillis() + " ms for a change");
        System.out.printf("victim latency: p50 %.1f ms, p99 %.1f ms%n", latencies[count / 2] / 1e6,
                latencies[count * 99 / 100] / 1e6);
        return latency;
    }

    private static int id(String frame) throws Exception {
        return JSON.readTree(frame).get(4).get("data").get("record").get("id").asInt();
    }

    @Test
    void aSocketWithAHundredChannelsOverItsBudgetIsDelayedAloneWhileAnotherSocketKeepsMilliseconds() throws Exception {
        String t = table();
        TenantStream stream = stream();
        TestSocket hostile = socket(stream, 20);
        for (int i = 0; i < 100; i++) {
            join(stream, hostile.channel("all-" + i), t);
        }
        TestSocket victim = socket(stream, 10_000);
        join(stream, victim.channel("victim"), t);
        warmUp(t, victim);

        long[] committed = commitOneByOne(t, COMMITS);

        Duration worst = assertVictimUnharmed(victim, committed, COMMITS);
        String notice = hostile.awaitStatus(s -> s.startsWith("error: Event budget exceeded: too many database changes "
                + "for this client (over this project's max_events_per_second (20) per connection)"), WAIT);
        assertTrue(hostile.queue().held() > 0, "the hostile socket's changes wait in its own queue");
        assertFalse(hostile.closed(), "delayed, not closed: what it holds is within bounds");
        assertTrue(hostile.count() < 100 * COMMITS, "delivered as its budget allows: " + hostile.count());
        int previous = -1;
        for (String frame : hostile.frames()) {
            if (JSON.readTree(frame).get(2).asText().equals("realtime:all-0")) {
                assertEquals(previous + 1, id(frame), "what it got so far is in order");
                previous++;
            }
        }
        assertEquals(List.of("ok: Subscribed to PostgreSQL"), victim.statuses(), "the victim was told nothing else");
        System.out.printf("victim beside a 100-channel socket over its budget: worst %d ms; %s%n", worst.toMillis(), notice);
    }

    @Test
    void aSocketThatStopsReadingIsHeldAloneAndTheSlotIsStillConfirmed() throws Exception {
        String t = table();
        TenantStream stream = stream();
        TestSocket stalled = socket(stream, 10_000);
        join(stream, stalled.channel("stalled"), t);
        TestSocket victim = socket(stream, 10_000);
        join(stream, victim.channel("victim"), t);
        warmUp(t, victim);
        stalled.awaitCount(1, WAIT);
        stalled.stopReading();

        long[] committed = commitOneByOne(t, COMMITS);
        String written = db.column("select pg_current_wal_lsn()::text").get(0);

        Duration worst = assertVictimUnharmed(victim, committed, COMMITS);
        long end = System.nanoTime() + WAIT.toNanos();
        while (!db.column("select bool_and(confirmed_flush_lsn >= '" + written + "'::pg_lsn) from pg_replication_slots")
                .equals(List.of("t"))) {
            assertTrue(System.nanoTime() < end, "the slot was not confirmed while a subscriber did not read");
            LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(20));
        }
        assertEquals(1, stalled.count(), "nothing was pushed at a socket that does not read");
        assertEquals(COMMITS, stalled.queue().held(), "it is all held for it, in its own queue");

        stalled.startReading();
        stalled.awaitCount(COMMITS + 1, WAIT);
        List<String> frames = stalled.frames();
        for (int i = 0; i <= COMMITS; i++) {
            assertEquals(i, id(frames.get(i)), "complete and in order once it reads again");
        }
        System.out.printf("victim beside a socket that stopped reading: worst %d ms%n", worst.toMillis());
    }

    @Test
    void aSocketThatFallsTooFarBehindIsToldAndClosedAloneNeverSilentlyShort() throws Exception {
        String t = table();
        TenantStream stream = stream();
        TestSocket stalled = new TestSocket(stream.tenantId(), scheduler, 10_000, new SubscriberQueue.Limits(100, 1 << 20));
        join(stream, stalled.channel("stalled"), t);
        TestSocket victim = socket(stream, 10_000);
        join(stream, victim.channel("victim"), t);
        warmUp(t, victim);
        stalled.awaitCount(1, WAIT);
        stalled.stopReading();

        long[] committed = commitOneByOne(t, COMMITS);

        Duration worst = assertVictimUnharmed(victim, committed, COMMITS);
        stalled.awaitStatus(s -> s.startsWith("error: Too many database changes for this client: 101 were waiting for it"),
                WAIT);
        assertEquals("1013 " + SubscriberQueue.CLOSE_REASON, stalled.closedWith());
        assertEquals(0, stalled.queue().held(), "dropped with the connection, which the client was told");
        assertEquals(1, stalled.count());
        System.out.printf("victim beside a socket closed for falling behind: worst %d ms%n", worst.toMillis());
    }
}
