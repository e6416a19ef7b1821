package io.mudrock.bench;

import com.fasterxml.jackson.databind.JsonNode;
import org.HdrHistogram.Histogram;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;

/**
 * Workload 2 — end-to-end latency, commit to receipt. A load generator commits 1-row inserts
 * into wells as fast as one connection can (synchronous_commit on, so fsync-bound) for D seconds;
 * each row's name carries the epoch microseconds taken just before its INSERT is sent, and the
 * receiver subtracts it from the epoch microseconds at receipt (same machine clock).
 * Phases: Debezium embedded under the same load (baseline); then, on each transport in turn, our
 * server with 1, 100 and 1,000 subscribers of up to 10 distinct users on an RLS-enabled wells, once
 * per policy of {@code --rls-policies}: its SELECT policy as shipped ({@code USING (true)}, which the
 * server reads as unable to filter) and one the server has to check ({@code auth.uid() IS NOT NULL});
 * with RLS off, 1, 100 and 1,000 subscribers; then Broadcast from Database with 1, 100 and 1,000
 * subscribers of a public channel, several loader connections calling {@code realtime.send} at
 * {@code --bdb-rate} instead of inserting into wells (the message's payload carries the name).
 */
public final class Latency {

    private final Bench.Options o;
    private final Bench.Env env;

    private static final byte[] NAME_P = "\"name\":\"P".getBytes(StandardCharsets.US_ASCII);
    private static final byte[] NAME_WARMUP = "\"name\":\"W".getBytes(StandardCharsets.US_ASCII);
    private static final byte[] NAME_END = "\"name\":\"END\"".getBytes(StandardCharsets.US_ASCII);

    /** What the load writes and the subscribers listen to. */
    enum Path {
        /** Inserts into wells, delivered as postgres_changes. */
        CHANGES("INSERT INTO public.wells(name, status, total_depth_m) VALUES (?, 'live', 1234.5)", "realtime:wells"),
        /** realtime.send to the public topic bench, delivered as broadcasts (binary kind 4 for vsn 2.0.0). */
        DB_BROADCAST("SELECT realtime.send(jsonb_build_object('name', ?::text), 'bench', 'bench', false)", "realtime:bench");

        final String sql;
        final String topic;

        Path(String sql, String topic) {
            this.sql = sql;
            this.topic = topic;
        }
    }

    // jsonb prints a space after the colon
    private static final byte[] SENT_L = "\"name\": \"L".getBytes(StandardCharsets.US_ASCII);
    private static final byte[] SENT_P = "\"name\": \"P".getBytes(StandardCharsets.US_ASCII);
    private static final byte[] SENT_WARMUP = "\"name\": \"W".getBytes(StandardCharsets.US_ASCII);
    private static final byte[] SENT_END = "\"name\": \"END\"".getBytes(StandardCharsets.US_ASCII);

    private volatile Path path = Path.CHANGES;

    /** Offered postgres_changes commits/s of the phase being run ({@code --rate}, or the sweep's). */
    private volatile double rate;

    /** Seconds of load before the recorded window (rows not timed), after every server (re)start. */
    private final int warmupS;

    // written on the client loop thread
    private Histogram hist = new Histogram(TimeUnit.SECONDS.toMicros(120), 3);
    private volatile long deliveries;
    private volatile long warmupDeliveries;
    private volatile int ready;
    private volatile int ended;

    /** Seconds every subscriber gets after the load to receive the {@code END} row. */
    private final int endWaitS;

    public Latency(Bench.Options o) {
        this.o = o;
        this.env = new Bench.Env(o);
        this.warmupS = o.integer("warmup-s", 5);
        this.endWaitS = o.integer("end-wait-s", 60);
    }

    /** The WebSocket transport of the server being measured. */
    private String transport;

    private static List<Integer> ints(String list) {
        List<Integer> out = new ArrayList<>();
        if (list.isBlank() || list.equals("none")) {
            return out;
        }
        for (String s : list.split(",")) {
            out.add(Integer.parseInt(s.trim()));
        }
        return out;
    }

    /**
     * {@code --sweep 100@500,100@1000,1000@50}: the RLS-off postgres_changes phases as pairs of
     * subscribers and offered commits/s, in the order given, instead of {@code --subscribers} at
     * {@code --rate}; finds the highest rate each subscriber count sustains without a backlog.
     */
    private List<double[]> sweep() {
        List<double[]> pairs = new ArrayList<>();
        String spec = o.str("sweep", "");
        if (spec.isBlank()) {
            for (int k : ints(o.str("subscribers", "1,100,1000"))) {
                pairs.add(new double[] {k, o.dbl("rate", 4000)});
            }
            return pairs;
        }
        for (String pair : spec.split(",")) {
            String[] parts = pair.trim().split("@");
            pairs.add(new double[] {Integer.parseInt(parts[0]), Double.parseDouble(parts[1])});
        }
        return pairs;
    }

    public int run() throws Exception {
        transport = env.transports.get(0);
        rate = o.dbl("rate", 4000);
        int seconds = o.integer("duration-s", 30);
        List<Integer> counts = ints(o.str("subscribers", "1,100,1000"));
        int rlsUsers = o.integer("rls-users", 10);
        List<Integer> rlsCounts = ints(o.str("rls-subscribers", "1,100,1000"));
        boolean dbBroadcast = !o.str("db-broadcast", "on").equals("off");
        List<RlsPolicy> policies = new ArrayList<>();
        for (String s : o.str("rls-policies", "shipped,filtering").split(",")) {
            policies.add(RlsPolicy.valueOf(s.trim().toUpperCase()));
        }
        Results res = new Results("latency", o.str("command", "bench/run-latency.sh"));
        res.put("options", o.all());
        res.put("reference", Map.of(
                "load", "1-row transactions as fast as the database allows (about 4,000/s on the reference machine) for 30 s",
                "debezium_commit_to_consumer", "p50 about 440 ms, p99 about 1.4 s",
                "target", "p99 <= 10 ms with 100 subscribers and <= 50 ms with 1,000 (RLS off); RLS on costs at most one "
                        + "database round trip per transaction per distinct claims group"));
        res.row("contender", "subscribers", "RLS", "commits/s", "deliveries/s", "p50 ms", "p99 ms", "p99.9 ms", "max ms",
                "not in " + endWaitS + " s after load", "server DB tx per commit", "reference / target");
        List<Map<String, Object>> phases = new ArrayList<>();
        res.put("phases", phases);
        res.put("transports", env.transports);

        try (BenchDb db = env.startDb()) {
            res.put("postgres", Map.of("synchronous_commit", db.setting("synchronous_commit"), "affinity", "all cores"));
            db.ensureSchema();
            try {
                if (!o.str("debezium", "on").equals("off")) {
                    phases.add(debezium(db, seconds, res));
                }
            } catch (PhaseFailed e) {
                res.note(e.getMessage());
            }
            // Every transport gets the same phases, each RLS setting on a fresh server (nothing cached from before).
            for (String next : env.transports) {
                transport = next;
                try {
                    setRls(db, true);
                    try (ServerProcess server = startOrNote(res)) {
                        for (RlsPolicy policy : policies) {
                            rlsPolicy = policy;
                            setPolicy(db, policy);
                            for (int k : rlsCounts) {
                                phases.add(ours(db, server, k, Math.min(rlsUsers, k), true, seconds, res,
                                        "<= 1 DB round trip per tx per claims group; within 2x of RLS off"));
                            }
                        }
                    } finally {
                        setPolicy(db, RlsPolicy.SHIPPED);
                    }
                    setRls(db, false);
                    try (ServerProcess server = startOrNote(res)) {
                        for (double[] pair : sweep()) {
                            int k = (int) pair[0];
                            rate = pair[1];
                            String target = k == 100 ? "p99 <= 10 ms" : k == 1000 ? "p99 <= 50 ms" : "";
                            phases.add(ours(db, server, k, 1, false, seconds, res, target));
                        }
                        rate = o.dbl("rate", 4000);
                        if (dbBroadcast) {
                            path = Path.DB_BROADCAST;
                            for (int k : counts) {
                                phases.add(ours(db, server, k, 1, false, seconds, res,
                                        k == 1 ? "upstream: 10,000 msgs/s at p50 46 ms" : ""));
                            }
                        }
                    }
                } catch (PhaseFailed e) {
                    res.note("[" + transport + "] " + e.getMessage());
                } finally {
                    path = Path.CHANGES;
                }
            }
        }
        res.finish(env.results);
        return 0;
    }

    /** A fresh server on {@link #transport}; its console log goes into the result. */
    private ServerProcess startOrNote(Results res) throws PhaseFailed {
        try {
            ServerProcess server = env.startServer(transport);
            res.put("server_log_" + transport, server.log().toString());
            return server;
        } catch (Exception e) {
            throw new PhaseFailed("our server did not start: " + WalThroughput.firstLine(e.getMessage()));
        }
    }

    static final class PhaseFailed extends Exception {
        PhaseFailed(String m) {
            super(m);
        }
    }

    /**
     * The SELECT policy of {@code authenticated} on wells during the RLS-on phases: as shipped
     * ({@code USING (true)}, which the server sees cannot filter, so it checks nothing), or one
     * that lets every bench user see every row but that the server must check row by row.
     */
    enum RlsPolicy {
        SHIPPED("true"),
        FILTERING("auth.uid() IS NOT NULL");

        final String using;

        RlsPolicy(String using) {
            this.using = using;
        }
    }

    private RlsPolicy rlsPolicy = RlsPolicy.SHIPPED;

    private static void setPolicy(BenchDb db, RlsPolicy policy) throws SQLException {
        try (Connection c = db.connect(); Statement s = c.createStatement()) {
            s.execute("ALTER POLICY \"Allow authenticated access to wells\" ON public.wells USING (" + policy.using + ")");
        }
    }

    private static void setRls(BenchDb db, boolean on) throws SQLException {
        try (Connection c = db.connect(); Statement s = c.createStatement()) {
            s.execute("ALTER TABLE public.wells " + (on ? "ENABLE" : "DISABLE") + " ROW LEVEL SECURITY");
        }
    }

    /**
     * Commits 1-row transactions at a fixed total rate from {@code connections} connections, each
     * on its own thread with its share of the schedule (connection i takes slots i, i+N, ...). For
     * the first {@code warmupS} seconds rows are named {@code W...}, which no receiver times, so JIT
     * compilation and connection set-up right after a (re)start do not count; then
     * {@code L<epoch µs>}, counted in {@code committed}.
     */
    private static final class Load {
        final AtomicBoolean stop = new AtomicBoolean();
        final AtomicLong committed = new AtomicLong();
        volatile long elapsedNanos;
        private final List<Thread> threads = new ArrayList<>();
        private final AtomicReference<Exception> failure = new AtomicReference<>();
        private final CountDownLatch go = new CountDownLatch(1);
        private volatile long t0;
        private volatile long recordFrom;

        /** Opens every connection first, so the schedule starts with all of them ready (no catch-up burst). */
        void start(BenchDb db, Path path, double rate, int warmupS, int connections) throws InterruptedException {
            CountDownLatch ready = new CountDownLatch(connections);
            for (int i = 0; i < connections; i++) {
                int slot = i;
                Thread t = new Thread(() -> commitLoop(db, path, rate, connections, slot, ready), "load-" + i);
                t.setDaemon(true);
                threads.add(t);
                t.start();
            }
            ready.await();
            t0 = System.nanoTime();
            recordFrom = t0 + TimeUnit.SECONDS.toNanos(warmupS);
            go.countDown();
        }

        private void commitLoop(BenchDb db, Path path, double rate, int connections, int slot, CountDownLatch ready) {
            try (Connection c = db.connect(); PreparedStatement ps = c.prepareStatement(path.sql)) {
                c.setAutoCommit(true);
                ready.countDown();
                go.await();
                long n = slot;
                while (!stop.get()) {
                    if (rate > 0) {
                        long wait = t0 + (long) (n * 1e9 / rate) - System.nanoTime();
                        if (wait > 0) {
                            TimeUnit.NANOSECONDS.sleep(wait);
                        }
                    }
                    boolean warm = System.nanoTime() >= recordFrom;
                    ps.setString(1, (warm ? "L" : "W") + Bench.epochMicros());
                    ps.execute();
                    n += connections;
                    if (warm) {
                        committed.incrementAndGet();
                    }
                }
            } catch (Exception e) {
                failure.compareAndSet(null, e);
                stop.set(true);
                ready.countDown();
            }
        }

        void stopAndJoin() throws Exception {
            stop.set(true);
            for (Thread t : threads) {
                t.join();
            }
            elapsedNanos = System.nanoTime() - recordFrom;
            if (failure.get() != null) {
                throw failure.get();
            }
        }
    }

    /** Warm-up, then {@code seconds} of recorded load, then the {@code END} row every receiver waits for. */
    private Load runLoad(BenchDb db, int seconds) throws Exception {
        Load load = new Load();
        boolean broadcast = path == Path.DB_BROADCAST;
        load.start(db, path, broadcast ? o.dbl("bdb-rate", 10_000) : rate, warmupS,
                broadcast ? o.integer("bdb-connections", 8) : 1);
        Thread.sleep((warmupS + seconds) * 1000L);
        load.stopAndJoin();
        insert(db, "END");
        return load;
    }

    private void insert(BenchDb db, String name) throws SQLException {
        try (Connection c = db.connect(); PreparedStatement ps = c.prepareStatement(path.sql)) {
            ps.setString(1, name);
            ps.execute();
        }
    }

    private static long xacts(BenchDb db) throws SQLException {
        try (Connection c = db.connect(); Statement s = c.createStatement();
             ResultSet r = s.executeQuery("SELECT sum(xact_commit + xact_rollback) FROM pg_stat_database")) {
            r.next();
            return r.getLong(1);
        }
    }

    private Map<String, Object> debezium(BenchDb db, int seconds, Results res) throws Exception {
        System.out.printf("%n-- phase: Debezium embedded, %d s of load%n", seconds);
        String slot = "bench_debezium_latency";
        db.createSlot(slot);
        CountDownLatch readyLatch = new CountDownLatch(1);
        CompletableFuture<JsonNode> child = CompletableFuture.supplyAsync(() -> {
            try {
                return Bench.child(env.serverCore, "2g", line -> {
                    if (line.equals("READY")) {
                        readyLatch.countDown();
                    }
                }, "debezium", "latency", Integer.toString(db.port()), slot, Integer.toString(seconds + 600));
            } catch (Exception e) {
                throw new RuntimeException(e);
            }
        });
        long deadline = System.currentTimeMillis() + 120_000;
        while (!readyLatch.await(500, TimeUnit.MILLISECONDS)) {
            if (System.currentTimeMillis() > deadline || child.isDone()) {
                throw new PhaseFailed("Debezium did not start streaming: " + (child.isDone() ? child.join() : "timeout"));
            }
            insert(db, "P" + System.nanoTime());
        }
        Load load = runLoad(db, seconds);
        JsonNode r = child.get(10, TimeUnit.MINUTES);
        db.dropSlot(slot);
        double commitsPerS = load.committed.get() / (load.elapsedNanos / 1e9);
        JsonNode lat = r.get("latency_ms");
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("contender", "debezium");
        m.put("commits", load.committed.get());
        m.put("commits_per_s", commitsPerS);
        m.put("received", r.get("changes").asLong());
        m.put("latency_ms", lat);
        System.out.printf("Debezium: %,.0f commits/s, p50 %.1f ms p99 %.1f ms p99.9 %.1f ms max %.1f ms%n", commitsPerS,
                lat.get("p50").asDouble(), lat.get("p99").asDouble(), lat.get("p999").asDouble(), lat.get("max").asDouble());
        res.row("Debezium embedded 3.6.1 (consumer)", "1", "n/a", Results.fmt(commitsPerS),
                Results.fmt(r.get("changes").asLong() / (load.elapsedNanos / 1e9)), Results.fmt(lat.get("p50").asDouble()),
                Results.fmt(lat.get("p99").asDouble()), Results.fmt(lat.get("p999").asDouble()),
                Results.fmt(lat.get("max").asDouble()), Long.toString(Math.max(0, load.committed.get() - r.get("changes").asLong())), "",
                "p50 ~440 ms, p99 ~1.4 s");
        return m;
    }

    private void onFrame(WsClient.Conn c, boolean binary, ByteBuffer b, int pos, int len) {
        boolean changes = path == Path.CHANGES;
        if (changes && (binary || !Subscriber.isPostgresChange(b, pos, len))) {
            return;
        }
        byte[] nameL = changes ? Subscriber.NAME_L : SENT_L;
        byte[] nameWarmup = changes ? NAME_WARMUP : SENT_WARMUP;
        byte[] nameP = changes ? NAME_P : SENT_P;
        byte[] nameEnd = changes ? NAME_END : SENT_END;
        int end = pos + len;
        long sent = WsClient.longAfter(b, pos, end, nameL);
        if (sent >= 0) {
            long now = Bench.epochMicros();
            deliveries++;
            hist.recordValue(Math.max(0, Math.min(hist.getHighestTrackableValue(), now - sent)));
            return;
        }
        if (WsClient.indexOf(b, pos, end, nameWarmup) >= 0) {
            warmupDeliveries++; // not timed, but part of the work a saturated server got through
            return;
        }
        int[] flags = (int[]) c.attachment;
        if (flags == null) {
            flags = new int[2];
            c.attachment = flags;
        }
        if (flags[0] == 0 && WsClient.indexOf(b, pos, end, nameP) >= 0) {
            flags[0] = 1;
            ready++;
        } else if (flags[1] == 0 && WsClient.indexOf(b, pos, end, nameEnd) >= 0) {
            flags[1] = 1;
            ended++;
        }
    }

    /** A percentile in ms, or "none timed" when no recorded row arrived (a histogram's empty percentile reads 0). */
    private static String millis(Histogram h, double percentile) {
        return h.getTotalCount() == 0 ? "none timed" : Results.fmt(h.getValueAtPercentile(percentile) / 1000.0);
    }

    private Map<String, Object> ours(BenchDb db, ServerProcess server, int subscribers, int users, boolean rls, int seconds,
                                     Results res, String target) throws Exception {
        String contender = path == Path.CHANGES ? "MudRock" : "MudRock Broadcast from Database";
        System.out.printf("%n-- phase: %s, %,d subscriber(s), RLS %s, %d distinct user(s), %d s of load at %,.0f/s%n",
                contender, subscribers, rls ? "on" : "off", users, seconds,
                path == Path.DB_BROADCAST ? o.dbl("bdb-rate", 10_000) : rate);
        ready = 0;
        ended = 0;
        deliveries = 0;
        warmupDeliveries = 0;
        hist = new Histogram(TimeUnit.SECONDS.toMicros(120), 3);
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("contender", path == Path.CHANGES ? "our_server" : "our_server_broadcast_from_database");
        m.put("transport", transport);
        boolean broadcast = path == Path.DB_BROADCAST;
        m.put("offered_commits_per_s", broadcast ? o.dbl("bdb-rate", 10_000) : rate);
        m.put("loader_connections", broadcast ? o.integer("bdb-connections", 8) : 1);
        m.put("subscribers", subscribers);
        m.put("rls", rls);
        if (rls) {
            m.put("rls_policy_using", rlsPolicy.using);
        }
        m.put("distinct_users", users);
        String rlsText = rls ? "on (USING (" + rlsPolicy.using + ")), " + users + " users" : "off";
        String[] tokens = new String[users];
        for (int u = 0; u < users; u++) {
            tokens[u] = Jwt.hs256(ServerProcess.JWT_SECRET, "authenticated",
                    String.format("00000000-0000-4000-8000-%012d", u + 1), 24 * 3600);
        }
        try (WsClient client = new WsClient("127.0.0.1", env.serverPort, Subscriber.socketPath(), 8, 2500, this::onFrame)) {
            client.openAndJoin(subscribers, 200, i -> path.topic, i -> path == Path.CHANGES
                    ? Subscriber.wellsJoin(tokens[i % users]) : Subscriber.broadcastJoin(tokens[i % users]), 300_000);
            if (client.joinedCount() < subscribers) {
                String why = client.joinedCount() + " of " + subscribers + " subscribers joined; last failure: " + client.lastFailure();
                res.row(contender + " [" + transport + "]", Integer.toString(subscribers), rlsText, "-", "-", "-", "-", "-", "-", "-", "-", "not measured: " + why);
                throw new PhaseFailed("latency not measured for our server: " + why);
            }
            long deadline = System.currentTimeMillis() + o.integer("probe-timeout-ms", 60_000);
            while (ready < subscribers && System.currentTimeMillis() < deadline) {
                insert(db, "P" + System.nanoTime());
                Thread.sleep(500);
            }
            if (ready < subscribers) {
                String why = "server does not deliver " + (path == Path.CHANGES ? "postgres_changes" : "database broadcasts")
                        + " yet (" + ready + " of " + subscribers
                        + " subscribers received a probe change within " + o.integer("probe-timeout-ms", 60_000) + " ms)";
                res.row(contender + " [" + transport + "]", Integer.toString(subscribers), rlsText, "-", "-", "-", "-", "-", "-", "-", "-", "not measured: " + why);
                throw new PhaseFailed("latency not measured for our server: " + why);
            }
            Thread.sleep(1000);
            client.executeAndWait(() -> {
                hist = new Histogram(TimeUnit.SECONDS.toMicros(120), 3);
                deliveries = 0;
                warmupDeliveries = 0;
            });
            long self = ProcessHandle.current().pid();
            double cpu0 = server.cpuSeconds();
            double clientCpu0 = Machine.cpuSeconds(self);
            long x0 = xacts(db);
            Profiler prof = new Profiler(server, env.work.resolve("profiles"), "latency-" + subscribers + (rls ? "-rls-" + rlsPolicy.name().toLowerCase() : "")
                    + (path == Path.CHANGES ? "" : "-dbcast"),
                    !o.str("profile", "on").equals("off"));
            prof.start();
            Load load = runLoad(db, seconds);
            long waitStart = System.nanoTime();
            long wait = System.currentTimeMillis() + endWaitS * 1000L;
            while (ended < subscribers && System.currentTimeMillis() < wait) {
                Thread.sleep(100);
            }
            // Deliveries still queued when the load stopped arrive during this wait: they count
            // against load plus wait, or a server that falls behind would look faster than it is.
            double drainS = (System.nanoTime() - waitStart) / 1e9;
            double cpu1 = server.cpuSeconds();
            double clientCpu1 = Machine.cpuSeconds(self);
            Map<String, Object> profile = prof.stop();
            m.put("profile", profile);
            Profiler.print(subscribers + " subscribers, RLS " + rlsText, profile);
            Histogram h = new Histogram(TimeUnit.SECONDS.toMicros(120), 3);
            client.executeAndWait(() -> h.add(hist));
            long got = deliveries;
            // pg_stat_database is flushed by idle backends within 10 s; wait that out for the count
            Thread.sleep(o.integer("stats-settle-ms", 11_000));
            long x1 = xacts(db);
            double loadS = load.elapsedNanos / 1e9;
            // Throughput and CPU count warm-up rows too: a saturated server spends the recorded
            // window still delivering them, and its rate is what it got through in all that time.
            long all = got + warmupDeliveries;
            double busyS = warmupS + loadS + drainS;
            long expected = load.committed.get() * subscribers;
            double serverTx = (x1 - x0 - load.committed.get() - 4) / (double) load.committed.get();
            m.put("commits", load.committed.get());
            m.put("commits_per_s", load.committed.get() / loadS);
            m.put("deliveries_expected", expected);
            m.put("deliveries_received", got);
            m.put("deliveries_per_s", all / busyS);
            m.put("warmup_deliveries", warmupDeliveries);
            m.put("drain_after_load_s", drainS);
            m.put("latency_ms", Bench.percentiles(h, 1000.0));
            m.put("server_cpu_s", cpu1 - cpu0);
            m.put("server_cpu_us_per_delivery", (cpu1 - cpu0) / all * 1e6);
            m.put("client_cpu_utilisation", (clientCpu1 - clientCpu0) / loadS);
            m.put("server_db_transactions_per_commit", serverTx);
            m.put("end_marker_received_by", ended);
            // a subscriber too far behind is closed by the server (1013) rather than stalling the stream
            int closed = subscribers - client.joinedCount();
            m.put("subscribers_closed_by_server", closed);
            if (closed > 0) {
                m.put("close_reason", client.lastFailure());
                res.note(contender + " [" + transport + "], " + subscribers + " subscribers, RLS " + rlsText + ": "
                        + closed + " closed by the server, last: " + client.lastFailure());
            }
            System.out.printf(contender + ", %,d subscribers, RLS %s: %,.0f commits/s, %,.0f deliveries/s, p50 %.2f ms p99 %.2f ms "
                            + "p99.9 %.2f ms max %.1f ms, not in " + endWaitS + " s after load %,d, server DB tx per commit %.2f, server CPU %.2f µs/delivery%n",
                    subscribers, rlsText, load.committed.get() / loadS, all / busyS, h.getValueAtPercentile(50) / 1000.0,
                    h.getValueAtPercentile(99) / 1000.0, h.getValueAtPercentile(99.9) / 1000.0, h.getMaxValue() / 1000.0,
                    Math.max(0, expected - got), serverTx, (cpu1 - cpu0) / all * 1e6);
            res.row(contender + " [" + transport + "]", String.format("%,d", subscribers), rlsText, Results.fmt(load.committed.get() / loadS),
                    Results.fmt(all / busyS), millis(h, 50), millis(h, 99), millis(h, 99.9),
                    millis(h, 100), String.format("%,d", Math.max(0, expected - got)),
                    Results.fmt(serverTx), target);
        }
        return m;
    }
}
