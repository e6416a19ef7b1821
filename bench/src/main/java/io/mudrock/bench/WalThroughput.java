package io.mudrock.bench;

import com.fasterxml.jackson.databind.JsonNode;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Workload 1 — WAL throughput. A backlog of N changes to wells (half inserts, half updates; 1 row
 * per transaction, then 1,000 rows per transaction) is written while no contender reads, then
 * drained by each contender from its own slot of the same WAL:
 * (a) pg_recvlogical with pgoutput (the ceiling), (a2) a bare pgjdbc reader that decodes,
 * (b) Debezium embedded, (c) our server delivering every change to one supabase-protocol
 * subscriber over a real WebSocket. Contenders (a)-(b) run pinned to the server core; (c) is our
 * server on that core, SIGSTOPped while the backlog is written and resumed to drain it first (a
 * longer stop would outlast the server's 60 s idle limit for silent clients), with the subscriber on
 * the client core.
 */
public final class WalThroughput {

    private static final byte[] WELL = "\"name\":\"well ".getBytes(java.nio.charset.StandardCharsets.US_ASCII);
    private static final byte[] PROBE = "\"name\":\"probe\"".getBytes(java.nio.charset.StandardCharsets.US_ASCII);

    private final Bench.Options o;
    private final Bench.Env env;

    public WalThroughput(Bench.Options o) {
        this.o = o;
        this.env = new Bench.Env(o);
    }

    public int run() throws Exception {
        int total = o.integer("changes", 200_000);
        List<Integer> shapes = new ArrayList<>();
        for (String s : o.str("rows-per-tx", "1,1000").split(",")) {
            shapes.add(Integer.parseInt(s.trim()));
        }
        boolean withDebezium = !o.str("debezium", "on").equals("off");
        Results res = new Results("wal-throughput", o.str("command", "bench/run-wal-throughput.sh"));
        res.put("options", o.all());
        res.put("changes_per_shape", total);
        res.put("reference", Map.of(
                "pg_recvlogical_changes_per_s", Map.of("rows_per_tx_1", 62_000, "rows_per_tx_1000", 142_000),
                "pgjdbc_reader_vs_pg_recvlogical", "1.0-1.3x",
                "debezium_vs_pg_recvlogical", "0.15-0.33x",
                "target", "(c) >= 0.8x pg_recvlogical on both shapes (>= 3x Debezium)"));
        res.row("rows/tx", "contender", "changes", "drain s", "changes/s", "vs pg_recvlogical", "vs Debezium",
                "server CPU µs/change", "reference");
        List<Map<String, Object>> shapeResults = new ArrayList<>();
        res.put("shapes", shapeResults);

        try (BenchDb db = env.startDb()) {
            res.put("postgres", Map.of("version", "17 (zonky embedded)", "synchronous_commit", db.setting("synchronous_commit"),
                    "affinity", "all cores"));
            res.put("transports", env.transports);
            db.ensureSchema();
            for (int rowsPerTx : shapes) {
                Map<String, Object> shape = new LinkedHashMap<>();
                shape.put("rows_per_tx", rowsPerTx);
                System.out.printf("%n-- shape: %d row(s) per transaction, %,d changes%n", rowsPerTx, total);
                Map<String, Object> byTransport = new LinkedHashMap<>();
                shape.put("our_server", byTransport);
                Baselines base = null;
                for (String transport : env.transports) {
                    // the first transport's backlog is also drained by the baselines, from their own slots
                    Drain d = drainOurs(db, transport, total, rowsPerTx, base == null, res);
                    byTransport.put(transport, d.result());
                    if (base == null) {
                        base = baselines(db, d.endLsn(), total, withDebezium, shape);
                        baselineRows(res, rowsPerTx, total, base);
                    }
                    ourRow(res, rowsPerTx, transport, d.result(), base);
                }
                shapeResults.add(shape);
            }
        }
        res.finish(env.results);
        return 0;
    }

    private static final String[] SLOTS = {"bench_recvlogical", "bench_pgjdbc", "bench_debezium"};

    /** What our server did with one backlog: its result and where the backlog ends in the WAL. */
    private record Drain(Map<String, Object> result, String endLsn) {
    }

    /** The changes/s of the contenders that are not our server, on one shape; NaN where not measured. */
    private record Baselines(double recvlogical, double pgjdbc, double debezium) {
    }

    /**
     * Starts a fresh server on {@code transport}, joins one subscriber, proves it delivers, then
     * stops the server, writes the backlog and measures (c) draining it. With {@code baselineSlots}
     * the baselines' slots are created just before the backlog, so they decode the same WAL.
     */
    private Drain drainOurs(BenchDb db, String transport, int total, int rowsPerTx, boolean baselineSlots,
                            Results res) throws Exception {
        Map<String, Object> c = new LinkedHashMap<>();
        c.put("transport", transport);
        AtomicLong frames = new AtomicLong();
        AtomicLong probes = new AtomicLong();
        AtomicLong firstNanos = new AtomicLong();
        AtomicLong lastNanos = new AtomicLong();
        ServerProcess server = null;
        WsClient client = null;
        String problem = null;
        try {
            try {
                server = env.startServer(transport);
                // after the start: the server's first start on this database migrates wells to RLS enabled
                rls(db, o.str("rls", "off"));
            } catch (IOException e) {
                problem = "our server did not start: " + firstLine(e.getMessage());
                System.out.println(e.getMessage());
            }
            if (server != null) {
                client = new WsClient("127.0.0.1", env.serverPort, Subscriber.socketPath(), 1, 1000,
                        (conn, binary, buf, pos, len) -> {
                            // probes are named 'probe'; only backlog rows ('well ...') count
                            if (binary || !Subscriber.isPostgresChange(buf, pos, len)) {
                                return;
                            }
                            if (WsClient.indexOf(buf, pos, pos + len, PROBE) >= 0) {
                                probes.incrementAndGet();
                            } else if (WsClient.indexOf(buf, pos, pos + len, WELL) >= 0) {
                                long now = System.nanoTime();
                                frames.incrementAndGet();
                                firstNanos.compareAndSet(0, now);
                                lastNanos.set(now);
                            }
                        });
                problem = probe(db, client, probes);
            }
            if (problem != null) {
                res.note("(c) [" + transport + "] rows/tx=" + rowsPerTx + " not measured: " + problem);
                c.put("problem", problem);
                client = closeQuietly(client);
            }
            if (baselineSlots) {
                for (String s : SLOTS) {
                    db.createSlot(s);
                }
            }
            // JFR is started before the stop: jcmd cannot attach to a stopped process.
            Profiler prof = client == null ? null : new Profiler(server, env.work.resolve("profiles"),
                    "wal-" + rowsPerTx + "-" + transport, !o.str("profile", "on").equals("off"));
            if (client != null) {
                prof.start();
                server.suspend();
            }
            double genS;
            String endLsn;
            try {
                long t = System.nanoTime();
                generate(db, total, rowsPerTx);
                genS = (System.nanoTime() - t) / 1e9;
                endLsn = db.currentLsn();
                db.bumpWal();
            } catch (Exception e) {
                if (client != null) {
                    server.resume();
                }
                throw e;
            }
            c.put("backlog_written_s", genS);
            c.put("backlog_end_lsn", endLsn);
            System.out.printf("[%s] backlog written in %.1f s (end LSN %s)%n", transport, genS, endLsn);
            if (client != null) {
                drain(server, client, frames, firstNanos, lastNanos, prof, total, rowsPerTx, transport, c, res);
            }
            return new Drain(c, endLsn);
        } finally {
            closeQuietly(client);
            if (server != null) {
                c.put("server_log", server.log().toString());
                server.close();
            }
        }
    }

    private static WsClient closeQuietly(WsClient client) {
        if (client != null) {
            client.close();
        }
        return null;
    }

    /** (c): resumes the stopped server and times the subscriber receiving every backlog change. */
    private void drain(ServerProcess server, WsClient client, AtomicLong frames, AtomicLong firstNanos, AtomicLong lastNanos,
                       Profiler prof, int total, int rowsPerTx, String transport, Map<String, Object> c, Results res)
            throws Exception {
        long base = frames.get();
        firstNanos.set(0);
        double cpu0 = server.cpuSeconds();
        long t0 = System.nanoTime();
        server.resume();
        long stallLimit = TimeUnit.SECONDS.toNanos(o.integer("stall-s", 30));
        long lastSeen = base;
        long lastProgress = System.nanoTime();
        while (frames.get() - base < total) {
            Thread.sleep(20);
            long f = frames.get();
            if (f != lastSeen) {
                lastSeen = f;
                lastProgress = System.nanoTime();
            } else if (System.nanoTime() - lastProgress > stallLimit) {
                break;
            }
        }
        double cpu1 = server.cpuSeconds();
        Map<String, Object> profile = prof.stop();
        c.put("profile", profile);
        Profiler.print("(c) [" + transport + "] rows/tx=" + rowsPerTx, profile);
        long got = frames.get() - base;
        double firstToLast = (lastNanos.get() - firstNanos.get()) / 1e9;
        c.put("changes_delivered", got);
        c.put("first_to_last_s", firstToLast);
        c.put("resume_to_last_s", (lastNanos.get() - t0) / 1e9);
        c.put("server_cpu_s", cpu1 - cpu0);
        c.put("server_rss_mb", server.rssBytes() / 1e6);
        double rate = Double.NaN;
        double cpuPerChange = Double.NaN;
        if (got >= total) {
            rate = total / firstToLast;
            cpuPerChange = (cpu1 - cpu0) / total * 1e6;
        } else {
            // a subscriber that falls too far behind is closed by the server (1013): say so
            String closed = client.joinedCount() == 0 ? "; the server closed the subscriber: " + client.lastFailure() : "";
            c.put("problem", "only " + got + " of " + total + " changes arrived (no progress for "
                    + o.integer("stall-s", 30) + " s)" + closed);
            res.note("(c) [" + transport + "] rows/tx=" + rowsPerTx + ": only " + got + " of " + total
                    + " changes reached the subscriber" + closed);
        }
        c.put("changes_per_s", rate);
        c.put("server_cpu_us_per_change", cpuPerChange);
        System.out.printf("(c) our server [%s]: %,d changes in %.2f s, %,.0f changes/s, %.2f µs server CPU per change%n",
                transport, got, firstToLast, rate, cpuPerChange);
    }

    /** (a), (a2), (b): each drains the backlog from its own slot, pinned to the server core. */
    private Baselines baselines(BenchDb db, String endLsn, int total, boolean withDebezium, Map<String, Object> out)
            throws Exception {
        Map<String, Object> a = recvlogical(db, SLOTS[0], endLsn);
        out.put("pg_recvlogical", a);
        double aRate = rate(a, total);
        System.out.printf("(a) pg_recvlogical: %.2f s, %,.0f changes/s%n", (double) a.get("first_to_last_s"), aRate);

        JsonNode j = Bench.child(env.serverCore, "1g", null, "drain-jdbc", Integer.toString(db.port()), SLOTS[1],
                Integer.toString(total));
        double jRate = j.get("changes").asLong() == total ? total / j.get("first_to_last_s").asDouble() : Double.NaN;
        out.put("pgjdbc_reader", j);
        System.out.printf("(a2) pgjdbc reader: %.2f s, %,.0f changes/s%n", j.get("first_to_last_s").asDouble(), jRate);

        double bRate = Double.NaN;
        if (withDebezium) {
            JsonNode b = Bench.child(env.serverCore, "2g", null, "debezium", "drain", Integer.toString(db.port()), SLOTS[2],
                    Integer.toString(total));
            out.put("debezium", b);
            bRate = b.get("changes").asLong() >= total ? total / b.get("first_to_last_s").asDouble() : Double.NaN;
            System.out.printf("(b) Debezium: %.2f s (+%.2f s start-up), %,.0f changes/s%n",
                    b.get("first_to_last_s").asDouble(), b.get("start_to_first_s").asDouble(), bRate);
        }
        for (String s : SLOTS) {
            db.dropSlot(s);
        }
        Map<String, Object> rates = new LinkedHashMap<>();
        rates.put("pg_recvlogical", aRate);
        rates.put("pgjdbc_reader", jRate);
        rates.put("debezium", bRate);
        out.put("changes_per_s", rates);
        return new Baselines(aRate, jRate, bRate);
    }

    private static void baselineRows(Results res, int rowsPerTx, int total, Baselines base) {
        String shape = Integer.toString(rowsPerTx);
        String ref = rowsPerTx == 1 ? "~62,000/s" : rowsPerTx == 1000 ? "~142,000/s" : "";
        res.row(shape, "(a) pg_recvlogical (ceiling)", Long.toString(total), Results.fmt(total / base.recvlogical()),
                Results.fmt(base.recvlogical()), "1.00x", Results.ratio(base.recvlogical(), base.debezium()), "", ref);
        res.row(shape, "(a2) pgjdbc reader, decode only", Long.toString(total), Results.fmt(total / base.pgjdbc()),
                Results.fmt(base.pgjdbc()), Results.ratio(base.pgjdbc(), base.recvlogical()),
                Results.ratio(base.pgjdbc(), base.debezium()), "", "1.0-1.3x");
        if (!Double.isNaN(base.debezium())) {
            res.row(shape, "(b) Debezium embedded 3.6.1", Long.toString(total), Results.fmt(total / base.debezium()),
                    Results.fmt(base.debezium()), Results.ratio(base.debezium(), base.recvlogical()), "1.00x", "", "0.15-0.33x");
        }
    }

    private static void ourRow(Results res, int rowsPerTx, String transport, Map<String, Object> c, Baselines base) {
        double rate = c.containsKey("changes_per_s") ? (double) c.get("changes_per_s") : Double.NaN;
        c.put("ratio_over_pg_recvlogical", rate / base.recvlogical());
        c.put("ratio_over_debezium", rate / base.debezium());
        res.row(Integer.toString(rowsPerTx), "(c) MudRock [" + transport + "] -> 1 WebSocket subscriber",
                c.containsKey("changes_delivered") ? c.get("changes_delivered").toString() : "-",
                c.containsKey("first_to_last_s") ? Results.fmt((double) c.get("first_to_last_s")) : "-",
                c.containsKey("changes_per_s") ? Results.fmt(rate) : "not measured",
                Results.ratio(rate, base.recvlogical()), Results.ratio(rate, base.debezium()),
                c.containsKey("server_cpu_us_per_change") ? Results.fmt((double) c.get("server_cpu_us_per_change")) : "-",
                "target >= 0.8x");
    }

    private static void rls(BenchDb db, String mode) throws SQLException {
        try (Connection c = db.connect(); Statement s = c.createStatement()) {
            s.execute("ALTER TABLE public.wells " + (mode.equals("on") ? "ENABLE" : "DISABLE") + " ROW LEVEL SECURITY");
        }
    }

    /** Joins one subscriber and checks one change reaches it; returns why not, or null. */
    private String probe(BenchDb db, WsClient client, AtomicLong frames) throws Exception {
        String token = Jwt.hs256(ServerProcess.JWT_SECRET, "authenticated", "00000000-0000-0000-0000-00000000b001", 24 * 3600);
        try {
            Subscriber.joinOne(client, "realtime:bench", Subscriber.wellsJoin(token), 30_000);
        } catch (IOException e) {
            return "the server's WebSocket endpoint did not accept the subscriber (" + e.getMessage()
                    + ") - the socket endpoint or joins have not landed yet";
        }
        long deadline = System.currentTimeMillis() + o.integer("probe-timeout-ms", 30_000);
        // the server may subscribe asynchronously (upstream sends "Subscribed to PostgreSQL" later)
        while (System.currentTimeMillis() < deadline) {
            try (Connection c = db.connect(); Statement s = c.createStatement()) {
                s.execute("INSERT INTO public.wells(name, status) VALUES ('probe', 'probe')");
            }
            Thread.sleep(1000);
            if (frames.get() > 0) {
                Thread.sleep(1000);
                return null;
            }
        }
        return "server does not deliver postgres_changes yet (joined realtime:bench with a postgres_changes binding on "
                + "public.wells, inserted rows, no postgres_changes frame within " + o.integer("probe-timeout-ms", 30_000) + " ms)";
    }

    private static double rate(Map<String, Object> a, int total) {
        return (boolean) a.get("completed") ? total / (double) a.get("first_to_last_s") : Double.NaN;
    }

    /** Writes the backlog: total/2 inserts then total/2 updates of those rows, rowsPerTx per commit. */
    private static void generate(BenchDb db, int total, int rowsPerTx) throws SQLException {
        try (Connection c = db.connect(); Statement s = c.createStatement()) {
            c.setAutoCommit(true);
            s.execute("SET synchronous_commit = off");
            s.execute("CREATE OR REPLACE PROCEDURE bench_backlog(n_ins int, per_tx int, base bigint, tag text) LANGUAGE plpgsql AS $$\n"
                    + "DECLARE i int := 0; cnt int;\n"
                    + "BEGIN\n"
                    + "  WHILE i < n_ins LOOP\n"
                    + "    INSERT INTO public.wells(id, name, uwi, latitude, longitude, total_depth_m, status)\n"
                    + "      SELECT base + g, 'well ' || tag || '-' || g, tag || '-' || g, 50 + (g % 1000) / 1000.0,\n"
                    + "             -110 - (g % 997) / 1000.0, 1000 + g % 5000, 'drilling'\n"
                    + "      FROM generate_series(i + 1, least(i + per_tx, n_ins)) g;\n"
                    + "    COMMIT;\n"
                    + "    i := i + per_tx;\n"
                    + "  END LOOP;\n"
                    + "  i := 0;\n"
                    + "  WHILE i < n_ins LOOP\n"
                    + "    UPDATE public.wells SET status = 'producing', total_depth_m = total_depth_m + 1, updated_at = now()\n"
                    + "      WHERE id > base + i AND id <= base + least(i + per_tx, n_ins);\n"
                    + "    GET DIAGNOSTICS cnt = ROW_COUNT;\n"
                    + "    IF cnt <> least(per_tx, n_ins - i) THEN RAISE EXCEPTION 'updated % rows, expected %', cnt, per_tx; END IF;\n"
                    + "    COMMIT;\n"
                    + "    i := i + per_tx;\n"
                    + "  END LOOP;\n"
                    + "END $$");
            long base = db.maxWellId() + 1000;
            String tag = "b" + System.currentTimeMillis();
            s.execute("CALL bench_backlog(" + (total / 2) + ", " + rowsPerTx + ", " + base + ", '" + tag + "')");
            s.execute("SELECT setval(pg_get_serial_sequence('public.wells', 'id'), (SELECT max(id) FROM public.wells))");
        }
    }

    private Map<String, Object> recvlogical(BenchDb db, String slot, String endLsn) throws IOException, InterruptedException {
        Path bin = Path.of(env.pgBin, "pg_recvlogical");
        List<String> cmd = List.of("taskset", "-c", env.serverCore, bin.toString(), "-h", "localhost", "-p",
                Integer.toString(db.port()), "-U", "postgres", "-d", "postgres", "--slot", slot, "--start", "--no-loop",
                "--endpos", endLsn, "-o", "proto_version=1", "-o", "publication_names=" + BenchDb.PUBLICATION, "-f", "-");
        long t0 = System.nanoTime();
        Process p = new ProcessBuilder(cmd).redirectError(ProcessBuilder.Redirect.INHERIT).start();
        long first = 0;
        long bytes = 0;
        byte[] buf = new byte[1 << 20];
        try (InputStream in = p.getInputStream()) {
            int n;
            while ((n = in.read(buf)) > 0) {
                if (first == 0) {
                    first = System.nanoTime();
                }
                bytes += n;
            }
        }
        boolean exited = p.waitFor(10, TimeUnit.MINUTES);
        long end = System.nanoTime();
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("completed", exited && p.exitValue() == 0);
        m.put("first_to_last_s", (end - first) / 1e9);
        m.put("start_to_last_s", (end - t0) / 1e9);
        m.put("bytes", bytes);
        m.put("command", String.join(" ", cmd));
        return m;
    }

    static String firstLine(String s) {
        if (s == null) {
            return "";
        }
        int i = s.indexOf('\n');
        return i < 0 ? s : s.substring(0, i);
    }
}
