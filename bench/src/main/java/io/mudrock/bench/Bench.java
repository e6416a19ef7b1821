package io.mudrock.bench;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import org.HdrHistogram.Histogram;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Consumer;

/**
 * Entry point: {@code Bench wal|latency|fanout|cluster [--key value ...]}, plus the child-process modes
 * the workloads start ({@code drain-jdbc}, {@code debezium}).
 */
public final class Bench {

    private Bench() {
    }

    public static void main(String[] args) throws Exception {
        if (args.length == 0) {
            System.err.println("usage: Bench wal|latency|fanout|cluster [--option value ...]");
            System.exit(2);
        }
        String[] rest = java.util.Arrays.copyOfRange(args, 1, args.length);
        switch (args[0]) {
            case "drain-jdbc" -> JdbcDrain.main(rest);
            case "debezium" -> DebeziumRunner.main(rest);
            case "profile" -> Profiler.main(rest);
            case "wal", "wal-throughput" -> System.exit(new WalThroughput(Options.parse(rest)).run());
            case "latency" -> System.exit(new Latency(Options.parse(rest)).run());
            case "fanout" -> System.exit(new Fanout(Options.parse(rest)).run());
            case "cluster" -> System.exit(new Cluster(Options.parse(rest)).run());
            default -> {
                System.err.println("unknown workload " + args[0]);
                System.exit(2);
            }
        }
    }

    /** {@code --name value} options with defaults; every option is also echoed into the result. */
    public static final class Options {
        private final Map<String, String> values = new LinkedHashMap<>();

        static Options parse(String[] args) {
            Options o = new Options();
            for (int i = 0; i + 1 < args.length; i += 2) {
                if (!args[i].startsWith("--")) {
                    throw new IllegalArgumentException("expected --option, got " + args[i]);
                }
                o.values.put(args[i].substring(2), args[i + 1]);
            }
            return o;
        }

        public String str(String k, String d) {
            return values.getOrDefault(k, d);
        }

        public int integer(String k, int d) {
            return values.containsKey(k) ? Integer.parseInt(values.get(k)) : d;
        }

        public double dbl(String k, double d) {
            return values.containsKey(k) ? Double.parseDouble(values.get(k)) : d;
        }

        public Map<String, String> all() {
            return values;
        }
    }

    /** Common settings of every workload. */
    public static final class Env {
        final Path repo;
        final Path wlp;
        final Path results;
        final Path work;
        final int dbPort;
        final int serverPort;
        final String serverCore;
        final String clientCore;
        final String pgBin;
        final String serverJvmArgs;
        /** {@code --server-env K=V,K=V}: extra environment of our server (e.g. {@code WARMUP_SECONDS=0}). */
        final Map<String, String> serverEnv;
        final int attachPid;
        /** {@code --transports}: the WebSocket transports measured side by side, in this order. */
        final List<String> transports;

        Env(Options o) {
            repo = Path.of(o.str("repo", "..")).toAbsolutePath().normalize();
            wlp = repo.resolve("target/liberty/wlp");
            results = repo.resolve("bench/results");
            work = Path.of(o.str("work-dir", "/tmp/mudrock-bench"));
            dbPort = o.integer("db-port", 54380);
            serverPort = o.integer("server-port", 9380);
            serverCore = o.str("server-core", "0");
            clientCore = o.str("client-core", "1");
            pgBin = o.str("pg-bin", "/usr/lib/postgresql/15/bin");
            serverJvmArgs = o.str("server-jvm-args", "");
            serverEnv = new LinkedHashMap<>();
            for (String pair : o.str("server-env", "").split(",")) {
                int eq = pair.indexOf('=');
                if (eq > 0) {
                    serverEnv.put(pair.substring(0, eq).trim(), pair.substring(eq + 1).trim());
                }
            }
            attachPid = o.integer("attach-pid", 0);
            transports = List.of(o.str("transports", "jakarta,servlet-upgrade").split(","));
        }

        BenchDb startDb() throws IOException {
            System.out.println("starting the benchmark database (PostgreSQL 17, port " + dbPort + ") ...");
            return BenchDb.start(dbPort, work.resolve("pgdata"), work.resolve("pg-binaries"));
        }

        /** Starts our server on the first of {@link #transports}. */
        ServerProcess startServer() throws IOException, InterruptedException {
            return startServer(transports.get(0));
        }

        /** Starts our server with {@code WEBSOCKET_TRANSPORT=transport}. */
        ServerProcess startServer(String transport) throws IOException, InterruptedException {
            if (attachPid != 0) {
                System.out.println("using the running server on port " + serverPort + " (pid " + attachPid + ")");
                return ServerProcess.attach(serverPort, attachPid);
            }
            System.out.println("starting our server (pinned to core " + serverCore + ", port " + serverPort
                    + ", WEBSOCKET_TRANSPORT=" + transport + (serverEnv.isEmpty() ? "" : ", " + serverEnv) + ") ...");
            return ServerProcess.start(wlp, "bench", serverCore, serverPort, dbPort, work.resolve("logs"), serverJvmArgs,
                    transport, serverEnv);
        }
    }

    /** Runs this classpath's main in a child JVM pinned to {@code core}; returns its RESULT json. */
    public static JsonNode child(String core, String heap, Consumer<String> onLine, String... args)
            throws IOException, InterruptedException {
        List<String> cmd = new ArrayList<>(List.of("taskset", "-c", core,
                Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-Xmx" + heap, "-Dorg.slf4j.simpleLogger.defaultLogLevel=warn",
                "-cp", System.getProperty("java.class.path"), Bench.class.getName()));
        cmd.addAll(List.of(args));
        Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
        String result = null;
        List<String> tail = new ArrayList<>();
        try (BufferedReader r = new BufferedReader(new InputStreamReader(p.getInputStream(), StandardCharsets.UTF_8))) {
            String line;
            while ((line = r.readLine()) != null) {
                if (line.startsWith("RESULT ")) {
                    result = line.substring(7);
                } else {
                    if (onLine != null) {
                        onLine.accept(line);
                    }
                    tail.add(line);
                    if (tail.size() > 30) {
                        tail.remove(0);
                    }
                }
            }
        }
        p.waitFor();
        if (result == null) {
            throw new IOException("child " + args[0] + " gave no result (exit " + p.exitValue() + "):\n" + String.join("\n", tail));
        }
        return new ObjectMapper().readTree(result);
    }

    /** p50/p90/p99/p99.9/max of a histogram recorded in µs, as JSON text, in units of {@code div}. */
    public static String percentilesJson(Histogram h, double div) {
        return String.format(java.util.Locale.ROOT,
                "{\"count\":%d,\"p50\":%.3f,\"p90\":%.3f,\"p99\":%.3f,\"p999\":%.3f,\"max\":%.3f,\"mean\":%.3f}",
                h.getTotalCount(), h.getValueAtPercentile(50) / div, h.getValueAtPercentile(90) / div,
                h.getValueAtPercentile(99) / div, h.getValueAtPercentile(99.9) / div, h.getMaxValue() / div,
                h.getMean() / div);
    }

    public static Map<String, Object> percentiles(Histogram h, double div) {
        Map<String, Object> m = new HashMap<>();
        m.put("count", h.getTotalCount());
        m.put("p50", h.getValueAtPercentile(50) / div);
        m.put("p90", h.getValueAtPercentile(90) / div);
        m.put("p99", h.getValueAtPercentile(99) / div);
        m.put("p999", h.getValueAtPercentile(99.9) / div);
        m.put("max", h.getMaxValue() / div);
        m.put("mean", h.getMean() / div);
        return new java.util.TreeMap<>(m);
    }

    public static long epochMicros() {
        java.time.Instant i = java.time.Instant.now();
        return i.getEpochSecond() * 1_000_000L + i.getNano() / 1000;
    }
}
