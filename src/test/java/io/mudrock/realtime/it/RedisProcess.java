package io.mudrock.realtime.it;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * A {@code redis-server} that a test owns: on a free port of the loopback interface, with nothing
 * persisted ({@code --save '' --appendonly no}), so every start is an empty Redis. A test may kill
 * it with SIGKILL (what a crashed or partitioned Redis looks like to the nodes) and start it again
 * on the same port, so the nodes' configured {@code REDIS_URL} stays valid. It is ended through its
 * own process handle, never by name.
 */
final class RedisProcess implements AutoCloseable {

    private static final Duration START_DEADLINE = Duration.ofSeconds(20);

    private final Path binary;
    private final Path dir;
    private final int port;
    private Process process;
    private int starts;

    private RedisProcess(Path binary, Path dir, int port) {
        this.binary = binary;
        this.dir = dir;
        this.port = port;
    }

    /** @return Debian's {@code redis-server} ({@code REDIS_SERVER} names another), after checking it is there */
    static Path binary() {
        Path redis = Path.of(System.getenv().getOrDefault("REDIS_SERVER", "/usr/bin/redis-server"));
        assertTrue(Files.isExecutable(redis), redis + " is missing: apt-get install redis-server (.ci/run does)");
        return redis;
    }

    /**
     * Starts a Redis on a free port and waits until it answers PING.
     *
     * @param dir where its working folder and logs go
     */
    static RedisProcess start(Path dir) throws IOException, InterruptedException {
        Files.createDirectories(dir);
        int port;
        try (ServerSocket socket = new ServerSocket(0)) {
            port = socket.getLocalPort();
        } // released before Redis binds it
        RedisProcess redis = new RedisProcess(binary(), Files.createTempDirectory(dir, "redis"), port);
        redis.launch();
        return redis;
    }

    /** @return the port it listens on, the same across restarts */
    int port() {
        return port;
    }

    /** @return {@code redis://127.0.0.1:<port>/0}, the nodes' {@code REDIS_URL} */
    String url() {
        return "redis://127.0.0.1:" + port + "/0";
    }

    /** @return whether it runs now */
    synchronized boolean alive() {
        return process != null && process.isAlive();
    }

    /** Ends it with SIGKILL, as a crash would, and waits until the process is gone. */
    synchronized void kill() throws InterruptedException {
        if (process != null) {
            process.destroyForcibly();
            if (!process.waitFor(10, TimeUnit.SECONDS)) {
                throw new AssertionError("redis-server (pid " + process.pid() + ") survived SIGKILL for 10 s");
            }
            process = null;
        }
    }

    /** Starts it again on the same port (empty: nothing was persisted) and waits until it answers PING. */
    synchronized void restart() throws IOException, InterruptedException {
        kill();
        launch();
    }

    /** @return whether it answers PING with PONG right now */
    boolean ping() {
        try (Socket socket = new Socket()) {
            socket.connect(new InetSocketAddress(InetAddress.getLoopbackAddress(), port), 1000);
            socket.setSoTimeout(1000);
            OutputStream out = socket.getOutputStream();
            out.write("*1\r\n$4\r\nPING\r\n".getBytes(StandardCharsets.US_ASCII));
            out.flush();
            InputStream in = socket.getInputStream();
            byte[] answer = in.readNBytes(7);
            return "+PONG\r\n".equals(new String(answer, StandardCharsets.US_ASCII));
        } catch (IOException e) {
            return false;
        }
    }

    private synchronized void launch() throws IOException, InterruptedException {
        starts++;
        Path log = dir.resolve("redis-" + starts + ".log");
        // Loopback only and no protected mode change needed: the nodes connect over 127.0.0.1.
        ProcessBuilder builder = new ProcessBuilder(List.of(binary.toString(),
                "--port", Integer.toString(port), "--bind", "127.0.0.1",
                "--save", "", "--appendonly", "no", "--dir", dir.toString(), "--daemonize", "no"))
                .redirectErrorStream(true)
                .redirectOutput(log.toFile());
        Process started = builder.start();
        process = started;
        try {
            // An exited process ends the wait at once; the check below says why.
            Await.until("redis-server answering PING on port " + port, START_DEADLINE, () -> !started.isAlive() || ping());
        } catch (AssertionError e) {
            kill();
            throw new AssertionError(e.getMessage() + "; log " + log + ":\n" + Files.readString(log), e.getCause());
        }
        if (!started.isAlive()) {
            process = null;
            throw new IOException("redis-server exited with " + started.exitValue() + "; log " + log + ":\n" + Files.readString(log));
        }
    }

    @Override
    public synchronized void close() {
        try {
            kill();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
