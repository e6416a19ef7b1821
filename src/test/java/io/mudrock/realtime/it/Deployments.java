package io.mudrock.realtime.it;

import org.jboss.shrinkwrap.api.ShrinkWrap;
import org.jboss.shrinkwrap.api.asset.StringAsset;
import org.jboss.shrinkwrap.api.spec.WebArchive;

import java.util.Map;
import java.util.stream.Collectors;

/** The archives the integration tests deploy: the packaged WAR, optionally with overriding configuration. */
public final class Deployments {

    private Deployments() {
    }

    /** The application exactly as {@code mvn package} built it. */
    public static WebArchive realtime() {
        return ShrinkWrap.createFromZipFile(WebArchive.class, TestServer.war().toFile());
    }

    /**
     * The application with configuration values that take precedence over the server's
     * environment (a {@code microprofile-config.properties} with a higher ordinal).
     */
    public static WebArchive realtimeWith(Map<String, String> config) {
        String properties = "config_ordinal=500\n" + config.entrySet().stream()
                .map(e -> e.getKey() + "=" + e.getValue()).collect(Collectors.joining("\n")) + "\n";
        return realtime().addAsResource(new StringAsset(properties), "META-INF/microprofile-config.properties");
    }
}
