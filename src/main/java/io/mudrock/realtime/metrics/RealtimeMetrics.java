package io.mudrock.realtime.metrics;

import io.micrometer.core.instrument.binder.jvm.ClassLoaderMetrics;
import io.micrometer.core.instrument.binder.jvm.JvmGcMetrics;
import io.micrometer.core.instrument.binder.jvm.JvmInfoMetrics;
import io.micrometer.core.instrument.binder.jvm.JvmMemoryMetrics;
import io.micrometer.core.instrument.binder.jvm.JvmThreadMetrics;
import io.micrometer.core.instrument.binder.system.FileDescriptorMetrics;
import io.micrometer.core.instrument.binder.system.ProcessorMetrics;
import io.micrometer.core.instrument.binder.system.UptimeMetrics;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;

import java.io.IOException;
import java.io.OutputStream;
import java.util.Objects;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.logging.Level;
import java.util.logging.Logger;

/**
 * The process's metrics: one Prometheus registry with the JVM's series (memory, GC, threads, classes,
 * CPU, uptime, file descriptors) and one {@link TenantMetrics} per tenant. It is process-wide, like
 * the registry of Liberty's own mpMetrics, so sockets, channels and streams reach their tenant's
 * counters with one lookup when they are created instead of threading a reference through every
 * constructor. Scrape hooks refresh what is sampled rather than counted (stream state, replication
 * lag) just before each scrape, off every hot path.
 */
public final class RealtimeMetrics {

    private static final Logger LOG = Logger.getLogger(RealtimeMetrics.class.getName());
    private static final PrometheusMeterRegistry REGISTRY = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
    private static final ConcurrentHashMap<String, TenantMetrics> TENANTS = new ConcurrentHashMap<>();
    private static final CopyOnWriteArrayList<Runnable> SCRAPE_HOOKS = new CopyOnWriteArrayList<>();
    private static final JvmGcMetrics GC = new JvmGcMetrics();

    static {
        new ClassLoaderMetrics().bindTo(REGISTRY);
        new JvmMemoryMetrics().bindTo(REGISTRY);
        GC.bindTo(REGISTRY);
        new JvmThreadMetrics().bindTo(REGISTRY);
        new JvmInfoMetrics().bindTo(REGISTRY);
        new ProcessorMetrics().bindTo(REGISTRY);
        new UptimeMetrics().bindTo(REGISTRY);
        new FileDescriptorMetrics().bindTo(REGISTRY);
    }

    private RealtimeMetrics() {
    }

    /**
     * The counters of one tenant, created and registered on first use. Look it up once per socket,
     * channel table or stream and keep it: the methods on it are the cheap part.
     *
     * @param tenantId the tenant's external id
     * @return its metrics
     */
    public static TenantMetrics tenant(String tenantId) {
        Objects.requireNonNull(tenantId, "tenantId");
        TenantMetrics existing = TENANTS.get(tenantId);
        return existing != null ? existing : TENANTS.computeIfAbsent(tenantId, id -> new TenantMetrics(id, REGISTRY));
    }

    /**
     * Runs {@code hook} before every scrape, to sample what is not counted as it happens. A hook
     * must be quick and must not throw; a failing one is logged and the scrape goes on.
     *
     * @param hook the sampler
     */
    public static void beforeScrape(Runnable hook) {
        SCRAPE_HOOKS.addIfAbsent(hook);
    }

    /**
     * Stops running a hook registered with {@link #beforeScrape(Runnable)}.
     *
     * @param hook the sampler
     */
    public static void removeScrapeHook(Runnable hook) {
        SCRAPE_HOOKS.remove(hook);
    }

    /** @return the content type of {@link #scrape(OutputStream)}: Prometheus text format 0.0.4 */
    public static String contentType() {
        return "text/plain; version=0.0.4; charset=utf-8";
    }

    /**
     * Writes every series in the Prometheus text format.
     *
     * @param out where to
     * @throws IOException if writing fails
     */
    public static void scrape(OutputStream out) throws IOException {
        for (Runnable hook : SCRAPE_HOOKS) {
            try {
                hook.run();
            } catch (RuntimeException e) {
                LOG.log(Level.WARNING, "A metrics sampler failed; the scrape goes on without it: " + e, e);
            }
        }
        REGISTRY.scrape(out, contentType());
    }

    /** The application stops: the GC listeners are removed so the class loader can go. */
    public static void shutdown() {
        GC.close();
        SCRAPE_HOOKS.clear();
    }
}
