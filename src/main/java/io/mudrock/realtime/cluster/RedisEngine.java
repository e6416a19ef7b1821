package io.mudrock.realtime.cluster;

import io.lettuce.core.ClientOptions;
import io.lettuce.core.RedisClient;
import io.lettuce.core.RedisURI;
import io.lettuce.core.TimeoutOptions;
import io.lettuce.core.resource.ClientResources;
import io.lettuce.core.resource.Delay;
import io.mudrock.realtime.config.ClusterSettings;
import io.mudrock.realtime.config.RealtimeConfig;
import jakarta.annotation.PostConstruct;
import jakarta.annotation.PreDestroy;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.security.SecureRandom;
import java.time.Duration;
import java.util.HexFormat;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import java.util.logging.Logger;

/**
 * The one Redis client of this process, present only when {@code REDIS_URL} is set, and this
 * node's name in the cluster. Connections are opened by whoever needs them (a publish/subscribe
 * pair, a command connection); the client and its threads end with the application.
 */
@ApplicationScoped
public class RedisEngine {

    private static final Logger LOG = Logger.getLogger(RedisEngine.class.getName());

    @Inject
    RealtimeConfig config;

    /** Redis commands that take longer fail, so nothing waits on a Redis that hangs. */
    static final Duration COMMAND_TIMEOUT = Duration.ofSeconds(2);
    /** Commands waiting for a slow Redis per connection; beyond it they fail instead of filling the heap. */
    static final int REQUEST_QUEUE = 100_000;
    /** Reconnect attempts back off to at most this, so a node rejoins within seconds of Redis's return. */
    static final Duration MAX_RECONNECT_DELAY = Duration.ofSeconds(2);

    private volatile RedisClient client;
    private volatile ClientResources resources; // ours to shut down: the client leaves given resources alone
    private volatile String namespace = "0";
    private final String nodeId = nodeName();

    @PostConstruct
    void create() {
        Optional<ClusterSettings> cluster = config.cluster();
        if (cluster.isPresent()) {
            RedisURI uri = RedisURI.create(cluster.get().redisUrl());
            namespace = Integer.toString(uri.getDatabase());
            resources = ClientResources.builder()
                    .reconnectDelay(Delay.exponential(Duration.ofMillis(100), MAX_RECONNECT_DELAY, 2, TimeUnit.MILLISECONDS))
                    .build();
            RedisClient created = RedisClient.create(resources, uri);
            // While Redis is away commands fail at once instead of queuing without bound: each
            // node then serves its own clients, and Lettuce reconnects in the background.
            created.setOptions(ClientOptions.builder()
                    .disconnectedBehavior(ClientOptions.DisconnectedBehavior.REJECT_COMMANDS)
                    .timeoutOptions(TimeoutOptions.enabled(COMMAND_TIMEOUT))
                    .requestQueueSize(REQUEST_QUEUE)
                    .build());
            client = created;
            LOG.info(() -> "cluster: node " + nodeId + " uses Redis at " + ClusterSettings.redact(cluster.get().redisUrl().toString()));
        }
    }

    /** @return true when {@code REDIS_URL} is set and this process is one node of several */
    public boolean enabled() {
        return client != null;
    }

    /**
     * The Redis client, to open connections with.
     *
     * @return the client
     * @throws IllegalStateException when clustering is off ({@link #enabled()} false)
     */
    public RedisClient client() {
        RedisClient current = client;
        if (current == null) {
            throw new IllegalStateException("REDIS_URL is not set: this server runs as one process");
        }
        return current;
    }

    /**
     * @return what separates this deployment's channels from another's on the same Redis: the
     *         database number of {@code REDIS_URL} (publish/subscribe ignores database numbers)
     */
    public String namespace() {
        return namespace;
    }

    /** @return this node's name in the cluster: the host name and a random suffix, unique per start */
    public String nodeId() {
        return nodeId;
    }

    @PreDestroy
    void shutdown() {
        RedisClient current = client;
        if (current != null) {
            client = null;
            current.shutdown(0, 2, TimeUnit.SECONDS);
            resources.shutdown(0, 2, TimeUnit.SECONDS);
        }
    }

    private static String nodeName() {
        String host;
        try {
            host = InetAddress.getLocalHost().getHostName();
        } catch (UnknownHostException e) {
            host = "node";
        }
        byte[] suffix = new byte[4];
        new SecureRandom().nextBytes(suffix);
        return host + "-" + HexFormat.of().formatHex(suffix);
    }
}
