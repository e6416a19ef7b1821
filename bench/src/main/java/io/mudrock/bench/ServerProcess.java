package io.mudrock.bench;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Our server: the Liberty server {@code bench} that the run scripts create from the repository's
 * own build ({@code mvn package liberty:create liberty:deploy -DserverName=bench}), started with
 * {@code server run} under {@code taskset -c <core>} and pointed at the benchmark database.
 */
public final class ServerProcess implements AutoCloseable {

    public static final String JWT_SECRET = "bench-secret-bench-secret-bench-secret-12";
    public static final String API_JWT_SECRET = "bench-api-secret-bench-api-secret-bench-34";

    private final Process process;
    private final long pid;
    private final int port;
    private final Path log;

    private ServerProcess(Process process, long pid, int port, Path log) {
        this.process = process;
        this.pid = pid;
        this.port = port;
        this.log = log;
    }

    /**
     * Starts the server and waits for /health/ready.
     *
     * @param wlp     the Liberty install (target/liberty/wlp of the repository)
     * @param core    the CPU the server is pinned to
     * @param jvmArgs extra JVM options (BENCH_SERVER_JVM_ARGS), may be empty
     * @param transport the server's WEBSOCKET_TRANSPORT ({@code jakarta} or {@code servlet-upgrade})
     * @param extraEnv  more environment for the server ({@code --server-env}), set last
     */
    public static ServerProcess start(Path wlp, String serverName, String core, int port, int dbPort, Path logDir,
                                      String jvmArgs, String transport, Map<String, String> extraEnv)
            throws IOException, InterruptedException {
        Path script = wlp.resolve("bin/server");
        if (!Files.isExecutable(script) || !Files.isDirectory(wlp.resolve("usr/servers/" + serverName))) {
            throw new IOException("Liberty server '" + serverName + "' not found under " + wlp
                    + " (the run script builds it with: mvn -DskipTests package liberty:create liberty:deploy -DserverName="
                    + serverName + ")");
        }
        Files.createDirectories(logDir);
        Path log = logDir.resolve("server-" + System.currentTimeMillis() + ".log");
        List<String> cmd = new ArrayList<>(List.of("taskset", "-c", core, script.toString(), "run", serverName));
        ProcessBuilder pb = new ProcessBuilder(cmd).redirectErrorStream(true).redirectOutput(log.toFile());
        Map<String, String> env = pb.environment();
        env.put("PORT", Integer.toString(port));
        env.put("DB_HOST", "localhost");
        env.put("DB_PORT", Integer.toString(dbPort));
        env.put("DB_NAME", "postgres");
        env.put("DB_USER", "postgres");
        env.put("DB_PASSWORD", "postgres");
        env.put("JWT_SECRET", JWT_SECRET);
        env.put("API_JWT_SECRET", API_JWT_SECRET);
        env.put("SEED_SELF_HOST", "true");
        env.put("MIGRATE_WELLS", "true");
        env.put("WEBSOCKET_TRANSPORT", transport);
        // Benchmarks measure throughput, not upstream's tenant rate limits; servers that read
        // these limits from the environment get them lifted, others ignore them.
        env.put("BENCH", "true");
        if (jvmArgs != null && !jvmArgs.isBlank()) {
            env.put("JVM_ARGS", jvmArgs);
        }
        env.putAll(extraEnv);
        Process p = pb.start();
        long pid = javaPid(p);
        ServerProcess s = new ServerProcess(p, pid, port, log);
        s.awaitReady(Duration.ofSeconds(240));
        s.liftTenantLimits();
        return s;
    }

    /**
     * Uses a server that is already running (for profiling sessions): nothing is started or
     * stopped; CPU and memory are read from {@code pid}.
     */
    public static ServerProcess attach(int port, long pid) {
        return new ServerProcess(null, pid, port, Path.of("(attached)"));
    }

    private static long javaPid(Process p) throws InterruptedException {
        // `server run` execs java; if a shell stays in between, take its java descendant.
        for (int i = 0; i < 50; i++) {
            Optional<ProcessHandle> java = p.toHandle().descendants()
                    .filter(h -> h.info().command().map(c -> c.endsWith("/java")).orElse(false)).findFirst();
            if (java.isPresent()) {
                return java.get().pid();
            }
            if (ProcessHandle.of(p.pid()).flatMap(h -> h.info().command()).map(c -> c.endsWith("/java")).orElse(false)) {
                return p.pid();
            }
            Thread.sleep(100);
        }
        return p.pid();
    }

    private void awaitReady(Duration timeout) throws IOException, InterruptedException {
        HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();
        long deadline = System.nanoTime() + timeout.toNanos();
        String last = "no answer";
        while (System.nanoTime() < deadline) {
            if (!process.isAlive()) {
                throw new IOException("our server exited during start-up (exit " + process.exitValue() + "); log: " + log
                        + "\n" + tail(40));
            }
            try {
                HttpResponse<String> r = http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + "/health/ready"))
                        .timeout(Duration.ofSeconds(5)).build(), HttpResponse.BodyHandlers.ofString());
                if (r.statusCode() == 200) {
                    return;
                }
                last = r.statusCode() + " " + r.body();
            } catch (IOException e) {
                last = e.toString();
            }
            Thread.sleep(500);
        }
        throw new IOException("our server was not ready within " + timeout.toSeconds() + " s (last: " + last + "); log: " + log
                + "\n" + tail(40));
    }

    /** The limits a benchmark lifts: upstream's defaults (200 users, 100 events/s, ...) would measure the limiter. */
    public static final String BENCH_LIMITS = "{\"tenant\":{\"max_concurrent_users\":100000,\"max_events_per_second\":100000000,"
            + "\"max_bytes_per_second\":1000000000,\"max_joins_per_second\":100000,\"max_channels_per_client\":100,"
            + "\"max_presence_events_per_second\":100000}}";

    /**
     * Lifts the default tenant's rate limits through the admin API ({@code PATCH /api/tenants/realtime-dev},
     * bearer token signed with API_JWT_SECRET), as an operator would for a load test.
     */
    public void liftTenantLimits() throws IOException, InterruptedException {
        HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
        String token = Jwt.hs256(API_JWT_SECRET, "service_role", null, 3600);
        HttpResponse<String> r = http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + "/api/tenants/realtime-dev"))
                .method("PATCH", HttpRequest.BodyPublishers.ofString(BENCH_LIMITS))
                .header("Authorization", "Bearer " + token).header("Content-Type", "application/json")
                .timeout(Duration.ofSeconds(30)).build(), HttpResponse.BodyHandlers.ofString());
        if (r.statusCode() / 100 != 2) {
            System.out.println("warning: could not lift the tenant's limits (PATCH /api/tenants/realtime-dev -> "
                    + r.statusCode() + " " + r.body().replaceAll("\\s+", " ") + "); upstream's defaults apply");
        } else {
            System.out.println("tenant limits lifted for the benchmark: " + BENCH_LIMITS);
        }
    }

    public String tail(int lines) {
        try {
            List<String> all = Files.readAllLines(log);
            return String.join("\n", all.subList(Math.max(0, all.size() - lines), all.size()));
        } catch (IOException e) {
            return "(no log)";
        }
    }

    public long pid() {
        return pid;
    }

    public int port() {
        return port;
    }

    public Path log() {
        return log;
    }

    public double cpuSeconds() {
        return Machine.cpuSeconds(pid);
    }

    public long rssBytes() {
        return Machine.rssBytes(pid);
    }

    public void suspend() throws IOException, InterruptedException {
        signal("STOP");
    }

    public void resume() throws IOException, InterruptedException {
        signal("CONT");
    }

    private void signal(String sig) throws IOException, InterruptedException {
        new ProcessBuilder("kill", "-" + sig, Long.toString(pid)).inheritIO().start().waitFor();
    }

    private static final Pattern HEAP_USED = Pattern.compile("total (\\d+)K, used (\\d+)K");

    /** Java heap in use after a full GC (jcmd GC.run then GC.heap_info), bytes; -1 if unknown. */
    public long heapUsedAfterGc() {
        boolean isJava = ProcessHandle.of(pid).flatMap(h -> h.info().command()).map(c -> c.endsWith("/java")).orElse(false);
        if (!isJava) {
            return -1; // jcmd attaches with SIGQUIT, which would kill anything but a JVM
        }
        try {
            jcmd("GC.run");
            Thread.sleep(500);
            String info = jcmd("GC.heap_info");
            // Serial/Parallel print one line per generation, G1 one for the heap: add them up.
            // (A JVM pinned to one core picks SerialGC by ergonomics.)
            Matcher m = HEAP_USED.matcher(info);
            long used = 0;
            boolean any = false;
            while (m.find()) {
                used += Long.parseLong(m.group(2)) * 1024;
                any = true;
            }
            if (any) {
                return used;
            }
        } catch (Exception e) {
            System.err.println("warning: jcmd failed: " + e);
        }
        return -1;
    }

    private String jcmd(String what) throws IOException, InterruptedException {
        Process p = new ProcessBuilder("jcmd", Long.toString(pid), what).redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes());
        p.waitFor();
        return out;
    }

    @Override
    public void close() {
        if (process == null) {
            return;
        }
        try {
            resume();
        } catch (Exception e) {
            // already running
        }
        ProcessHandle.of(pid).ifPresent(ProcessHandle::destroy);
        process.destroy();
        try {
            if (!process.waitFor(30, java.util.concurrent.TimeUnit.SECONDS)) {
                ProcessHandle.of(pid).ifPresent(ProcessHandle::destroyForcibly);
                process.destroyForcibly();
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
