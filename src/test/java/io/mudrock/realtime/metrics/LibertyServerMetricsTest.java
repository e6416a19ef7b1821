package io.mudrock.realtime.metrics;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.nio.charset.StandardCharsets;
import javax.management.JMException;
import javax.management.MBeanServer;
import javax.management.ObjectName;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Liberty's MXBeans as {@code monitor-1.0} names them, registered here on the platform MBean
 * server as Liberty does, so the scrape's binding and naming are checked without a server;
 * {@code MetricsIT} checks the real ones.
 */
class LibertyServerMetricsTest {

    private static final MBeanServer SERVER = ManagementFactory.getPlatformMBeanServer();
    private ObjectName pool;
    private ObjectName servlet;

    /** The attributes of Liberty's ThreadPoolStats that we read. */
    public interface PoolMBean {
        /** @return threads running a task */
        int getActiveThreads();

        /** @return threads in the pool */
        int getPoolSize();
    }

    /** The attribute of Liberty's ServletStats that we read. */
    public interface ServletMBean {
        /** @return requests served */
        long getRequestCount();
    }

    /** A pool with fixed figures. */
    public static final class Pool implements PoolMBean {
        @Override
        public int getActiveThreads() {
            return 3;
        }

        @Override
        public int getPoolSize() {
            return 8;
        }
    }

    /** A servlet that counts one more request at each read. */
    public static final class Servlet implements ServletMBean {
        private long requests;

        @Override
        public synchronized long getRequestCount() {
            return ++requests;
        }
    }

    @AfterEach
    void unregister() throws JMException {
        for (ObjectName name : new ObjectName[] {pool, servlet}) {
            if (name != null && SERVER.isRegistered(name)) {
                SERVER.unregisterMBean(name);
            }
        }
    }

    private static String scrape() throws IOException {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        RealtimeMetrics.scrape(out);
        return out.toString(StandardCharsets.UTF_8);
    }

    @Test
    void threadPoolsAndServletsAppearWithPrometheusNamesAndLiveValues() throws Exception {
        assertFalse(scrape().contains("pool=\"Unit Executor\""), "no bean, no series");
        pool = new ObjectName("WebSphere:type=ThreadPoolStats,name=Unit Executor");
        servlet = new ObjectName("WebSphere:type=ServletStats,name=unit.io.example.UnitServlet");
        SERVER.registerMBean(new Pool(), pool);
        SERVER.registerMBean(new Servlet(), servlet);

        String text = scrape();
        assertTrue(text.contains("liberty_threadpool_active_threads{pool=\"Unit Executor\"} 3.0"), text);
        assertTrue(text.contains("liberty_threadpool_size{pool=\"Unit Executor\"} 8.0"), text);
        assertTrue(text.contains("# TYPE liberty_servlet_requests_total counter"), text);
        assertTrue(text.contains("liberty_servlet_requests_total{servlet=\"unit.io.example.UnitServlet\"} 1.0"), text);
        assertTrue(scrape().contains("liberty_servlet_requests_total{servlet=\"unit.io.example.UnitServlet\"} 2.0"),
                "read from the bean at each scrape");

        SERVER.unregisterMBean(pool);
        assertTrue(scrape().contains("liberty_threadpool_size{pool=\"Unit Executor\"} NaN"), "a bean that went reads NaN");
    }
}
