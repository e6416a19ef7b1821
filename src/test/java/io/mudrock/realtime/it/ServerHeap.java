package io.mudrock.realtime.it;

import java.lang.management.ManagementFactory;
import java.lang.management.MemoryMXBean;
import java.nio.file.Files;
import java.nio.file.Path;
import javax.management.JMX;
import javax.management.MBeanServerConnection;
import javax.management.ObjectName;
import javax.management.remote.JMXConnector;
import javax.management.remote.JMXConnectorFactory;
import javax.management.remote.JMXServiceURL;

/**
 * The test server's heap, read over JMX through Liberty's {@code localConnector-1.0} (the address
 * it writes under {@code logs/state}), after a full collection so the figure is what is retained.
 */
final class ServerHeap {

    private ServerHeap() {
    }

    /** @return heap bytes in use after {@code System.gc()} in the server */
    static long retainedBytes() throws Exception {
        Path address = TestServer.serverDir().resolve("logs/state/com.ibm.ws.jmx.local.address");
        try (JMXConnector connector = JMXConnectorFactory.connect(new JMXServiceURL(Files.readString(address).trim()))) {
            MBeanServerConnection server = connector.getMBeanServerConnection();
            MemoryMXBean memory = JMX.newMXBeanProxy(server, new ObjectName(ManagementFactory.MEMORY_MXBEAN_NAME),
                    MemoryMXBean.class);
            memory.gc();
            memory.gc();
            return memory.getHeapMemoryUsage().getUsed();
        }
    }

    /** @return bytes as megabytes, for reports */
    static long mb(long bytes) {
        return bytes >> 20;
    }
}
