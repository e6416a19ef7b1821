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
 *
 * <p>Parses YAML with SnakeYAML, which Liquibase already brings.
 */
class DeployFilesTest {

    private static final java.nio.file.Path ROOT = TestServer.baseDir();
    private static final java.nio.file.Path DEPLOY = ROOT.resolve("deploy");
    private static final Pattern REFERENCE = Pattern.compile("\\$\\{([A-Z0-9_]+)}");
    private static final String SERVER_SERVICE = "realtime";

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
        assertOnlyReadVariables("compose service '" + SERVER_SERVICE + "'", composeServerEnvironment());
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
        int port = load(composeServerEnvironment()).port();
        List<String> ports = values(service(SERVER_SERVICE), "ports");
        assertEquals(1, ports.size());
        assertTrue(ports.get(0).endsWith(":" + port), "compose publishes the container's port " + port + ": " + ports);
        assertEquals(port, URI.create(composeHealthUrl()).getPort(), "compose health check");
        assertTrue(dockerfile.contains("\nENV PORT=" + port + "\n") && dockerfile.contains("\nEXPOSE " + port + "\n"), "Dockerfile");
        for (Map<String, Object> kongService : kongServices()) {
            assertEquals(port, URI.create((String) kongService.get("url")).getPort(), "Kong service " + kongService.get("name"));
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

        assertEquals("/health/ready", URI.create(composeHealthUrl()).getPath(), "compose: ready means ready to serve");
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
        Object composeValue = map(service(SERVER_SERVICE), "environment").get("API_JWT_SECRET");
        assertEquals("${API_JWT_SECRET}", composeValue,
                "compose gives the admin API its own variable (with ${JWT_SECRET} the anon key is an admin token)");
        assertTrue(envExample.containsKey("API_JWT_SECRET"), ".env.example has a separate API_JWT_SECRET");
        for (Map.Entry<String, Map<String, String>> deployment : Map.of(
                "compose", composeServerEnvironment(), "Kubernetes", kubernetesEnvironment()).entrySet()) {
            RealtimeConfig config = load(deployment.getValue());
            assertTrue(config.apiJwtSecret().isPresent() && config.tenantJwtSecret().isPresent(), deployment.getKey());
            assertFalse(config.apiJwtSecret().equals(config.tenantJwtSecret()),
                    deployment.getKey() + ": API_JWT_SECRET must not be JWT_SECRET");
        }
    }

    @Test
    void kongReachesTheServerUnderAHostThatSelectsTheSeededTenant() {
        Map<String, String> environment = composeServerEnvironment();
        RealtimeConfig config = load(environment);
        Set<String> namesInCompose = new TreeSet<>(Set.of(SERVER_SERVICE));
        Object networks = service(SERVER_SERVICE).get("networks");
        if (networks instanceof Map<?, ?> byNetwork) {
            byNetwork.values().forEach(network -> namesInCompose.addAll(values(cast(network), "aliases")));
        }
        TenantHostResolver resolver = new TenantHostResolver(config.selfHostTenantName());
        // Another tenant exists as soon as someone uses the admin API: the Host must still pick ours.
        KnownTenants tenants = new KnownTenants(Set.of(config.selfHostTenantName(), "another-tenant"));
        for (Map<String, Object> kongService : kongServices()) {
            URI url = URI.create((String) kongService.get("url"));
            assertTrue(namesInCompose.contains(url.getHost()),
                    "Kong service " + kongService.get("name") + " points at " + url.getHost() + ", not a name of the server in compose " + namesInCompose);
            for (Map<String, Object> route : list(kongService, "routes")) {
                assertFalse(Boolean.TRUE.equals(route.get("preserve_host")),
                        "the server must see Kong's upstream host, not the browser's (route " + route.get("name") + ")");
            }
            HostResolution resolution = resolver.resolve(url.getHost() + ":" + url.getPort(), tenants);
            assertTrue(resolution.found() && resolution.tenantId().equals(config.selfHostTenantName())
                            && resolution.rule() == HostResolution.Rule.FIRST_LABEL,
                    "Host " + url.getHost() + " must select tenant " + config.selfHostTenantName() + " by its first label: " + resolution);
        }
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

    /** The server's environment in compose, with ${...} filled from .env.example. */
    private static Map<String, String> composeServerEnvironment() {
        Map<String, String> environment = new LinkedHashMap<>();
        strings(map(service(SERVER_SERVICE), "environment")).forEach((name, value) -> {
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

    private static String composeHealthUrl() {
        String command = String.join(" ", values(map(service(SERVER_SERVICE), "healthcheck"), "test"));
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
