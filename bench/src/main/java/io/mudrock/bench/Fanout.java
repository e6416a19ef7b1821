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
 * Workload 3 — broadcast fan-out and connection scale. Our NIO client opens N WebSocket
 * connections (spread over loopback source addresses), each joined to one channel, and senders
 * broadcast as realtime-js does (binary kind 3, {@code self:false}) at a paced delivery rate:
 * <ol>
 *   <li>groups of 6 at N connections (one sender per group, 5 receivers per broadcast);</li>
 *   <li>the same groups grown to the scale count (19,000 by default) — memory per connection;</li>
 *   <li>one channel of everyone at N connections (one sender, N-1 receivers per broadcast).</li>
 * </ol>
 * Printed: deliveries/s, latency percentiles (send to receipt, same client clock), server CPU
 * seconds per delivery from /proc/&lt;pid&gt;/stat, server RSS and heap per connection, and
 * connect+join rate.
 */
public final class Fanout {

    private final Bench.Options o;
    private final Bench.Env env;

    private static final byte[] BT = "\"bt\":".getBytes(StandardCharsets.US_ASCII);

    // recorded on the client loop thread only
    private Histogram hist = new Histogram(TimeUnit.SECONDS.toMicros(60), 3);
    private volatile boolean recording;
    private volatile long deliveries;
    private volatile long deliveriesAll;
    private volatile long lastDeliveryNanos;
    private volatile long otherFrames;
    private volatile String otherSample;

    public Fanout(Bench.Options o) {
        this.o = o;
        this.env = new Bench.Env(o);
    }

    public int run() throws Exception {
        Results res = new Results("fanout", o.str("command", "bench/run-fanout.sh"));
        res.put("options", o.all());
        res.put("reference", Map.of(
                "supabase_published", "32,000 users / 224,000 msgs/s on a 2-6 node cluster, p50 6 ms, p99 213 ms",
                "supabase_based_service_2vcpu_4gb", "at most 20,000 connections recommended",
                "target", "19,000 joined connections with RSS <= 1.5 GB; <= 5 µs server CPU per delivery; "
                        + "p99 <= 50 ms at 10,000 connections and 100,000 deliveries/s"));
        res.row("phase", "connections", "deliveries/s", "p50 ms", "p99 ms", "p99.9 ms", "max ms", "server CPU µs/delivery",
                "not in 10 s after", "reference / target");
        List<Map<String, Object>> phases = new ArrayList<>();
        res.put("phases", phases);
        Map<String, Object> memoryByTransport = new LinkedHashMap<>();
        res.put("memory", memoryByTransport);
        res.put("transports", env.transports);

        try (BenchDb db = env.startDb()) {
            for (String transport : env.transports) {
                Map<String, Object> memory = new LinkedHashMap<>();
                memoryByTransport.put(transport, memory);
                if (!runOn(transport, res, phases, memory)) {
                    res.finish(env.results);
                    return 1;
                }
                Thread.sleep(3000);
            }
        }
        res.finish(env.results);
        return 0;
    }

    /** Every phase on one transport, with its own server; false when the first phase could not even connect. */
    private boolean runOn(String transport, Results res, List<Map<String, Object>> phases, Map<String, Object> memory)
            throws Exception {
        int n = o.integer("connections", 10_000);
        int scale = o.integer("scale-connections", 19_000);
        int groupSize = o.integer("group-size", 6);
        double rate = o.dbl("deliveries-per-s", 100_000);
        int seconds = o.integer("duration-s", 20);
        int warmup = o.integer("warmup-s", 5);
        int inFlight = o.integer("in-flight", 200);
        int perSource = o.integer("per-source", 2_500);
        boolean binary = !o.str("broadcast-format", "binary").equals("text");
        String label = "[" + transport + "] ";
        try (ServerProcess server = env.startServer(transport)) {
            res.put("server_log_" + transport, server.log().toString());
            String token = Jwt.hs256(ServerProcess.JWT_SECRET, "anon", null, 24 * 3600);
            String join = Subscriber.broadcastJoin(token);
            long rss0 = server.rssBytes();
            long heap0 = server.heapUsedAfterGc();
            memory.put("idle_rss_mb", rss0 / 1e6);
            memory.put("idle_heap_mb", heap0 / 1e6);

            // ---- groups of 6 ----
            WsClient client = newClient(perSource, 0);
            try {
                String problem = connect(client, n, inFlight, i -> "realtime:g" + (i / groupSize), join, res, transport + " groups");
                if (problem != null) {
                    res.note(transport + ": fan-out not measured: " + problem);
                    return false;
                }
                memoryAt(server, n, rss0, heap0, memory, "at_" + n);
                phases.add(phase(res, server, client, label + "groups of " + groupSize, n, groupSize, rate, warmup, seconds, binary,
                        "p99 <= 50 ms at 10k conns / 100k deliveries/s; <= 5 µs CPU"));
                if (scale > n) {
                    String p2 = connect(client, scale - n, inFlight, i -> "realtime:g" + (i / groupSize), join, res, transport + " scale");
                    if (p2 != null) {
                        res.note(transport + ": scale step: " + p2);
                    }
                    Map<String, Object> m = memoryAt(server, client.joinedCount(), rss0, heap0, memory, "at_" + scale);
                    res.note(String.format(label + "at %,d joined connections: server RSS %.0f MB (target <= 1,536 MB), heap after GC %.0f MB, "
                                    + "%.1f KB RSS and %.1f KB heap per connection; projected RSS at 32,000: %.0f MB, at 100,000: %.0f MB",
                            client.joinedCount(), (double) m.get("rss_mb"), (double) m.get("heap_mb"),
                            (double) m.get("rss_kb_per_conn"), (double) m.get("heap_kb_per_conn"),
                            (rss0 + 32_000 * (double) m.get("rss_kb_per_conn") * 1024) / 1e6,
                            (rss0 + 100_000 * (double) m.get("rss_kb_per_conn") * 1024) / 1e6));
                    phases.add(phase(res, server, client, label + "groups of " + groupSize, client.joinedCount(), groupSize, rate,
                            warmup, seconds, binary, "scale: 19,000 joined, RSS <= 1.5 GB"));
                }
            } finally {
                client.close();
            }
            Thread.sleep(3000);

            // ---- one channel of everyone ----
            WsClient all = newClient(perSource, 8);
            try {
                String problem = connect(all, n, inFlight, i -> "realtime:everyone", join, res, transport + " everyone");
                if (problem != null) {
                    res.note(transport + ": one-channel phase not measured: " + problem);
                } else {
                    phases.add(phase(res, server, all, label + "one channel of everyone", n, n, rate, warmup, seconds, binary,
                            "Supabase: p50 6 ms, p99 213 ms"));
                }
            } finally {
                all.close();
            }
        }
        return true;
    }

    private WsClient newClient(int perSource, int sourceOffset) throws IOException {
        // sourceOffset moves a later client to fresh source addresses (ports of closed sockets linger in TIME_WAIT)
        return new WsClient("127.0.0.1", env.serverPort, Subscriber.socketPath(), 64, sourceOffset, perSource, this::onFrame);
    }

    private void onFrame(WsClient.Conn c, boolean binary, ByteBuffer b, int pos, int len) {
        long bt = WsClient.longAfter(b, pos, pos + len, BT);
        if (bt < 0) {
            otherFrames++;
            if (otherSample == null || otherFrames % 1000 == 0) {
                otherSample = (binary ? "binary: " : "text: ") + WsClient.ascii(b, pos, Math.min(len, 300));
            }
            return;
        }
        long now = System.nanoTime();
        deliveriesAll++;
        lastDeliveryNanos = now;
        if (recording) {
            deliveries++;
            hist.recordValue(Math.min(hist.getHighestTrackableValue(), Math.max(0, (now - bt) / 1000)));
        }
    }

    private String connect(WsClient client, int count, int inFlight, java.util.function.IntFunction<String> topic,
                           String join, Results res, String label) throws InterruptedException {
        int before = client.joinedCount();
        int startIdx = client.conns().size();
        long t0 = System.nanoTime();
        client.openAndJoin(count, inFlight, topic, i -> join, TimeUnit.MINUTES.toMillis(10));
        double s = (System.nanoTime() - t0) / 1e9;
        int joined = client.joinedCount() - before;
        Histogram h = new Histogram(TimeUnit.MINUTES.toMicros(10), 3);
        List<WsClient.Conn> conns = client.conns();
        for (int i = startIdx; i < conns.size(); i++) {
            WsClient.Conn c = conns.get(i);
            if (c.state() == WsClient.JOINED) {
                h.recordValue(c.connectJoinNanos() / 1000);
            }
        }
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("requested", count);
        m.put("joined", joined);
        m.put("failed", count - joined);
        m.put("seconds", s);
        m.put("connect_join_per_s", joined / s);
        m.put("connect_to_join_ms", Bench.percentiles(h, 1000.0));
        m.put("in_flight", inFlight);
        m.put("last_failure", client.lastFailure());
        res.put("connect_" + label.replace(' ', '_') + "_" + count, m);
        System.out.printf("connect+join (%s): %,d of %,d joined in %.1f s = %,.0f/s (p50 %.1f ms, p99 %.1f ms per connection)%s%n",
                label, joined, count, s, joined / s, h.getValueAtPercentile(50) / 1000.0, h.getValueAtPercentile(99) / 1000.0,
                joined < count ? "; last failure: " + client.lastFailure() : "");
        if (joined == 0) {
            return "no connection joined (" + client.lastFailure() + ") - the socket endpoint or joins have not landed yet";
        }
        if (joined < count) {
            res.note(String.format("%s: %,d of %,d connections joined; last failure: %s", label, joined, count,
                    client.lastFailure()));
        }
        return null;
    }

    private Map<String, Object> memoryAt(ServerProcess server, int conns, long rss0, long heap0,
                                         Map<String, Object> memory, String key) {
        long rss = server.rssBytes();
        long heap = server.heapUsedAfterGc();
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("connections", conns);
        m.put("rss_mb", rss / 1e6);
        m.put("heap_mb", heap / 1e6);
        m.put("rss_kb_per_conn", (rss - rss0) / 1024.0 / conns);
        m.put("heap_kb_per_conn", (heap - heap0) / 1024.0 / conns);
        m.put("server_threads", Machine.threads(server.pid()));
        m.put("server_open_files", Machine.openFiles(server.pid()));
        memory.put(key, m);
        System.out.printf("server at %,d connections: RSS %.0f MB, heap after GC %.0f MB (%.1f KB RSS, %.1f KB heap per connection), "
                        + "%d threads, %d open files%n", conns, rss / 1e6, heap / 1e6, (rss - rss0) / 1024.0 / conns,
                (heap - heap0) / 1024.0 / conns, Machine.threads(server.pid()), Machine.openFiles(server.pid()));
        return m;
    }

    /**
     * Paced broadcast phase: warm-up, then {@code seconds} recorded. Senders are the first member
     * of each group (topic index / groupSize); each broadcast reaches the other members.
     */
    private Map<String, Object> phase(Results res, ServerProcess server, WsClient client, String name, int conns,
                                      int groupSize, double deliveriesPerS, int warmupS, int seconds, boolean binary,
                                      String reference) throws Exception {
        List<WsClient.Conn> senders = new ArrayList<>();
        List<Integer> receiversPer = new ArrayList<>();
        List<WsClient.Conn> all = client.conns();
        int live = 0;
        Map<String, Integer> members = new LinkedHashMap<>();
        Map<String, WsClient.Conn> first = new LinkedHashMap<>();
        for (WsClient.Conn c : all) {
            if (c.state() == WsClient.JOINED) {
                live++;
                members.merge(c.topic(), 1, Integer::sum);
                first.putIfAbsent(c.topic(), c);
            }
        }
        for (Map.Entry<String, WsClient.Conn> e : first.entrySet()) {
            int m = members.get(e.getKey());
            if (m >= 2) {
                senders.add(e.getValue());
                receiversPer.add(m - 1);
            }
        }
        long receiversTotal = 0;
        for (int r : receiversPer) {
            receiversTotal += r;
        }
        double perBroadcast = receiversTotal / (double) senders.size();
        double broadcastsPerS = deliveriesPerS / perBroadcast;
        System.out.printf("%n-- phase: %s, %,d joined connections, %,d senders, %.1f receivers per broadcast, %,.0f broadcasts/s "
                + "for %,.0f deliveries/s (%d s warm-up + %d s)%n", name, live, senders.size(), perBroadcast, broadcastsPerS,
                deliveriesPerS, warmupS, seconds);

        long[] sent = {0};
        long[] expected = {0};
        long[] recordedSent = {0};
        int[] cursor = {0};
        long start = System.nanoTime();
        long[] recordStart = {0};
        long endNanos = start + TimeUnit.SECONDS.toNanos(warmupS + seconds);
        client.executeAndWait(() -> {
            hist = new Histogram(TimeUnit.SECONDS.toMicros(60), 3);
            deliveries = 0;
            recording = false;
        });
        Profiler prof = new Profiler(server, env.work.resolve("profiles"), "fanout-" + name + "-" + live,
                !o.str("profile", "on").equals("off"));
        prof.start();
        client.setTick(() -> {
            long now = System.nanoTime();
            if (now >= endNanos) {
                return;
            }
            if (!recording && now - start >= TimeUnit.SECONDS.toNanos(warmupS)) {
                recording = true;
                recordStart[0] = now;
                recordedSent[0] = 0;
            }
            long due = (long) ((now - start) / 1e9 * broadcastsPerS) - sent[0];
            for (long i = 0; i < Math.min(due, 5_000); i++) {
                int k = cursor[0]++ % senders.size();
                WsClient.Conn s = senders.get(k);
                if (s.state() != WsClient.JOINED) {
                    continue;
                }
                sendBroadcast(client, s, binary);
                sent[0]++;
                if (recording) {
                    recordedSent[0]++;
                    expected[0] += receiversPer.get(k);
                }
            }
        });
        double cpu0 = Double.NaN;
        double clientCpu0 = Double.NaN;
        long self = ProcessHandle.current().pid();
        while (System.nanoTime() < endNanos) {
            if (Double.isNaN(cpu0) && recording) {
                cpu0 = server.cpuSeconds();
                clientCpu0 = Machine.cpuSeconds(self);
            }
            Thread.sleep(5);
        }
        double cpu1 = server.cpuSeconds();
        long deliveredAtEnd = deliveries;
        long recEnd = System.nanoTime();
        client.setTick(null);
        // let in-flight deliveries arrive (they still count, with their real latency)
        long waitUntil = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        long last = -1;
        while (System.nanoTime() < waitUntil) {
            Thread.sleep(200);
            long d = deliveries;
            if (d >= expected[0] || d == last) {
                break;
            }
            last = d;
        }
        double cpu2 = server.cpuSeconds();
        double clientCpu2 = Machine.cpuSeconds(self);
        Map<String, Object> profile = prof.stop();
        recording = false;
        Histogram h = new Histogram(TimeUnit.SECONDS.toMicros(60), 3);
        client.executeAndWait(() -> h.add(hist));
        long delivered = deliveries;
        double window = (recEnd - recordStart[0]) / 1e9;
        double achieved = deliveredAtEnd / window;
        double cpuPer = (cpu2 - cpu0) / delivered * 1e6;
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("phase", name);
        m.put("connections", live);
        m.put("senders", senders.size());
        m.put("receivers_per_broadcast", perBroadcast);
        m.put("target_deliveries_per_s", deliveriesPerS);
        m.put("broadcasts_sent_recorded", recordedSent[0]);
        m.put("deliveries_expected", expected[0]);
        m.put("deliveries_received", delivered);
        m.put("deliveries_not_in_10_s_after_window", Math.max(0, expected[0] - delivered));
        m.put("deliveries_per_s", achieved);
        m.put("window_s", window);
        m.put("latency_ms", Bench.percentiles(h, 1000.0));
        m.put("server_cpu_s", cpu2 - cpu0);
        m.put("server_cpu_s_during_window", cpu1 - cpu0);
        m.put("server_cpu_us_per_delivery", cpuPer);
        m.put("server_cpu_utilisation", (cpu1 - cpu0) / window);
        m.put("server_rss_mb", server.rssBytes() / 1e6);
        m.put("client_still_joined", client.joinedCount());
        m.put("client_cpu_us_per_delivery", (clientCpu2 - clientCpu0) / delivered * 1e6);
        m.put("other_frames_received", otherFrames);
        m.put("other_frame_sample", otherSample);
        if (delivered == 0 && otherSample != null) {
            System.out.println("no broadcast arrived; " + otherFrames + " other frames, e.g. " + otherSample);
        }
        m.put("profile", profile);
        m.put("format", binary ? "binary kind 3 in, as sent by realtime-js" : "JSON text");
        System.out.printf("%s @ %,d conns: %,.0f deliveries/s (target %,.0f), latency p50 %.2f ms p99 %.2f ms p99.9 %.2f ms max %.1f ms, "
                        + "server CPU %.2f µs/delivery (%.0f%% of its core; client %.2f µs), not in 10 s after the window %,d of %,d%n",
                name, live, achieved, deliveriesPerS, h.getValueAtPercentile(50) / 1000.0, h.getValueAtPercentile(99) / 1000.0,
                h.getValueAtPercentile(99.9) / 1000.0, h.getMaxValue() / 1000.0, cpuPer, 100 * (cpu1 - cpu0) / window,
                (clientCpu2 - clientCpu0) / delivered * 1e6, Math.max(0, expected[0] - delivered), expected[0]);
        Profiler.print(name + " @ " + live, profile);
        res.row(name, String.format("%,d", live), Results.fmt(achieved), Results.fmt(h.getValueAtPercentile(50) / 1000.0),
                Results.fmt(h.getValueAtPercentile(99) / 1000.0), Results.fmt(h.getValueAtPercentile(99.9) / 1000.0),
                Results.fmt(h.getMaxValue() / 1000.0), Results.fmt(cpuPer),
                String.format("%,d", Math.max(0, expected[0] - delivered)), reference);
        return m;
    }

    private static void sendBroadcast(WsClient client, WsClient.Conn c, boolean binary) {
        String payload = "{\"bt\":" + System.nanoTime() + "}";
        String r = c.nextRef();
        if (!binary) {
            client.sendText(c, ("[\"1\",\"" + r + "\",\"" + c.topic() + "\",\"broadcast\",{\"type\":\"broadcast\",\"event\":\"b\","
                    + "\"payload\":" + payload + "}]").getBytes(StandardCharsets.UTF_8));
            return;
        }
        byte[] jr = "1".getBytes(StandardCharsets.US_ASCII);
        byte[] rb = r.getBytes(StandardCharsets.US_ASCII);
        byte[] topic = c.topic().getBytes(StandardCharsets.UTF_8);
        byte[] event = "b".getBytes(StandardCharsets.US_ASCII);
        byte[] p = payload.getBytes(StandardCharsets.US_ASCII);
        ByteBuffer f = ByteBuffer.allocate(7 + jr.length + rb.length + topic.length + event.length + p.length);
        f.put((byte) 3).put((byte) jr.length).put((byte) rb.length).put((byte) topic.length).put((byte) event.length)
                .put((byte) 0).put((byte) 1).put(jr).put(rb).put(topic).put(event).put(p);
        client.sendBinary(c, f.array());
    }
}
