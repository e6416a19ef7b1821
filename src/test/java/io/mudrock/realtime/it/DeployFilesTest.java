package io.mudrock.realtime.it;

import io.mudrock.realtime.config.ConfigLoader;
import io.mudrock.realtime.config.RealtimeConfig;
import io.mudrock.realtime.demo.DemoSettings;
import io.mudrock.realtime.tenant.HostResolution;
import io.mudrock.realtime.tenant.KnownTenants;
import io.mudrock.realtime.tenant.TenantHostResolver;
import jakarta.servlet.annotation.WebServlet;
import jakarta.websocket.server.ServerEndpoint;
import jakarta.ws.rs.ApplicationPath;
import jakarta.ws.rs.Path;
import org.eclipse.microprofile.health.Liveness;
import org.eclipse.microprofile.health.Readiness;
import org.eclipse.microprofile.health.Startup;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.yaml.snakeyaml.Yaml;

import java.io.IOException;
import java.lang.annotation.Annotation;
import java.net.URI;
import java.nio.file.Files;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;
import java.util.function.Function;
import java.util.function.Predicate;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The files in {@code deploy/} agree with the server, checked without Docker (these machines have
 * no engine): every variable they pass is one the server reads and accepts, every port is the one
 * the server listens on, every health URL is a probe it has, and every path Kong forwards to is one
 * it serves. "What the server reads" is recorded from the configuration loaders themselves, and
 * "what it serves" from the annotations of the compiled classes, so neither list is kept by hand.
 * Both deployments run two replicas sharing one Redis: each replica's {@code REDIS_URL} must name
 * that Redis, and Kong must spread requests over every replica without stickiness.
 *
 * <p>Parses YAML with SnakeYAML, which Liquibase already brings.
 */
class DeployFilesTest {

    private static final java.nio.file.Path ROOT = TestServer.baseDir();
    private static final java.nio.file.Path DEPLOY = ROOT.resolve("deploy");
    private static final Pattern REFERENCE = Pattern.compile("\\$\\{([A-Z0-9_]+)}");
    /** The compose services built from this Dockerfile are the server's replicas. */
    private static final String SERVER_DOCKERFILE = "deploy/Dockerfile";
    private static final String REDIS_SERVICE = "redis";
    private static final int REDIS_DEFAULT_PORT = 6379;
    /** The Redis images the cluster is known to work with (issue 11: Redis 7.0 and Valkey). */
    private static final Pattern REDIS_IMAGE = Pattern.compile("(redis:7|valkey/valkey:8)(\\.[0-9.]+)?(-[a-z0-9]+)?");

    private static Map<String, Object> compose;
    private static Map<String, Object> kong;
    private static Map<String, String> envExample;
    private static String dockerfile;

    @BeforeAll
    static void parse() throws IOException {
        compose = yaml("docker-compose.yml");
        kong = yaml("kong.yml");
        envExample = new LinkedHashMap<>();
        for (String line : Files.readAllLines(DEPLOY.resolve(".env.example"))) {
            String trimmed = line.trim();
            if (!trimmed.isEmpty() && !trimmed.startsWith("#")) {
                int eq = trimmed.indexOf('=');
                envExample.put(trimmed.substring(0, eq), trimmed.substring(eq + 1));
            }
        }
        dockerfile = Files.readString(DEPLOY.resolve("Dockerfile"));
    }

    // ---- variables -------------------------------------------------------------------------

    @Test
    void composePassesOnlyVariablesTheServerReadsAndAccepts() {
        for (String replica : serverReplicas()) {
            assertOnlyReadVariables("compose service '" + replica + "'", composeServerEnvironment(replica));
        }
    }

    @Test
    void kubernetesPassesOnlyVariablesTheServerReadsAndAccepts() throws IOException {
        assertOnlyReadVariables("Kubernetes ConfigMap and Secret", kubernetesEnvironment());
        Map<String, Object> container = serverContainer();
        List<String> sources = list(container, "envFrom").stream()
                .map(source -> (String) map(source, source.containsKey("configMapRef") ? "configMapRef" : "secretRef").get("name"))
                .toList();
        assertEquals(List.of("mudrock-realtime", "mudrock-realtime"), sources);
        assertEquals("mudrock-realtime", map(kubernetes("configmap.yaml"), "metadata").get("name"));
        assertEquals("mudrock-realtime", map(kubernetes("secret.example.yaml"), "metadata").get("name"));
    }

    @Test
    void composeReferencesOnlyVariablesOfTheEnvExampleAndUsesAllOfThem() throws IOException {
        Set<String> referenced = references(Files.readString(DEPLOY.resolve("docker-compose.yml")));
        assertEquals(new TreeSet<>(envExample.keySet()), referenced,
                "deploy/.env.example defines exactly the variables docker-compose.yml references");
        Set<String> kongReferences = references(Files.readString(DEPLOY.resolve("kong.yml")));
        assertTrue(strings(map(service("kong"), "environment")).keySet().containsAll(kongReferences),
                "kong.yml's " + kongReferences + " reach the Kong container's environment, where its entrypoint expands them");
    }

    // ---- ports -----------------------------------------------------------------------------

    @Test
    void everyPortIsTheOneTheServerListensOn() throws IOException {
        int port = serverPort();
        Set<String> hostPorts = new TreeSet<>();
        for (String replica : serverReplicas()) {
            assertEquals(port, load(composeServerEnvironment(replica)).port(), replica + " PORT");
            List<String> ports = values(service(replica), "ports");
            assertEquals(1, ports.size(), replica);
            assertTrue(ports.get(0).endsWith(":" + port), replica + " publishes the container's port " + port + ": " + ports);
            hostPorts.add(ports.get(0).substring(0, ports.get(0).lastIndexOf(':')));
            assertEquals(port, URI.create(composeHealthUrl(replica)).getPort(), replica + " health check");
        }
        assertEquals(serverReplicas().size(), hostPorts.size(), "each replica publishes its own host port: " + hostPorts);
        assertTrue(dockerfile.contains("\nENV PORT=" + port + "\n") && dockerfile.contains("\nEXPOSE " + port + "\n"), "Dockerfile");
        for (Map<String, Object> kongService : kongServices()) {
            assertEquals(port, URI.create((String) kongService.get("url")).getPort(), "Kong service " + kongService.get("name"));
            for (KongDestination destination : kongDestinations(kongService)) {
                assertEquals(port, destination.port(), "Kong service " + kongService.get("name") + " reaches " + destination);
            }
        }

        assertEquals(port, load(kubernetesEnvironment()).port(), "Kubernetes PORT");
        Map<String, Object> containerPort = list(serverContainer(), "ports").get(0);
        assertEquals(port, containerPort.get("containerPort"));
        Map<String, Object> servicePort = list(map(kubernetes("service.yaml"), "spec"), "ports").get(0);
        assertEquals(containerPort.get("name"), servicePort.get("targetPort"), "the Service targets the container's named port");

        String serverXml = Files.readString(ROOT.resolve("src/main/liberty/config/server.xml"));
        assertTrue(serverXml.contains("httpPort=\"${PORT}\""), "Liberty binds PORT");
    }

    // ---- health ----------------------------------------------------------------------------

    @Test
    void healthUrlsAreProbesTheServerHas() throws Exception {
        Map<String, Class<? extends Annotation>> probes = Map.of(
                "/health/live", Liveness.class, "/health/ready", Readiness.class, "/health/started", Startup.class);
        String serverXml = Files.readString(ROOT.resolve("src/main/liberty/config/server.xml"));
        assertTrue(serverXml.matches("(?s).*<feature>mpHealth-[0-9.]+</feature>.*"), "MicroProfile Health serves /health/*");
        for (Map.Entry<String, Class<? extends Annotation>> probe : probes.entrySet()) {
            assertTrue(serverClasses().anyMatch(c -> c.isAnnotationPresent(probe.getValue())),
                    probe.getKey() + " needs a @" + probe.getValue().getSimpleName() + " check");
        }

        for (String replica : serverReplicas()) {
            assertEquals("/health/ready", URI.create(composeHealthUrl(replica)).getPath(), replica + ": ready means ready to serve");
        }
        Matcher docker = Pattern.compile("HEALTHCHECK[^\\n]*\\\\\\n\\s*CMD curl -fsS \"http://localhost:\\$\\{PORT}(/[^\"]+)\"").matcher(dockerfile);
        assertTrue(docker.find(), "Dockerfile HEALTHCHECK");
        assertEquals("/health/ready", docker.group(1));

        Map<String, Object> container = serverContainer();
        assertEquals("/health/started", map(map(container, "startupProbe"), "httpGet").get("path"));
        assertEquals("/health/live", map(map(container, "livenessProbe"), "httpGet").get("path"));
        assertEquals("/health/ready", map(map(container, "readinessProbe"), "httpGet").get("path"));
        for (String name : List.of("startupProbe", "livenessProbe", "readinessProbe")) {
            assertEquals(list(container, "ports").get(0).get("name"), map(map(container, name), "httpGet").get("port"), name);
        }
    }

    // ---- Kong ------------------------------------------------------------------------------

    @Test
    void kongForwardsWhatSupabaseJsRequestsToPathsTheServerServes() throws Exception {
        Set<String> served = servedPaths();
        // What supabase-js requests through the gateway: its socket, and the REST broadcast API
        // (send() before joining posts to .../api/broadcast, httpSend() to .../broadcast/{topic}/events/{event}).
        for (String request : List.of("/realtime/v1/websocket", "/realtime/v1/api/broadcast",
                "/realtime/v1/api/broadcast/room-1/events/ping")) {
            String upstream = kongUpstreamPath(request)
                    .orElseThrow(() -> new AssertionError("no Kong route matches " + request));
            assertTrue(served.stream().anyMatch(path -> matches(path, upstream)),
                    "Kong forwards " + request + " to " + upstream + ", which the server does not serve; it serves " + served);
        }
    }

    @Test
    void theTenantsApiIsNotReachableThroughKong() throws Exception {
        // Kong is the public entry: whatever its routes reach, anyone with the anon key reaches.
        Set<String> clientPaths = Set.of("/socket/websocket", "/api/broadcast");
        Predicate<String> forClients = path -> clientPaths.contains(path) || path.startsWith("/api/broadcast/");
        Set<String> served = servedPaths();
        for (Map<String, Object> kongService : kongServices()) {
            String base = trimTrailingSlash(URI.create((String) kongService.get("url")).getPath());
            for (String path : served) {
                boolean reachable = path.equals(base) || path.startsWith(base + "/") || base.startsWith(path + "/")
                        || (path.endsWith("/*") && base.startsWith(path.substring(0, path.length() - 1)));
                assertTrue(!reachable || forClients.test(path),
                        "Kong service " + kongService.get("name") + " (" + base + ") reaches " + path
                                + "; the gateway must forward only what supabase-js needs " + clientPaths);
            }
        }
        for (String request : List.of("/realtime/v1/api/tenants", "/realtime/v1/api/tenants/realtime-dev",
                "/realtime/v1/api/tenants/realtime-dev/reload", "/realtime/v1/tenants", "/api/tenants")) {
            kongUpstreamPath(request).ifPresent(upstream -> assertFalse(
                    served.stream().anyMatch(path -> path.contains("tenants") && matches(path, upstream)),
                    request + " reaches the tenants API at " + upstream));
        }
    }

    @Test
    void theAdminSecretIsNotTheClientSecret() throws IOException {
        Map<String, Map<String, String>> deployments = new LinkedHashMap<>();
        for (String replica : serverReplicas()) {
            Object composeValue = map(service(replica), "environment").get("API_JWT_SECRET");
            assertEquals("${API_JWT_SECRET}", composeValue,
                    "compose gives " + replica + "'s admin API its own variable (with ${JWT_SECRET} the anon key is an admin token)");
            deployments.put("compose " + replica, composeServerEnvironment(replica));
        }
        assertTrue(envExample.containsKey("API_JWT_SECRET"), ".env.example has a separate API_JWT_SECRET");
        deployments.put("Kubernetes", kubernetesEnvironment());
        for (Map.Entry<String, Map<String, String>> deployment : deployments.entrySet()) {
            RealtimeConfig config = load(deployment.getValue());
            assertTrue(config.apiJwtSecret().isPresent() && config.tenantJwtSecret().isPresent(), deployment.getKey());
            assertFalse(config.apiJwtSecret().equals(config.tenantJwtSecret()),
                    deployment.getKey() + ": API_JWT_SECRET must not be JWT_SECRET");
        }
    }

    @Test
    void kongReachesTheServerUnderAHostThatSelectsTheSeededTenant() {
        RealtimeConfig config = load(composeServerEnvironment(serverReplicas().get(0)));
        Set<String> namesInCompose = new TreeSet<>();
        serverReplicas().forEach(replica -> namesInCompose.addAll(composeNames(replica)));
        TenantHostResolver resolver = new TenantHostResolver(config.selfHostTenantName());
        // Another tenant exists as soon as someone uses the admin API: the Host must still pick ours.
        KnownTenants tenants = new KnownTenants(Set.of(config.selfHostTenantName(), "another-tenant"));
        for (Map<String, Object> kongService : kongServices()) {
            for (Map<String, Object> route : list(kongService, "routes")) {
                assertFalse(Boolean.TRUE.equals(route.get("preserve_host")),
                        "the server must see Kong's upstream host, not the browser's (route " + route.get("name") + ")");
            }
            for (KongDestination destination : kongDestinations(kongService)) {
                assertTrue(namesInCompose.contains(destination.host()),
                        "Kong service " + kongService.get("name") + " reaches " + destination.host() + ", not a name of a server replica in compose " + namesInCompose);
                HostResolution resolution = resolver.resolve(destination.hostHeader(), tenants);
                assertTrue(resolution.found() && resolution.tenantId().equals(config.selfHostTenantName())
                                && resolution.rule() == HostResolution.Rule.FIRST_LABEL,
                        "Host " + destination.hostHeader() + " must select tenant " + config.selfHostTenantName() + " by its first label: " + resolution);
            }
        }
    }

    // ---- several replicas ------------------------------------------------------------------

    @Test
    void composeRunsTwoReplicasSharingItsRedis() {
        List<String> replicas = serverReplicas();
        assertEquals(2, replicas.size(), "compose runs two server replicas built from " + SERVER_DOCKERFILE + ": " + replicas);
        Map<String, Object> redis = service(REDIS_SERVICE);
        String image = String.valueOf(redis.get("image"));
        assertTrue(REDIS_IMAGE.matcher(image).matches(), "a Redis 7 or Valkey 8 image: " + image);
        String check = String.join(" ", values(map(redis, "healthcheck"), "test"));
        assertTrue(check.matches(".*\\b(redis|valkey)-cli ping\\b.*"), "the Redis health check pings it: " + check);
        assertFalse(redis.containsKey("volumes"), "no persistence: nothing on the bus is worth keeping");
        List<String> command = values(redis, "command");
        int save = command.indexOf("--save");
        assertTrue(save >= 0 && save + 1 < command.size() && command.get(save + 1).isEmpty(), "snapshots off: " + command);
        int port = command.contains("--port") ? Integer.parseInt(command.get(command.indexOf("--port") + 1)) : REDIS_DEFAULT_PORT;

        Map<String, String> first = withoutSlotSuffix(composeServerEnvironment(replicas.get(0)));
        for (String replica : replicas) {
            Map<String, String> environment = composeServerEnvironment(replica);
            assertEquals(first, withoutSlotSuffix(environment), replica + " is configured like " + replicas.get(0));
            URI redisUrl = load(environment).cluster()
                    .orElseThrow(() -> new AssertionError(replica + " sets no REDIS_URL: it would serve only its own clients"))
                    .redisUrl();
            assertTrue(composeNames(REDIS_SERVICE).contains(redisUrl.getHost()), replica + "'s REDIS_URL names the compose Redis: " + redisUrl.getHost());
            assertEquals(port, redisUrl.getPort() == -1 ? REDIS_DEFAULT_PORT : redisUrl.getPort(), replica + "'s REDIS_URL port");
            assertEquals("service_healthy", map(map(service(replica), "depends_on"), REDIS_SERVICE).get("condition"),
                    replica + " starts once Redis answers");
            assertEquals("service_healthy", map(map(service("kong"), "depends_on"), replica).get("condition"),
                    "Kong waits for " + replica);
        }
    }

    @Test
    void kongSpreadsRequestsOverEveryReplicaWithoutStickySessions() {
        int port = serverPort();
        Set<String> everyReplica = serverReplicas().stream().map(replica -> replica + ":" + port)
                .collect(Collectors.toCollection(TreeSet::new));
        for (Map<String, Object> kongService : kongServices()) {
            String host = URI.create((String) kongService.get("url")).getHost();
            Map<String, Object> upstream = kongUpstream(host).orElseThrow(() -> new AssertionError(
                    "Kong service " + kongService.get("name") + " points at " + host + ", not an upstream over the replicas"));
            Set<String> targets = new TreeSet<>();
            for (Map<String, Object> target : list(upstream, "targets")) {
                assertFalse(Integer.valueOf(0).equals(target.get("weight")), "target " + target + " takes requests");
                targets.add(kongDestination(upstream, String.valueOf(target.get("target"))).address());
            }
            assertEquals(everyReplica, targets, "upstream " + host + " reaches every replica, each by its own name");
            // Redis shares a socket's world between replicas, so no request needs to return to one.
            assertEquals("round-robin", upstream.getOrDefault("algorithm", "round-robin"), "upstream " + host);
            assertEquals("none", upstream.getOrDefault("hash_on", "none"), "upstream " + host + " hashes nothing");
            Map<String, Object> active = map(map(upstream, "healthchecks"), "active");
            assertEquals("/health/ready", active.get("http_path"), "Kong stops sending new requests to a replica that is not ready");
        }
    }

    @Test
    void prometheusScrapesEveryReplica() throws IOException {
        int port = serverPort();
        Map<String, Object> prometheus = yaml("observability/prometheus.yml");
        Set<String> targets = new TreeSet<>();
        for (Map<String, Object> job : list(prometheus, "scrape_configs")) {
            list(job, "static_configs").forEach(config -> targets.addAll(values(config, "targets")));
        }
        assertEquals(serverReplicas().stream().map(replica -> replica + ":" + port).collect(Collectors.toCollection(TreeSet::new)),
                targets, "each replica reports only its own sockets and deliveries");
    }

    @Test
    void kubernetesRunsTwoReplicasSharingTheRedisManifest() throws IOException {
        assertEquals(2, map(kubernetes("deployment.yaml"), "spec").get("replicas"), "deployment.yaml replicas");

        List<Map<String, Object>> manifest = kubernetesDocuments("redis.yaml");
        Map<String, Object> redisDeployment = ofKind(manifest, "Deployment");
        Map<String, Object> redisService = ofKind(manifest, "Service");
        Map<String, Object> template = map(map(redisDeployment, "spec"), "template");
        Map<String, Object> podSpec = map(template, "spec");
        Map<String, Object> container = list(podSpec, "containers").get(0);
        assertTrue(REDIS_IMAGE.matcher(String.valueOf(container.get("image"))).matches(), "a Redis 7 or Valkey 8 image: " + container.get("image"));
        assertFalse(podSpec.containsKey("volumes"), "no persistence: nothing on the bus is worth keeping");
        List<String> args = values(container, "args");
        int save = args.indexOf("--save");
        assertTrue(save >= 0 && save + 1 < args.size() && args.get(save + 1).isEmpty(), "snapshots off: " + args);
        for (String probe : List.of("readinessProbe", "livenessProbe")) {
            assertEquals(List.of("redis-cli", "ping"), values(map(map(container, probe), "exec"), "command"), "Redis " + probe);
        }

        Map<String, String> podLabels = strings(map(map(template, "metadata"), "labels"));
        Map<String, String> redisSelector = strings(map(map(redisService, "spec"), "selector"));
        assertTrue(podLabels.entrySet().containsAll(redisSelector.entrySet()), "the Redis Service selects the Redis pod");
        Map<String, String> serverSelector = strings(map(map(kubernetes("service.yaml"), "spec"), "selector"));
        assertFalse(podLabels.entrySet().containsAll(serverSelector.entrySet()), "the server's Service sends no client to Redis");
        Map<String, Object> servicePort = list(map(redisService, "spec"), "ports").get(0);
        Map<String, Object> containerPort = list(container, "ports").get(0);
        assertEquals(containerPort.get("name"), servicePort.get("targetPort"), "the Redis Service targets the container's named port");
        assertEquals(REDIS_DEFAULT_PORT, containerPort.get("containerPort"), "redis-server's own port");

        URI redisUrl = load(kubernetesEnvironment()).cluster()
                .orElseThrow(() -> new AssertionError("the ConfigMap or Secret sets no REDIS_URL: each pod would serve only its own clients"))
                .redisUrl();
        assertEquals(map(redisService, "metadata").get("name"), redisUrl.getHost(), "REDIS_URL names the Redis Service");
        assertEquals(servicePort.get("port"), redisUrl.getPort() == -1 ? REDIS_DEFAULT_PORT : redisUrl.getPort(), "REDIS_URL port");
    }

    @Test
    void replicasNeverShareAPermanentSlot() throws IOException {
        // A slot serves one walsender at a time: two replicas on one permanent slot break each other's stream.
        Set<String> permanentSlots = new TreeSet<>();
        for (String replica : serverReplicas()) {
            RealtimeConfig.ReplicationSettings replication = load(composeServerEnvironment(replica)).replication();
            if (replication.permanentSlot()) {
                assertTrue(permanentSlots.add(replication.slotNameSuffix().orElse("")),
                        replica + " streams through a permanent slot another replica uses: give each its own SLOT_NAME_SUFFIX");
            }
        }
        // A Deployment's pods share one environment, so one SLOT_NAME_SUFFIX.
        Object replicas = map(kubernetes("deployment.yaml"), "spec").get("replicas");
        assertTrue(Integer.valueOf(1).equals(replicas) || !load(kubernetesEnvironment()).replication().permanentSlot(),
                "REPLICATION_SLOT_PERMANENT with " + replicas + " pods of one Deployment: use one replica or a StatefulSet");
    }

    @Test
    void heapIsBoundedForTheRunCommandAndFollowsTheLimitInTheContainer() throws IOException {
        List<String> run = Files.readAllLines(ROOT.resolve("src/main/liberty/config/jvm.options"));
        List<String> container = Files.readAllLines(DEPLOY.resolve("jvm.options"));
        assertTrue(run.contains("-Xmx1g"), "the run command's heap is bounded");
        assertTrue(container.stream().anyMatch(l -> l.startsWith("-XX:MaxRAMPercentage=")), "the container's heap follows its limit");
        assertTrue(container.stream().noneMatch(l -> l.startsWith("-Xm")), "no fixed heap in the container: it would override the percentage");
        assertEquals(run.stream().filter(l -> l.startsWith("-D")).toList(), container.stream().filter(l -> l.startsWith("-D")).toList(),
                "the container sets the same system properties as the run command");
        assertTrue(dockerfile.contains("COPY --chown=1001:0 deploy/jvm.options /config/jvm.options"), "Dockerfile uses the container's jvm.options");
    }

    @Test
    void dockerfileCopiesWhatTheBuildProduces() throws IOException {
        Matcher copy = Pattern.compile("(?m)^COPY --chown=\\S+ (\\S+) (\\S+)$").matcher(dockerfile);
        List<String> copied = new ArrayList<>();
        while (copy.find()) {
            copied.add(copy.group(1));
            if (!copy.group(1).startsWith("target/")) {
                assertTrue(Files.isRegularFile(ROOT.resolve(copy.group(1))), "Dockerfile copies " + copy.group(1));
            }
        }
        String pom = Files.readString(ROOT.resolve("pom.xml"));
        Matcher finalName = Pattern.compile("<finalName>([^<]+)</finalName>").matcher(pom);
        assertTrue(finalName.find());
        assertTrue(copied.contains("target/" + finalName.group(1) + ".war"), "the WAR Maven builds: " + copied);
        String serverXml = Files.readString(ROOT.resolve("src/main/liberty/config/server.xml"));
        assertTrue(serverXml.contains("location=\"" + finalName.group(1) + ".war\""), "server.xml deploys that WAR");
        assertTrue(dockerfile.contains("/config/apps/" + finalName.group(1) + ".war"), "into the apps folder server.xml reads");
    }

    // ---- helpers ---------------------------------------------------------------------------

    /** Loads the configuration from {@code environment} and fails on any variable nothing read. */
    private static void assertOnlyReadVariables(String where, Map<String, String> environment) {
        Set<String> read = new TreeSet<>();
        load(environment, read);
        Set<String> unread = new TreeSet<>(environment.keySet());
        unread.removeAll(read);
        unread.removeAll(ConfigLoader.IGNORED_UPSTREAM_VARIABLES);
        assertEquals(Set.of(), unread, where + " passes variables the server never reads");
    }

    private static RealtimeConfig load(Map<String, String> environment) {
        return load(environment, new TreeSet<>());
    }

    /** Loads everything the server configures itself from, recording which names it asked for. */
    private static RealtimeConfig load(Map<String, String> environment, Set<String> read) {
        Function<String, Optional<String>> source = name -> {
            read.add(name);
            return Optional.ofNullable(environment.get(name));
        };
        RealtimeConfig config = new ConfigLoader(source).load(); // throws on any invalid value
        DemoSettings.load(source, config.usesEmbeddedDatabase());
        return config;
    }

    /** The compose services that run the server, in file order. */
    private static List<String> serverReplicas() {
        List<String> replicas = map(compose, "services").entrySet().stream()
                .filter(entry -> entry.getValue() instanceof Map<?, ?> service && service.get("build") instanceof Map<?, ?> build
                        && SERVER_DOCKERFILE.equals(build.get("dockerfile")))
                .map(Map.Entry::getKey)
                .toList();
        assertFalse(replicas.isEmpty(), "compose builds the server from " + SERVER_DOCKERFILE);
        return replicas;
    }

    /** The port every replica listens on, from the first one's environment. */
    private static int serverPort() {
        return load(composeServerEnvironment(serverReplicas().get(0))).port();
    }

    /** The names a compose service answers to on its networks: its own and its aliases. */
    private static Set<String> composeNames(String name) {
        Set<String> names = new TreeSet<>(Set.of(name));
        if (service(name).get("networks") instanceof Map<?, ?> byNetwork) {
            byNetwork.values().stream().filter(network -> network instanceof Map<?, ?>)
                    .forEach(network -> {
                        Object aliases = cast(network).get("aliases");
                        if (aliases instanceof List<?> list) {
                            list.forEach(alias -> names.add(String.valueOf(alias)));
                        }
                    });
        }
        return names;
    }

    private static Map<String, String> withoutSlotSuffix(Map<String, String> environment) {
        Map<String, String> rest = new LinkedHashMap<>(environment);
        rest.remove("SLOT_NAME_SUFFIX");
        return rest;
    }

    /** A replica's environment in compose, with ${...} filled from .env.example. */
    private static Map<String, String> composeServerEnvironment(String replica) {
        Map<String, String> environment = new LinkedHashMap<>();
        strings(map(service(replica), "environment")).forEach((name, value) -> {
            Matcher reference = REFERENCE.matcher(value);
            StringBuilder filled = new StringBuilder();
            while (reference.find()) {
                reference.appendReplacement(filled, Matcher.quoteReplacement(envExample.getOrDefault(reference.group(1), "")));
            }
            reference.appendTail(filled);
            environment.put(name, filled.toString());
        });
        return environment;
    }

    /** The server's environment in Kubernetes: the ConfigMap and the example Secret. */
    private static Map<String, String> kubernetesEnvironment() throws IOException {
        Map<String, String> environment = new LinkedHashMap<>(strings(map(kubernetes("configmap.yaml"), "data")));
        environment.putAll(strings(map(kubernetes("secret.example.yaml"), "stringData")));
        return environment;
    }

    private static String composeHealthUrl(String replica) {
        String command = String.join(" ", values(map(service(replica), "healthcheck"), "test"));
        Matcher url = Pattern.compile("https?://[^\\s\"']+").matcher(command);
        assertTrue(url.find(), "compose health check has a URL: " + command);
        return url.group();
    }

    /** The upstream path Kong requests for a client path (longest matching route, stripped), if a route matches. */
    private static Optional<String> kongUpstreamPath(String request) {
        String bestPrefix = null;
        Map<String, Object> bestService = null;
        boolean strip = false;
        for (Map<String, Object> kongService : kongServices()) {
            for (Map<String, Object> route : list(kongService, "routes")) {
                for (Object path : (List<?>) route.get("paths")) {
                    String prefix = (String) path;
                    if (request.startsWith(prefix) && (bestPrefix == null || prefix.length() > bestPrefix.length())) {
                        bestPrefix = prefix;
                        bestService = kongService;
                        strip = !Boolean.FALSE.equals(route.get("strip_path"));
                    }
                }
            }
        }
        if (bestService == null) {
            return Optional.empty();
        }
        String rest = strip ? request.substring(bestPrefix.length()) : request;
        String base = trimTrailingSlash(URI.create((String) bestService.get("url")).getPath());
        return Optional.of(rest.isEmpty() ? base : base + (rest.startsWith("/") ? rest : "/" + rest));
    }

    private static String trimTrailingSlash(String path) {
        return path.endsWith("/") ? path.substring(0, path.length() - 1) : path;
    }

    /**
     * What the server serves, from the compiled classes: servlet and WebSocket paths, and every
     * JAX-RS resource and resource method under every application path.
     */
    private static Set<String> servedPaths() throws IOException {
        List<Class<?>> classes = serverClasses().toList();
        Set<String> served = new TreeSet<>();
        for (Class<?> type : classes) {
            WebServlet servlet = type.getAnnotation(WebServlet.class);
            if (servlet != null) {
                served.addAll(Arrays.asList(servlet.value()));
                served.addAll(Arrays.asList(servlet.urlPatterns()));
            }
            ServerEndpoint endpoint = type.getAnnotation(ServerEndpoint.class);
            if (endpoint != null) {
                served.add(endpoint.value());
            }
        }
        List<String> applications = classes.stream().map(c -> c.getAnnotation(ApplicationPath.class)).filter(a -> a != null)
                .map(a -> trim(a.value())).toList();
        for (Class<?> type : classes) {
            Path resource = type.getAnnotation(Path.class);
            if (resource != null) {
                applications.forEach(app -> served.add("/" + app + "/" + trim(resource.value())));
                for (java.lang.reflect.Method method : type.getDeclaredMethods()) {
                    Path sub = method.getAnnotation(Path.class);
                    if (sub != null) {
                        applications.forEach(app -> served.add("/" + app + "/" + trim(resource.value()) + "/" + trim(sub.value())));
                    }
                }
            }
        }
        return served;
    }

    /** Whether a served path (a servlet pattern or a JAX-RS template) covers a request path. */
    private static boolean matches(String served, String request) {
        if (served.endsWith("/*")) {
            return request.startsWith(served.substring(0, served.length() - 1)) || request.equals(served.substring(0, served.length() - 2));
        }
        return request.matches(served.replaceAll("\\{[^}]+}", "[^/]+"));
    }

    private static Stream<Class<?>> serverClasses() throws IOException {
        java.nio.file.Path classes = ROOT.resolve("target/classes");
        List<Class<?>> found = new ArrayList<>();
        try (Stream<java.nio.file.Path> files = Files.walk(classes)) {
            for (java.nio.file.Path file : files.filter(f -> f.toString().endsWith(".class")).toList()) {
                String name = classes.relativize(file).toString().replace('/', '.').replaceAll("\\.class$", "");
                try {
                    found.add(Class.forName(name, false, DeployFilesTest.class.getClassLoader()));
                } catch (ClassNotFoundException | LinkageError e) {
                    throw new AssertionError("cannot load compiled class " + name, e);
                }
            }
        }
        return found.stream();
    }

    private static String trim(String path) {
        return path.replaceAll("^/+|/+$", "");
    }

    private static Set<String> references(String text) {
        Set<String> names = new TreeSet<>();
        Matcher matcher = REFERENCE.matcher(text);
        while (matcher.find()) {
            names.add(matcher.group(1));
        }
        return names;
    }

    private static Map<String, Object> service(String name) {
        Map<String, Object> service = map(map(compose, "services"), name);
        assertTrue(service != null && !service.isEmpty(), "compose has a service '" + name + "'");
        return service;
    }

    private static List<Map<String, Object>> kongServices() {
        return list(kong, "services");
    }

    /** The Kong upstream a service's host names, if one does (Kong then balances over its targets). */
    private static Optional<Map<String, Object>> kongUpstream(String host) {
        if (!(kong.get("upstreams") instanceof List<?> upstreams)) {
            return Optional.empty();
        }
        return upstreams.stream().map(DeployFilesTest::cast).filter(upstream -> host.equals(upstream.get("name"))).findFirst();
    }

    /** Where Kong sends a service's requests: its host, or each target of the upstream it names. */
    private static List<KongDestination> kongDestinations(Map<String, Object> kongService) {
        URI url = URI.create((String) kongService.get("url"));
        Optional<Map<String, Object>> upstream = kongUpstream(url.getHost());
        if (upstream.isEmpty()) {
            return List.of(new KongDestination(url.getHost(), url.getPort(), hostHeader(url.getHost(), url.getPort())));
        }
        return list(upstream.get(), "targets").stream()
                .map(target -> kongDestination(upstream.get(), String.valueOf(target.get("target"))))
                .toList();
    }

    /**
     * One target of an upstream as Kong proxies to it: without a port Kong uses 8000, and the Host
     * it sends is the upstream's {@code host_header} if set, else the target's own name.
     */
    private static KongDestination kongDestination(Map<String, Object> upstream, String target) {
        URI address = URI.create("http://" + target);
        int port = address.getPort() == -1 ? 8000 : address.getPort();
        Object hostHeader = upstream.get("host_header");
        return new KongDestination(address.getHost(), port,
                hostHeader(hostHeader == null ? address.getHost() : String.valueOf(hostHeader), port));
    }

    /** The Host Kong sends for a name and port: the port is left out only when it is HTTP's own. */
    private static String hostHeader(String name, int port) {
        return port == 80 ? name : name + ":" + port;
    }

    /**
     * Where Kong connects and the Host it sends there.
     *
     * @param host       the name Kong connects to
     * @param port       the port Kong connects to
     * @param hostHeader the Host header of the proxied request
     */
    private record KongDestination(String host, int port, String hostHeader) {

        String address() {
            return host + ":" + port;
        }
    }

    private static Map<String, Object> serverContainer() throws IOException {
        Map<String, Object> podSpec = map(map(map(kubernetes("deployment.yaml"), "spec"), "template"), "spec");
        return list(podSpec, "containers").get(0);
    }

    private static Map<String, Object> yaml(String file) throws IOException {
        return new Yaml().load(Files.readString(DEPLOY.resolve(file)));
    }

    private static Map<String, Object> kubernetes(String file) throws IOException {
        return yaml("kubernetes/" + file);
    }

    /** Every document of a multi-document manifest. */
    private static List<Map<String, Object>> kubernetesDocuments(String file) throws IOException {
        List<Map<String, Object>> documents = new ArrayList<>();
        new Yaml().loadAll(Files.readString(DEPLOY.resolve("kubernetes/" + file))).forEach(document -> documents.add(cast(document)));
        return documents;
    }

    private static Map<String, Object> ofKind(List<Map<String, Object>> documents, String kind) {
        List<Map<String, Object>> found = documents.stream().filter(document -> kind.equals(document.get("kind"))).toList();
        assertEquals(1, found.size(), "one " + kind + " in the manifest");
        return found.get(0);
    }

    private static Map<String, Object> map(Map<String, Object> parent, String key) {
        Object value = parent.get(key);
        assertTrue(value instanceof Map<?, ?>, key + " is a mapping in " + parent.keySet());
        return cast(value);
    }

    private static List<Map<String, Object>> list(Map<String, Object> parent, String key) {
        Object value = parent.get(key);
        assertTrue(value instanceof List<?>, key + " is a list in " + parent.keySet());
        @SuppressWarnings("unchecked")
        List<Map<String, Object>> items = (List<Map<String, Object>>) value;
        return items;
    }

    /** A list of scalars, as strings. */
    private static List<String> values(Map<String, Object> parent, String key) {
        Object value = parent.get(key);
        assertTrue(value instanceof List<?>, key + " is a list in " + parent.keySet());
        return ((List<?>) value).stream().map(String::valueOf).toList();
    }

    @SuppressWarnings("unchecked")
    private static Map<String, Object> cast(Object value) {
        return (Map<String, Object>) value;
    }

    /** YAML values as the strings a container receives (compose and Kubernetes both stringify). */
    private static Map<String, String> strings(Map<String, Object> values) {
        return values.entrySet().stream().collect(Collectors.toMap(Map.Entry::getKey, e -> String.valueOf(e.getValue()),
                (a, b) -> b, LinkedHashMap::new));
    }
}
