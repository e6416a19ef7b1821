package io.mudrock.bench;

import java.io.BufferedInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * The cluster benchmark's own Redis: Debian's {@code redis-server} on a free loopback port,
 * without persistence ({@code --save '' --appendonly no}), pinned with {@code taskset}, ended by
 * its own process handle. Its figures ({@code INFO}) are read over a plain RESP socket, so the
 * harness needs no Redis client library.
 */
public final class RedisServer implements AutoCloseable {

    private final Process process;
    private final int port;
    private final Path log;

    private RedisServer(Process process, int port, Path log) {
        this.process = process;
        this.port = port;
        this.log = log;
    }

    /**
     * Starts redis-server and waits until it answers PING.
     *
     * @param binary the redis-server executable (/usr/bin/redis-server)
     * @param core   the CPU list it is pinned to ({@code taskset -c} syntax)
     * @param dir    its working directory (and log)
     */
    public static RedisServer start(String binary, String core, Path dir) throws IOException, InterruptedException {
        Files.createDirectories(dir);
        int port = freePort();
        Path log = dir.resolve("redis-" + port + ".log");
        // taskset execs redis-server, so the process handle is Redis itself and /proc/<pid>/stat is its CPU.
        Process p = new ProcessBuilder("taskset", "-c", core, binary, "--port", Integer.toString(port), "--bind", "127.0.0.1",
                "--save", "", "--appendonly", "no", "--dir", dir.toString())
                .redirectErrorStream(true).redirectOutput(log.toFile()).start();
        RedisServer r = new RedisServer(p, port, log);
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(20);
        String last = "no answer";
        while (System.nanoTime() < deadline) {
            if (!p.isAlive()) {
                throw new IOException("redis-server exited at start (exit " + p.exitValue() + "), log " + log + ":\n"
                        + Files.readString(log));
            }
            try {
                if ("PONG".equals(r.command("PING"))) {
                    return r;
                }
            } catch (IOException e) {
                last = e.toString();
            }
            Thread.sleep(50);
        }
        r.close();
        throw new IOException("redis-server did not answer PING within 20 s (" + last + "), log " + log);
    }

    private static int freePort() throws IOException {
        try (ServerSocket s = new ServerSocket()) {
            s.bind(new InetSocketAddress("127.0.0.1", 0));
            return s.getLocalPort();
        }
    }

    /** @return the URL the servers get as {@code REDIS_URL} */
    public String url() {
        return "redis://127.0.0.1:" + port + "/0";
    }

    public int port() {
        return port;
    }

    public long pid() {
        return process.pid();
    }

    public Path log() {
        return log;
    }

    /** @return user+system CPU seconds redis-server has used so far */
    public double cpuSeconds() {
        return Machine.cpuSeconds(process.pid());
    }

    /**
     * The {@code key:value} lines of {@code INFO section}; for {@code commandstats} the values are
     * the {@code calls=...,usec=...} strings.
     */
    public Map<String, String> info(String section) throws IOException {
        Map<String, String> m = new LinkedHashMap<>();
        for (String line : command("INFO", section).split("\r\n")) {
            int colon = line.indexOf(':');
            if (colon > 0 && !line.startsWith("#")) {
                m.put(line.substring(0, colon), line.substring(colon + 1));
            }
        }
        return m;
    }

    /** Calls of one command so far, from {@code INFO commandstats} (0 before its first call). */
    public long calls(String command) throws IOException {
        String stat = info("commandstats").get("cmdstat_" + command);
        if (stat == null) {
            return 0;
        }
        for (String part : stat.split(",")) {
            if (part.startsWith("calls=")) {
                return Long.parseLong(part.substring(6));
            }
        }
        return 0;
    }

    /**
     * User+system CPU seconds from Redis's own {@code INFO cpu} (getrusage, microseconds): finer
     * than /proc's 10 ms ticks, which a few messages a second never fill.
     */
    public double rusageCpuSeconds() throws IOException {
        Map<String, String> cpu = info("cpu");
        return Double.parseDouble(cpu.get("used_cpu_user").trim()) + Double.parseDouble(cpu.get("used_cpu_sys").trim());
    }

    /** Microseconds spent in one command so far, from {@code INFO commandstats} (0 before its first call). */
    public long usec(String command) throws IOException {
        String stat = info("commandstats").get("cmdstat_" + command);
        if (stat == null) {
            return 0;
        }
        for (String part : stat.split(",")) {
            if (part.startsWith("usec=")) {
                return Long.parseLong(part.substring(5));
            }
        }
        return 0;
    }

    /** One numeric field of {@code INFO stats}, e.g. {@code total_net_input_bytes}. */
    public long stat(String field) throws IOException {
        String v = info("stats").get(field);
        return v == null ? -1 : Long.parseLong(v.trim());
    }

    /** Sends one command on a fresh connection and returns its simple, integer or bulk reply as text. */
    String command(String... args) throws IOException {
        try (Socket s = new Socket()) {
            s.connect(new InetSocketAddress("127.0.0.1", port), 2000);
            s.setSoTimeout(5000);
            OutputStream out = s.getOutputStream();
            StringBuilder req = new StringBuilder("*").append(args.length).append("\r\n");
            for (String a : args) {
                req.append('$').append(a.getBytes(StandardCharsets.UTF_8).length).append("\r\n").append(a).append("\r\n");
            }
            out.write(req.toString().getBytes(StandardCharsets.UTF_8));
            out.flush();
            InputStream in = new BufferedInputStream(s.getInputStream());
            String head = line(in);
            switch (head.charAt(0)) {
                case '+', ':' -> {
                    return head.substring(1);
                }
                case '$' -> {
                    int len = Integer.parseInt(head.substring(1));
                    if (len < 0) {
                        return null;
                    }
                    byte[] body = in.readNBytes(len);
                    return new String(body, StandardCharsets.UTF_8);
                }
                default -> throw new IOException("redis answered " + head);
            }
        }
    }

    private static String line(InputStream in) throws IOException {
        ByteArrayOutputStream b = new ByteArrayOutputStream();
        int c;
        while ((c = in.read()) >= 0) {
            if (c == '\r') {
                in.read(); // the \n that follows
                break;
            }
            b.write(c);
        }
        if (b.size() == 0) {
            throw new IOException("redis closed the connection");
        }
        return b.toString(StandardCharsets.UTF_8);
    }

    /** Stops redis-server through its own handle: SIGTERM, then SIGKILL after 10 s. */
    @Override
    public void close() {
        process.destroy();
        try {
            if (!process.waitFor(10, TimeUnit.SECONDS)) {
                process.destroyForcibly();
                process.waitFor(10, TimeUnit.SECONDS);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            process.destroyForcibly();
        }
    }

    /** @return the last lines of its log, for error messages */
    public String tail(int lines) {
        try {
            List<String> all = Files.readAllLines(log);
            return String.join("\n", all.subList(Math.max(0, all.size() - lines), all.size()));
        } catch (IOException e) {
            return "(no log)";
        }
    }
}
