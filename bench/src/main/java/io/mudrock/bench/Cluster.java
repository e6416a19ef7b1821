package io.mudrock.bench;

import org.HdrHistogram.Histogram;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * Workload 4 — one node against two nodes on Redis, in one run (issue 11's benchmark).
 * <ol>
 *   <li>A: one server without {@code REDIS_URL}; subscribers in groups and in one topic, joined
 *       through two load-generator clients that both reach that server; a paced sender;</li>
 *   <li>B: our own redis-server and two servers with {@code REDIS_URL}; the same subscribers,
 *       the second client's half now on node 2, senders on node 1: same-node and cross-node
 *       latency, CPU per delivery per node, Redis CPU per message, publishes per broadcast;</li>
 *   <li>C: presence: trackers on node 1 track one after another; an observer on each node times
 *       the {@code presence_diff} join (also run on A's single node, as its baseline).</li>
 * </ol>
 * Every broadcast of the recorded window is marked ({@code "r":1}) so that deliveries still
 * missing 10 s after the window, and duplicated ones, are counted exactly per receiving node
 * (as totals against the expected count, not per message). On a 2-core machine with both servers and
 * Redis on one core this measures the bus's overhead, not how a cluster scales.
 */
public final class Cluster {

    private static final byte[] BT = "\"bt\":".getBytes(StandardCharsets.US_ASCII);
    private static final byte[] RECORDED = "\"r\":".getBytes(StandardCharsets.US_ASCII);
    private static final byte[] PT = "\"pt\":".getBytes(StandardCharsets.US_ASCII);
    private static final byte[] PRESENCE_DIFF = "\"presence_diff\"".getBytes(StandardCharsets.US_ASCII);
    private static final String OBSERVER = "observer";

    private final Bench.Options o;
    private final Bench.Env env;
    // each new load-generator client binds fresh loopback addresses: closed sockets' ports linger in TIME_WAIT
    private int sourceOffset;
    // CPU seconds per second of the servers and Redis with no client connected, from idle()
    private double idleNode1PerS;
    private double idleNode2PerS;
    private double idleRedisPerS;
    private double idleRedisRusagePerS;

    public Cluster(Bench.Options o) {
        this.o = o;
        this.env = new Bench.Env(o);
    }

    public int run() throws Exception {
        int subscribers = o.integer("subscribers", 1_000);
        int groupSize = o.integer("group-size", 10);
        int tracks = o.integer("tracks", 200);
        int port2 = o.integer("server2-port", env.serverPort + 1);
        String redisCore = o.str("redis-core", env.serverCore);
        Results res = new Results("cluster", o.str("command", "bench/run-cluster.sh"));
        res.put("options", o.all());
        Map<String, Object> pinning = new LinkedHashMap<>();
        pinning.put("servers", "core " + env.serverCore + " (both nodes share it in phase B)");
        pinning.put("redis", "core " + redisCore);
        pinning.put("load_generator", "core " + env.clientCore);
        pinning.put("postgresql", "all cores (idle during the phases: tenant settings only)");
        res.put("pinning", pinning);
        Map<String, Object> a = new LinkedHashMap<>();
        Map<String, Object> b = new LinkedHashMap<>();
        res.put("phase_a_one_node", a);
        res.put("phase_b_two_nodes", b);
        res.put("not_measurable_yet", Map.of(
                "change_stream_failover_s", "n/a (not built)",
                "changes_lost_or_duplicated_across_failover", "n/a (not built)",
                "why", "one replication stream per tenant in the cluster (issue 11 item 5) is not built yet"));

        try (BenchDb db = env.startDb()) {
            System.out.println("\n== phase A: one node, REDIS_URL unset");
            try (ServerProcess s = startNode("bench", env.serverPort, Map.of())) {
                a.put("server_log", s.log().toString());
                a.put("idle", idle(s, s, null));
                a.put("groups", broadcast("A groups of " + groupSize, s, s, null, subscribers, groupSize, "g"));
                a.put("one_topic", broadcast("A one topic of " + subscribers, s, s, null, subscribers, subscribers, "everyone"));
                a.put("presence", presence("A presence", s, s, tracks));
            }
            System.out.println("\n== phase B: two nodes on Redis");
            try (RedisServer redis = RedisServer.start(o.str("redis-server", "/usr/bin/redis-server"), redisCore,
                    env.work.resolve("redis"))) {
                System.out.println("redis-server " + redis.url() + " (pid " + redis.pid() + ", core " + redisCore + ")");
                b.put("redis_url", redis.url());
                b.put("redis_version", redis.info("server").get("redis_version"));
                Map<String, String> cluster = Map.of("REDIS_URL", redis.url());
                try (ServerProcess n1 = startNode("bench", env.serverPort, cluster);
                     ServerProcess n2 = startNode("bench2", port2, cluster)) {
                    b.put("server_logs", List.of(n1.log().toString(), n2.log().toString()));
                    b.put("idle", idle(n1, n2, redis));
                    b.put("groups", broadcast("B groups of " + groupSize, n1, n2, redis, subscribers, groupSize, "g"));
                    b.put("one_topic", broadcast("B one topic of " + subscribers, n1, n2, redis, subscribers, subscribers,
                            "everyone"));
                    b.put("presence", presence("C presence across nodes", n1, n2, tracks));
                    b.put("redis_used_memory_mb", Long.parseLong(redis.info("memory").get("used_memory").trim()) / 1e6);
                }
            }
        }
        summarize(res, a, b, subscribers, groupSize, pinning);
        res.finish(env.results);
        return 0;
    }

    private ServerProcess startNode(String serverName, int port, Map<String, String> extra)
            throws IOException, InterruptedException {
        Map<String, String> serverEnv = new LinkedHashMap<>(env.serverEnv);
        serverEnv.putAll(extra);
        String transport = env.transports.get(0);
        System.out.println("starting our server '" + serverName + "' (core " + env.serverCore + ", port " + port
                + ", WEBSOCKET_TRANSPORT=" + transport + (extra.isEmpty() ? ", no REDIS_URL" : ", REDIS_URL set") + ") ...");
        return ServerProcess.start(env.wlp, serverName, env.serverCore, port, env.dbPort, env.work.resolve("logs"),
                env.serverJvmArgs, transport, serverEnv);
    }

    /**
     * What the servers and Redis spend with nobody connected (timers, hellos, Redis's
     * housekeeping), over {@code --idle-s}: at low message rates it is a large share of the CPU
     * per message, so the figures are also given net of it.
     */
    private Map<String, Object> idle(ServerProcess n1, ServerProcess n2, RedisServer redis)
            throws IOException, InterruptedException {
        int seconds = o.integer("idle-s", 5);
        Snapshot s0 = Snapshot.take(n1, n2, redis);
        Thread.sleep(TimeUnit.SECONDS.toMillis(seconds)); // the measuring interval itself, not a wait for a condition
        Snapshot s1 = Snapshot.take(n1, n2, redis);
        double elapsed = (s1.nanos - s0.nanos) / 1e9;
        idleNode1PerS = (s1.cpu1 - s0.cpu1) / elapsed;
        idleNode2PerS = (s1.cpu2 - s0.cpu2) / elapsed;
        idleRedisPerS = (s1.redisCpu - s0.redisCpu) / elapsed;
        idleRedisRusagePerS = (s1.redisRusage - s0.redisRusage) / elapsed;
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("interval_s", elapsed);
        m.put("node1_cpu_ms_per_s", idleNode1PerS * 1e3);
        if (n2 != n1) {
            m.put("node2_cpu_ms_per_s", idleNode2PerS * 1e3);
            m.put("redis_cpu_ms_per_s", idleRedisPerS * 1e3);
            m.put("redis_rusage_cpu_ms_per_s", idleRedisRusagePerS * 1e3);
            m.put("redis_publish_calls", s1.publishes - s0.publishes);
        }
        System.out.printf("idle for %.1f s: node 1 %.1f ms CPU/s%s%n", elapsed, idleNode1PerS * 1e3, n2 == n1 ? ""
                : String.format(", node 2 %.1f ms/s, Redis %.1f ms/s", idleNode2PerS * 1e3, idleRedisPerS * 1e3));
        return m;
    }

    private WsClient client(ServerProcess server, WsClient.Listener listener) throws IOException {
        WsClient c = new WsClient("127.0.0.1", server.port(), Subscriber.socketPath(), 2, sourceOffset, 2_500, listener);
        sourceOffset += 2;
        return c;
    }

    /** Recorded broadcast deliveries on one client's connections (touched on that client's loop thread). */
    private static final class Tally implements WsClient.Listener {
        Histogram hist = new Histogram(TimeUnit.SECONDS.toMicros(60), 3);
        volatile long recorded;
        volatile long unrecorded;

        @Override
        public void onFrame(WsClient.Conn c, boolean binary, ByteBuffer b, int pos, int len) {
            long bt = WsClient.longAfter(b, pos, pos + len, BT);
            if (bt < 0) {
                return;
            }
            if (WsClient.longAfter(b, pos, pos + len, RECORDED) == 1) {
                recorded++;
                hist.recordValue(Math.min(hist.getHighestTrackableValue(), Math.max(0, (System.nanoTime() - bt) / 1000)));
            } else {
                unrecorded++;
            }
        }
    }

    /**
     * One paced broadcast phase. Member j of each group: j = 0 is the sender, on the first client
     * (node 1); odd j on the first client, even j on the second (node 2 in phase B, node 1 too in
     * phase A, so the layout is the same in both).
     */
    private Map<String, Object> broadcast(String name, ServerProcess n1, ServerProcess n2, RedisServer redis, int count,
                                          int groupSize, String prefix) throws Exception {
        double rate = o.dbl("deliveries-per-s", 10_000);
        int warmupS = o.integer("warmup-s", 10);
        int seconds = o.integer("duration-s", 20);
        List<String> topics1 = new ArrayList<>();
        List<Boolean> sender1 = new ArrayList<>();
        List<String> topics2 = new ArrayList<>();
        for (int m = 0; m < count; m++) {
            String topic = "realtime:" + prefix + (m / groupSize);
            int j = m % groupSize;
            if (j == 0 || j % 2 == 1) {
                topics1.add(topic);
                sender1.add(j == 0);
            } else {
                topics2.add(topic);
            }
        }
        Tally t1 = new Tally();
        Tally t2 = new Tally();
        String join = Subscriber.broadcastJoin(Jwt.hs256(ServerProcess.JWT_SECRET, "anon", null, 24 * 3600));
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("phase", name);
        try (WsClient c1 = client(n1, t1); WsClient c2 = client(n2, t2)) {
            long t0 = System.nanoTime();
            c1.openAndJoin(topics1.size(), 200, topics1::get, i -> join, TimeUnit.MINUTES.toMillis(5));
            c2.openAndJoin(topics2.size(), 200, topics2::get, i -> join, TimeUnit.MINUTES.toMillis(5));
            double joinS = (System.nanoTime() - t0) / 1e9;
            System.out.printf("%n-- %s: %,d + %,d joined of %,d + %,d in %.1f s%s%n", name, c1.joinedCount(), c2.joinedCount(),
                    topics1.size(), topics2.size(), joinS, c1.lastFailure() != null || c2.lastFailure() != null
                            ? " (last failure: " + c1.lastFailure() + " / " + c2.lastFailure() + ")" : "");
            m.put("joined_node1_client", c1.joinedCount());
            m.put("joined_node2_client", c2.joinedCount());
            m.put("join_seconds", joinS);

            // receivers per topic on each client, counted from who actually joined
            Map<String, int[]> receivers = new LinkedHashMap<>();
            List<WsClient.Conn> senders = new ArrayList<>();
            for (int i = 0; i < c1.conns().size(); i++) {
                WsClient.Conn c = c1.conns().get(i);
                if (c.state() != WsClient.JOINED) {
                    continue;
                }
                if (sender1.get(i)) {
                    senders.add(c);
                    receivers.putIfAbsent(c.topic(), new int[2]);
                } else {
                    receivers.computeIfAbsent(c.topic(), k -> new int[2])[0]++;
                }
            }
            for (WsClient.Conn c : c2.conns()) {
                if (c.state() == WsClient.JOINED) {
                    receivers.computeIfAbsent(c.topic(), k -> new int[2])[1]++;
                }
            }
            if (senders.isEmpty()) {
                m.put("error", "no sender joined: " + c1.lastFailure());
                System.out.println("no sender joined: " + c1.lastFailure());
                return m;
            }
            int[][] per = new int[senders.size()][];
            long receiversTotal = 0;
            for (int k = 0; k < senders.size(); k++) {
                per[k] = receivers.get(senders.get(k).topic());
                receiversTotal += per[k][0] + per[k][1];
            }
            double perBroadcast = receiversTotal / (double) senders.size();
            double broadcastsPerS = rate / perBroadcast;
            System.out.printf("%,d senders on node 1, %.1f receivers per broadcast, %,.0f broadcasts/s for %,.0f deliveries/s "
                    + "(%d s warm-up + %d s recorded)%n", senders.size(), perBroadcast, broadcastsPerS, rate, warmupS, seconds);

            long[] sent = {0};
            long[] recordedSent = {0};
            long[] expected = {0, 0};
            int[] cursor = {0};
            boolean[] recording = {false};
            long start = System.nanoTime();
            long warmEnd = start + TimeUnit.SECONDS.toNanos(warmupS);
            long endNanos = warmEnd + TimeUnit.SECONDS.toNanos(seconds);
            c1.setTick(() -> {
                long now = System.nanoTime();
                if (now >= endNanos) {
                    return;
                }
                if (!recording[0] && now >= warmEnd) {
                    recording[0] = true;
                }
                long due = (long) ((now - start) / 1e9 * broadcastsPerS) - sent[0];
                for (long i = 0; i < Math.min(due, 5_000); i++) {
                    int k = cursor[0]++ % senders.size();
                    WsClient.Conn s = senders.get(k);
                    sent[0]++;
                    if (s.state() != WsClient.JOINED) {
                        continue;
                    }
                    sendBroadcast(c1, s, recording[0]);
                    if (recording[0]) {
                        recordedSent[0]++;
                        expected[0] += per[k][0];
                        expected[1] += per[k][1];
                    }
                }
            });
            // Figures from the moment the first marked broadcast can leave until every one is in.
            while (System.nanoTime() < warmEnd) {
                Thread.sleep(5);
            }
            Snapshot s0 = Snapshot.take(n1, n2, redis);
            while (System.nanoTime() < endNanos) {
                Thread.sleep(20);
            }
            c1.setTick(null);
            long drainUntil = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
            long[] exp = new long[2];
            c1.executeAndWait(() -> {
                exp[0] = expected[0];
                exp[1] = expected[1];
            });
            while (System.nanoTime() < drainUntil && (t1.recorded < exp[0] || t2.recorded < exp[1])) {
                Thread.sleep(50);
            }
            Snapshot s1 = Snapshot.take(n1, n2, redis);
            long[] rs = new long[1];
            c1.executeAndWait(() -> rs[0] = recordedSent[0]);
            Histogram h1 = new Histogram(TimeUnit.SECONDS.toMicros(60), 3);
            Histogram h2 = new Histogram(TimeUnit.SECONDS.toMicros(60), 3);
            c1.executeAndWait(() -> h1.add(t1.hist));
            c2.executeAndWait(() -> h2.add(t2.hist));
            Histogram both = new Histogram(TimeUnit.SECONDS.toMicros(60), 3);
            both.add(h1);
            both.add(h2);
            long d1 = t1.recorded;
            long d2 = t2.recorded;
            boolean twoNodes = n1 != n2;
            double elapsed = (s1.nanos - s0.nanos) / 1e9;

            m.put("senders", senders.size());
            m.put("receivers_per_broadcast", perBroadcast);
            m.put("target_deliveries_per_s", rate);
            m.put("broadcasts_recorded", rs[0]);
            m.put("broadcasts_per_s", rs[0] / (double) seconds);
            m.put("deliveries_per_s", (d1 + d2) / (double) seconds);
            m.put("node1_members", Map.of("expected", exp[0], "received", d1, "missing_after_10_s", Math.max(0, exp[0] - d1),
                    "duplicated", Math.max(0, d1 - exp[0])));
            m.put(twoNodes ? "node2_members" : "second_client_members_on_node1", Map.of("expected", exp[1], "received", d2,
                    "missing_after_10_s", Math.max(0, exp[1] - d2), "duplicated", Math.max(0, d2 - exp[1])));
            m.put("latency_ms_node1_members", Bench.percentiles(h1, 1000.0));
            m.put(twoNodes ? "latency_ms_node2_members" : "latency_ms_second_client_on_node1", Bench.percentiles(h2, 1000.0));
            m.put("latency_ms_all", Bench.percentiles(both, 1000.0));
            m.put("interval_s", elapsed);
            double cpu1 = s1.cpu1 - s0.cpu1;
            if (twoNodes) {
                double cpu2 = s1.cpu2 - s0.cpu2;
                m.put("node1_cpu_s", cpu1);
                m.put("node2_cpu_s", cpu2);
                m.put("node1_cpu_us_per_delivery", cpu1 / d1 * 1e6);
                m.put("node2_cpu_us_per_delivery", cpu2 / d2 * 1e6);
                m.put("nodes_cpu_us_per_delivery", (cpu1 + cpu2) / (d1 + d2) * 1e6);
                m.put("nodes_cpu_us_per_broadcast", (cpu1 + cpu2) / rs[0] * 1e6);
                long publishes = s1.publishes - s0.publishes;
                // each node says hello once a second on the cluster's channel: not broadcasts
                double hellos = 2 * elapsed;
                double redisCpu = s1.redisCpu - s0.redisCpu;
                m.put("redis_publish_calls", publishes);
                m.put("redis_publish_calls_hellos_estimated", hellos);
                m.put("bus_publishes_per_broadcast_raw", publishes / (double) rs[0]);
                m.put("bus_publishes_per_broadcast", (publishes - hellos) / rs[0]);
                m.put("redis_cpu_s", redisCpu);
                m.put("redis_cpu_us_per_message", redisCpu / publishes * 1e6);
                m.put("redis_cpu_us_per_message_net_of_idle", (redisCpu - idleRedisPerS * elapsed) / publishes * 1e6);
                // /proc counts 10 ms ticks: at 10 messages/s Redis uses a few of them; its own getrusage is exact
                double rusage = s1.redisRusage - s0.redisRusage;
                m.put("redis_rusage_cpu_s", rusage);
                m.put("redis_rusage_cpu_us_per_message", rusage / publishes * 1e6);
                m.put("redis_rusage_cpu_us_per_message_net_of_idle", (rusage - idleRedisRusagePerS * elapsed) / publishes * 1e6);
                m.put("redis_publish_usec_per_call", (s1.publishUsec - s0.publishUsec) / (double) publishes);
                m.put("nodes_cpu_us_per_delivery_net_of_idle",
                        (cpu1 + cpu2 - (idleNode1PerS + idleNode2PerS) * elapsed) / (d1 + d2) * 1e6);
                m.put("redis_cpu_utilisation", redisCpu / elapsed);
                m.put("redis_net_input_bytes_per_broadcast", (s1.redisIn - s0.redisIn) / (double) rs[0]);
                m.put("redis_net_output_bytes_per_broadcast", (s1.redisOut - s0.redisOut) / (double) rs[0]);
                System.out.printf("%s: %,.0f deliveries/s; node 1 members p50 %.2f p99 %.2f ms, node 2 members p50 %.2f p99 %.2f ms; "
                                + "CPU µs/delivery node 1 %.2f, node 2 %.2f, both %.2f; Redis %.2f µs/message (%.0f%% of a core), "
                                + "%.3f publishes per broadcast (raw %.3f); missing 10 s after %d/%d, duplicated %d/%d%n",
                        name, (d1 + d2) / (double) seconds, ms(h1, 50), ms(h1, 99), ms(h2, 50), ms(h2, 99),
                        cpu1 / d1 * 1e6, cpu2 / d2 * 1e6, (cpu1 + cpu2) / (d1 + d2) * 1e6, redisCpu / publishes * 1e6,
                        100 * redisCpu / elapsed, (publishes - hellos) / rs[0], publishes / (double) rs[0],
                        Math.max(0, exp[0] - d1), Math.max(0, exp[1] - d2), Math.max(0, d1 - exp[0]), Math.max(0, d2 - exp[1]));
            } else {
                m.put("node_cpu_s", cpu1);
                m.put("node_cpu_us_per_delivery", cpu1 / (d1 + d2) * 1e6);
                m.put("node_cpu_us_per_delivery_net_of_idle", (cpu1 - idleNode1PerS * elapsed) / (d1 + d2) * 1e6);
                m.put("node_cpu_us_per_broadcast", cpu1 / rs[0] * 1e6);
                System.out.printf("%s: %,.0f deliveries/s; p50 %.2f p99 %.2f ms; CPU %.2f µs/delivery; missing 10 s after %d, duplicated %d%n",
                        name, (d1 + d2) / (double) seconds, ms(both, 50), ms(both, 99), cpu1 / (d1 + d2) * 1e6,
                        Math.max(0, exp[0] - d1) + Math.max(0, exp[1] - d2), Math.max(0, d1 - exp[0]) + Math.max(0, d2 - exp[1]));
            }
            m.put("deliveries_outside_window", t1.unrecorded + t2.unrecorded);
        }
        Thread.sleep(1_000); // closed sockets' channels leave on the server before the next phase joins
        return m;
    }

    private static double ms(Histogram h, double percentile) {
        return h.getTotalCount() == 0 ? Double.NaN : h.getValueAtPercentile(percentile) / 1000.0;
    }

    /** CPU of both nodes and Redis, and Redis's publish count and traffic, at one moment. */
    private record Snapshot(long nanos, double cpu1, double cpu2, double redisCpu, double redisRusage, long publishes,
                            long publishUsec, long redisIn, long redisOut) {
        static Snapshot take(ServerProcess n1, ServerProcess n2, RedisServer redis) throws IOException {
            long now = System.nanoTime();
            double c1 = n1.cpuSeconds();
            double c2 = n2 == n1 ? 0 : n2.cpuSeconds();
            if (redis == null) {
                return new Snapshot(now, c1, c2, 0, 0, 0, 0, 0, 0);
            }
            return new Snapshot(now, c1, c2, redis.cpuSeconds(), redis.rusageCpuSeconds(), redis.calls("publish"),
                    redis.usec("publish"), redis.stat("total_net_input_bytes"), redis.stat("total_net_output_bytes"));
        }
    }

    private static void sendBroadcast(WsClient client, WsClient.Conn c, boolean recorded) {
        // binary kind 3, as realtime-js sends a broadcast
        byte[] p = ("{\"bt\":" + System.nanoTime() + ",\"r\":" + (recorded ? 1 : 0) + "}").getBytes(StandardCharsets.US_ASCII);
        byte[] jr = "1".getBytes(StandardCharsets.US_ASCII);
        byte[] rb = c.nextRef().getBytes(StandardCharsets.US_ASCII);
        byte[] topic = c.topic().getBytes(StandardCharsets.UTF_8);
        byte[] event = "b".getBytes(StandardCharsets.US_ASCII);
        ByteBuffer f = ByteBuffer.allocate(7 + jr.length + rb.length + topic.length + event.length + p.length);
        f.put((byte) 3).put((byte) jr.length).put((byte) rb.length).put((byte) topic.length).put((byte) event.length)
                .put((byte) 0).put((byte) 1).put(jr).put(rb).put(topic).put(event).put(p);
        client.sendBinary(c, f.array());
    }

    /** presence_diff joins seen by the observers (one per client), timed from the track's send. */
    private static final class PresenceTally implements WsClient.Listener {
        final Histogram hist = new Histogram(TimeUnit.SECONDS.toMicros(60), 3);
        volatile long joins;

        @Override
        public void onFrame(WsClient.Conn c, boolean binary, ByteBuffer b, int pos, int len) {
            if (c.attachment != OBSERVER || WsClient.indexOf(b, pos, Math.min(pos + len, pos + 200), PRESENCE_DIFF) < 0) {
                return;
            }
            long pt = WsClient.longAfter(b, pos, pos + len, PT);
            if (pt >= 0) {
                joins++;
                hist.recordValue(Math.min(hist.getHighestTrackableValue(), Math.max(0, (System.nanoTime() - pt) / 1000)));
            }
        }
    }

    /**
     * Presence: {@code tracks} trackers on node 1 join without tracking, then each tracks once,
     * paced; an observer on node 1 and one on the second client's node time the diff's join.
     */
    private Map<String, Object> presence(String name, ServerProcess n1, ServerProcess n2, int tracks) throws Exception {
        double perS = o.dbl("tracks-per-s", 20);
        String topic = "realtime:presence-bench";
        String token = Jwt.hs256(ServerProcess.JWT_SECRET, "anon", null, 24 * 3600);
        String observe = "{\"config\":{\"broadcast\":{\"ack\":false,\"self\":false},\"presence\":{\"key\":\"\",\"enabled\":true},"
                + "\"postgres_changes\":[],\"private\":false},\"access_token\":\"" + token
                + "\",\"version\":\"realtime-js/2.119.1\"}";
        String trackerJoin = Subscriber.broadcastJoin(token);
        PresenceTally p1 = new PresenceTally();
        PresenceTally p2 = new PresenceTally();
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("phase", name);
        try (WsClient c1 = client(n1, p1); WsClient c2 = client(n2, p2)) {
            WsClient.Conn o1 = Subscriber.joinOne(c1, topic, observe, 30_000);
            WsClient.Conn o2 = Subscriber.joinOne(c2, topic, observe, 30_000);
            o1.attachment = OBSERVER;
            o2.attachment = OBSERVER;
            int before = c1.conns().size();
            c1.openAndJoin(tracks, 50, i -> topic, i -> trackerJoin, TimeUnit.MINUTES.toMillis(2));
            List<WsClient.Conn> trackers = new ArrayList<>(c1.conns().subList(before, c1.conns().size()));
            trackers.removeIf(c -> c.state() != WsClient.JOINED);
            System.out.printf("%n-- %s: observers on both, %d trackers joined on node 1, %.0f tracks/s%n", name, trackers.size(), perS);
            long start = System.nanoTime();
            int[] next = {0};
            c1.setTick(() -> {
                long due = (long) ((System.nanoTime() - start) / 1e9 * perS) + 1;
                while (next[0] < trackers.size() && next[0] < due) {
                    WsClient.Conn t = trackers.get(next[0]++);
                    c1.sendText(t, ("[\"1\",\"" + t.nextRef() + "\",\"" + topic + "\",\"presence\",{\"type\":\"presence\","
                            + "\"event\":\"track\",\"payload\":{\"pt\":" + System.nanoTime() + "}}]").getBytes(StandardCharsets.UTF_8));
                }
            });
            long deadline = start + TimeUnit.SECONDS.toNanos((long) (trackers.size() / perS) + 15);
            while (System.nanoTime() < deadline && (p1.joins < trackers.size() || p2.joins < trackers.size())) {
                Thread.sleep(50);
            }
            c1.setTick(null);
            Histogram h1 = new Histogram(TimeUnit.SECONDS.toMicros(60), 3);
            Histogram h2 = new Histogram(TimeUnit.SECONDS.toMicros(60), 3);
            c1.executeAndWait(() -> h1.add(p1.hist));
            c2.executeAndWait(() -> h2.add(p2.hist));
            boolean twoNodes = n1 != n2;
            m.put("tracks", trackers.size());
            m.put("tracks_per_s", perS);
            m.put("observer_node1_joins_seen", p1.joins);
            m.put(twoNodes ? "observer_node2_joins_seen" : "second_observer_on_node1_joins_seen", p2.joins);
            m.put("latency_ms_node1_observer", Bench.percentiles(h1, 1000.0));
            m.put(twoNodes ? "latency_ms_node2_observer" : "latency_ms_second_observer_on_node1", Bench.percentiles(h2, 1000.0));
            System.out.printf("%s: %d tracks; node 1 observer saw %d, p50 %.2f p99 %.2f ms; %s observer saw %d, p50 %.2f p99 %.2f ms%n",
                    name, trackers.size(), p1.joins, ms(h1, 50), ms(h1, 99), twoNodes ? "node 2" : "second (node 1)", p2.joins,
                    ms(h2, 50), ms(h2, 99));
        }
        Thread.sleep(1_000);
        return m;
    }

    @SuppressWarnings("unchecked")
    private static Map<String, Object> map(Map<String, Object> m, String key) {
        Object v = m.get(key);
        return v instanceof Map<?, ?> ? (Map<String, Object>) v : Map.of();
    }

    private static double num(Map<String, Object> m, String... path) {
        Object v = m;
        for (String k : path) {
            if (!(v instanceof Map<?, ?> mm)) {
                return Double.NaN;
            }
            v = mm.get(k);
        }
        return v instanceof Number n ? n.doubleValue() : Double.NaN;
    }

    private static String plus(double x, double base) {
        if (Double.isNaN(x) || Double.isNaN(base)) {
            return "n/a";
        }
        return String.format("%+.2f ms", x - base);
    }

    /** The table: one node against the same node and the other node of the pair, and what the bus adds. */
    private static void summarize(Results res, Map<String, Object> a, Map<String, Object> b, int subscribers, int groupSize,
                                  Map<String, Object> pinning) {
        res.row("measure", "A: one node", "B: same node (node 1)", "B: cross node (node 2)", "B against A");
        for (String[] shape : new String[][]{{"groups", "groups of " + groupSize}, {"one_topic", "one topic of " + subscribers}}) {
            Map<String, Object> pa = map(a, shape[0]);
            Map<String, Object> pb = map(b, shape[0]);
            for (String p : new String[]{"p50", "p99"}) {
                double aAll = num(pa, "latency_ms_all", p);
                double same = num(pb, "latency_ms_node1_members", p);
                double cross = num(pb, "latency_ms_node2_members", p);
                res.row(shape[1] + ": broadcast latency " + p + " ms", Results.fmt(aAll), Results.fmt(same), Results.fmt(cross),
                        "cross-node adds " + plus(cross, same) + " to same node, " + plus(cross, aAll) + " to one node");
            }
            double cpuA = num(pa, "node_cpu_us_per_delivery");
            double cpuBoth = num(pb, "nodes_cpu_us_per_delivery");
            res.row(shape[1] + ": server CPU µs/delivery", Results.fmt(cpuA), Results.fmt(num(pb, "node1_cpu_us_per_delivery")),
                    Results.fmt(num(pb, "node2_cpu_us_per_delivery")),
                    "both nodes " + Results.fmt(cpuBoth) + " = " + Results.ratio(cpuBoth, cpuA));
            double netA = num(pa, "node_cpu_us_per_delivery_net_of_idle");
            double netB = num(pb, "nodes_cpu_us_per_delivery_net_of_idle");
            res.row(shape[1] + ": server CPU µs/delivery net of idle", Results.fmt(netA), "", "",
                    "both nodes " + Results.fmt(netB) + " = " + Results.ratio(netB, netA));
            double bcA = num(pa, "node_cpu_us_per_broadcast");
            double bcB = num(pb, "nodes_cpu_us_per_broadcast");
            res.row(shape[1] + ": server CPU µs/broadcast", Results.fmt(bcA), "", "",
                    "both nodes " + Results.fmt(bcB) + " (" + (Double.isNaN(bcA) || Double.isNaN(bcB) ? "n/a"
                            : String.format("%+.1f µs", bcB - bcA)) + ")");
            res.row(shape[1] + ": Redis CPU µs/message, publishes/broadcast", "-",
                    Results.fmt(num(pb, "redis_cpu_us_per_message")) + " µs /proc; " + Results.fmt(num(pb,
                            "redis_rusage_cpu_us_per_message_net_of_idle")) + " µs rusage net of idle; " + Results.fmt(num(pb,
                            "redis_publish_usec_per_call")) + " µs in PUBLISH", String.format("%.3f",
                            num(pb, "bus_publishes_per_broadcast")), "target: 1 publish per broadcast");
            res.row(shape[1] + ": deliveries missing 10 s after / duplicated",
                    String.format("%.0f / %.0f", num(pa, "node1_members", "missing_after_10_s") + num(pa, "second_client_members_on_node1", "missing_after_10_s"),
                            num(pa, "node1_members", "duplicated") + num(pa, "second_client_members_on_node1", "duplicated")),
                    String.format("%.0f / %.0f", num(pb, "node1_members", "missing_after_10_s"), num(pb, "node1_members", "duplicated")),
                    String.format("%.0f / %.0f", num(pb, "node2_members", "missing_after_10_s"), num(pb, "node2_members", "duplicated")),
                    "must be 0 / 0");
        }
        Map<String, Object> ca = map(a, "presence");
        Map<String, Object> cb = map(b, "presence");
        for (String p : new String[]{"p50", "p99"}) {
            double aLat = num(ca, "latency_ms_node1_observer", p);
            double same = num(cb, "latency_ms_node1_observer", p);
            double cross = num(cb, "latency_ms_node2_observer", p);
            res.row("presence_diff join latency " + p + " ms", Results.fmt(aLat), Results.fmt(same), Results.fmt(cross),
                    "cross-node adds " + plus(cross, same) + " to same node");
        }
        res.row("change stream failover time", "n/a (not built)", "n/a (not built)", "n/a (not built)",
                "one replication stream per tenant in the cluster is not built");
        res.row("changes lost / duplicated across failover", "n/a (not built)", "n/a (not built)", "n/a (not built)", "must be 0");
        res.note("on this 2-core machine the servers are on " + pinning.get("servers") + ", Redis on " + pinning.get("redis")
                + ", the load generator on " + pinning.get("load_generator") + ": this measures the bus's overhead (latency "
                + "added, CPU per delivery and per message), not how a cluster scales");
        res.note("publishes per broadcast subtract the nodes' hellos (one a second per node on the cluster's channel); "
                + "the raw count is in the JSON");
    }
}
