package io.mudrock.realtime.metrics;

import io.micrometer.core.instrument.FunctionCounter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;

import java.lang.management.ManagementFactory;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import javax.management.JMException;
import javax.management.MBeanServer;
import javax.management.MalformedObjectNameException;
import javax.management.ObjectName;

/**
 * Liberty's own figures in our scrape: the thread pools, servlets and HTTP sessions that Liberty's
 * {@code monitor-1.0} feature publishes as MXBeans ({@code WebSphere:type=ThreadPoolStats},
 * {@code ServletStats}, {@code SessionStats}). Servlets and session managers appear as they are
 * first used, so each scrape looks for new beans first; every value is read from its bean at scrape
 * time, nothing runs on a request. Without {@code monitor-1.0} there are no beans and no series.
 */
final class LibertyServerMetrics implements Runnable {

    private static final ObjectName THREAD_POOLS = name("WebSphere:type=ThreadPoolStats,*");
    private static final ObjectName SERVLETS = name("WebSphere:type=ServletStats,*");
    private static final ObjectName SESSIONS = name("WebSphere:type=SessionStats,*");

    private final MeterRegistry registry;
    private final MBeanServer server = ManagementFactory.getPlatformMBeanServer();
    private final Set<ObjectName> bound = ConcurrentHashMap.newKeySet();

    LibertyServerMetrics(MeterRegistry registry) {
        this.registry = registry;
    }

    private static ObjectName name(String pattern) {
        try {
            return new ObjectName(pattern);
        } catch (MalformedObjectNameException e) {
            throw new IllegalArgumentException(pattern, e);
        }
    }

    /** Binds the beans that appeared since the last scrape. */
    @Override
    public void run() {
        for (ObjectName pool : server.queryNames(THREAD_POOLS, null)) {
            if (bound.add(pool)) {
                String label = pool.getKeyProperty("name");
                gauge("liberty.threadpool.active.threads", pool, "ActiveThreads", "pool", label,
                        "Threads of the Liberty pool running a task");
                gauge("liberty.threadpool.size", pool, "PoolSize", "pool", label, "Threads in the Liberty pool");
            }
        }
        for (ObjectName servlet : server.queryNames(SERVLETS, null)) {
            if (bound.add(servlet)) {
                FunctionCounter.builder("liberty.servlet.requests", servlet, this::read)
                        .tags("servlet", servlet.getKeyProperty("name"))
                        .description("Requests a servlet has served (Liberty's ServletStats RequestCount)")
                        .register(registry);
            }
        }
        for (ObjectName sessions : server.queryNames(SESSIONS, null)) {
            if (bound.add(sessions)) {
                String label = sessions.getKeyProperty("name");
                gauge("liberty.session.active", sessions, "ActiveCount", "app", label,
                        "HTTP sessions in use by a request now");
                gauge("liberty.session.live", sessions, "LiveCount", "app", label, "HTTP sessions held in memory");
            }
        }
    }

    private void gauge(String name, ObjectName bean, String attribute, String labelName, String label, String description) {
        Gauge.builder(name, bean, b -> read(b, attribute)).tags(labelName, label).description(description)
                .register(registry);
    }

    private double read(ObjectName servlet) {
        return read(servlet, "RequestCount");
    }

    /** NaN when the bean went (an application stopped) or the attribute is not a number. */
    private double read(ObjectName bean, String attribute) {
        try {
            return server.getAttribute(bean, attribute) instanceof Number number ? number.doubleValue() : Double.NaN;
        } catch (JMException e) {
            return Double.NaN;
        }
    }
}
