package io.mudrock.realtime.metrics;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Meter;
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
 * CPU, uptime, file descriptors), Liberty's ({@link LibertyServerMetrics}) and one {@link TenantMetrics}
 * per tenant. It is process-wide, like
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
    private static final LibertyServerMetrics LIBERTY = new LibertyServerMetrics(REGISTRY);

    /**
     * The {@code tenant} label of handshakes refused before any tenant was found: one bounded value,
     * never the client's host name, which would let a client create series at will.
     */
    public static final String UNKNOWN_TENANT = "_unknown";
    /** The {@code reason} label of a handshake whose host names no tenant. */
    public static final String TENANT_NOT_FOUND = "tenant_not_found";
    private static final Counter UNKNOWN_TENANT_REFUSALS = Counter.builder("realtime.handshake.refusals")
            .tags("tenant", UNKNOWN_TENANT, "reason", TENANT_NOT_FOUND)
            .description("Refused WebSocket handshakes by reason").register(REGISTRY);

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
     * The counters of a tenant if it has any, without creating them: for code that runs after a
     * tenant may have been deleted and must not bring its series back.
     *
     * @param tenantId the tenant's external id
     * @return its metrics, or {@code null}
     */
    public static TenantMetrics existing(String tenantId) {
        return TENANTS.get(tenantId);
    }

    /**
     * The tenant was deleted: its series leave the registry, and counts still made through a
     * reference kept by one of its closing sockets register nothing. Should the tenant come back,
     * {@link #tenant(String)} starts it with fresh series.
     *
     * @param tenantId the tenant's external id
     * @return whether it had series
     */
    public static boolean removeTenant(String tenantId) {
        boolean[] removed = {false};
        // Inside compute, so a concurrent first lookup waits and then registers fresh series.
        TENANTS.computeIfPresent(tenantId, (id, metrics) -> {
            metrics.retire();
            for (Meter meter : REGISTRY.getMeters()) {
                if (id.equals(meter.getId().getTag("tenant"))) {
                    REGISTRY.remove(meter);
                }
            }
            removed[0] = true;
            return null;
        });
        return removed[0];
    }

    /** A handshake named no known tenant: counted under {@link #UNKNOWN_TENANT}, {@link #TENANT_NOT_FOUND}. */
    public static void unknownTenantRefused() {
        UNKNOWN_TENANT_REFUSALS.increment();
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
        LIBERTY.run();
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
