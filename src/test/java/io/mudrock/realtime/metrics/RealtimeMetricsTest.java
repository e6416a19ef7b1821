package io.mudrock.realtime.metrics;

import org.junit.jupiter.api.Test;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

class RealtimeMetricsTest {

    private static String scrape() throws IOException {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        RealtimeMetrics.scrape(out);
        return out.toString(StandardCharsets.UTF_8);
    }

    @Test
    void countersAndGaugesAppearWithTheTenantLabelAndPrometheusNames() throws IOException {
        TenantMetrics metrics = RealtimeMetrics.tenant("unit-a");
        metrics.channelJoined(ChannelKind.PUBLIC);
        metrics.channelJoined(ChannelKind.POSTGRES_CHANGES);
        metrics.channelLeft(ChannelKind.PUBLIC);
        metrics.delivered();
        metrics.delivered();
        metrics.broadcastReceived();
        metrics.broadcastSent(3);
        metrics.joinRefused("Unauthorized: You do not have permissions to read from this Channel topic: x");
        metrics.socketClosed(4321, "client");
        metrics.changeQueued(0);
        metrics.rlsChecked(TimeUnit.MILLISECONDS.toNanos(3), 2);
        metrics.replicationState("streaming");
        metrics.replicationLag(1234);

        String text = scrape();
        assertTrue(text.contains("realtime_joined_channels{kind=\"public\",tenant=\"unit-a\"} 0"), text);
        assertTrue(text.contains("realtime_joined_channels{kind=\"postgres_changes\",tenant=\"unit-a\"} 1"), text);
        assertTrue(text.contains("realtime_joins_total{tenant=\"unit-a\"} 2"), text);
        assertTrue(text.contains("realtime_deliveries_total{tenant=\"unit-a\"} 2"), text);
        assertTrue(text.contains("realtime_broadcasts_received_total{tenant=\"unit-a\"} 1"), text);
        assertTrue(text.contains("realtime_broadcasts_sent_total{tenant=\"unit-a\"} 3"), text);
        assertTrue(text.contains("realtime_join_errors_total{reason=\"Unauthorized\",tenant=\"unit-a\"} 1"), text);
        assertTrue(text.contains("realtime_socket_closes_total{cause=\"client\",code=\"other\",tenant=\"unit-a\"} 1"), text);
        assertTrue(text.contains("realtime_db_change_commit_to_queue_seconds_count{tenant=\"unit-a\"} 1"), text);
        assertTrue(text.contains("realtime_rls_check_seconds_bucket{tenant=\"unit-a\",le=\"0.005\"} 1"), text);
        assertTrue(text.contains("realtime_rls_refusals_total{tenant=\"unit-a\"} 2"), text);
        assertTrue(text.contains("realtime_replication_state{state=\"streaming\",tenant=\"unit-a\"} 1"), text);
        assertTrue(text.contains("realtime_replication_lag_bytes{tenant=\"unit-a\"} 1234"), text);
        assertTrue(text.contains("jvm_memory_used_bytes{"), text);
    }

    @Test
    void tenantsKeepTheirOwnCounters() throws IOException {
        RealtimeMetrics.tenant("unit-b").changeDecoded();
        RealtimeMetrics.tenant("unit-c");
        String text = scrape();
        assertTrue(text.contains("realtime_db_changes_decoded_total{tenant=\"unit-b\"} 1"), text);
        assertTrue(text.contains("realtime_db_changes_decoded_total{tenant=\"unit-c\"} 0"), text);
    }

    @Test
    void aDeletedTenantsSeriesLeaveAndComeBackFresh() throws IOException {
        TenantMetrics old = RealtimeMetrics.tenant("unit-gone");
        old.changeDecoded();
        old.joinRefused("Unauthorized: no");
        old.replicationState("streaming");
        assertTrue(scrape().contains("realtime_db_changes_decoded_total{tenant=\"unit-gone\"} 1"));

        assertTrue(RealtimeMetrics.removeTenant("unit-gone"));
        old.socketClosed(1000, "drain"); // a closing socket still holds the old counters
        String gone = scrape();
        assertFalse(gone.contains("tenant=\"unit-gone\""), gone);
        assertNull(RealtimeMetrics.existing("unit-gone"));
        assertFalse(RealtimeMetrics.removeTenant("unit-gone"));

        RealtimeMetrics.tenant("unit-gone").socketClosed(1000, "client");
        String back = scrape();
        assertTrue(back.contains("realtime_db_changes_decoded_total{tenant=\"unit-gone\"} 0"), back);
        assertTrue(back.contains("realtime_socket_closes_total{cause=\"client\",code=\"1000\",tenant=\"unit-gone\"} 1"), back);
        assertFalse(back.contains("cause=\"drain\",code=\"1000\",tenant=\"unit-gone\""), back);
        assertFalse(back.contains("realtime_join_errors_total{reason=\"Unauthorized\",tenant=\"unit-gone\"}"), back);
    }

    @Test
    void unknownTenantRefusalsShareOneBoundedSeries() throws IOException {
        String before = refusalsLine(scrape());
        RealtimeMetrics.unknownTenantRefused();
        RealtimeMetrics.unknownTenantRefused();
        String after = refusalsLine(scrape());
        assertEquals(count(before) + 2, count(after), after);
    }

    private static String refusalsLine(String text) {
        String prefix = "realtime_handshake_refusals_total{reason=\"tenant_not_found\",tenant=\"_unknown\"} ";
        return text.lines().filter(l -> l.startsWith(prefix)).findFirst().orElseThrow(() -> new AssertionError(text));
    }

    private static double count(String line) {
        return Double.parseDouble(line.substring(line.lastIndexOf(' ') + 1));
    }

    @Test
    void theHotPathCountersAllocateNothing() {
        TenantMetrics metrics = RealtimeMetrics.tenant("unit-alloc");
        com.sun.management.ThreadMXBean threads =
                (com.sun.management.ThreadMXBean) java.lang.management.ManagementFactory.getThreadMXBean();
        long thread = Thread.currentThread().getId();
        for (int i = 0; i < 100_000; i++) { // warm up: JIT, and the counters' first cells
            bump(metrics);
        }
        long before = threads.getThreadAllocatedBytes(thread);
        for (int i = 0; i < 1_000_000; i++) {
            bump(metrics);
        }
        long allocated = threads.getThreadAllocatedBytes(thread) - before;
        assertTrue(allocated < 1024, "a million deliveries allocated " + allocated + " bytes");
    }

    private static void bump(TenantMetrics metrics) {
        metrics.delivered();
        metrics.changeDelivered();
        metrics.broadcastSent(1);
        metrics.presenceSent(1);
        metrics.changeDecoded();
    }

    @Test
    void joinErrorsAreLabelledByTheirCodeWordOnly() {
        assertEquals("ConnectionRateLimitReached", TenantMetrics.joinErrorCode("ConnectionRateLimitReached: Too many connected users"));
        assertEquals("Unknown", TenantMetrics.joinErrorCode("Unknown Error on Channel"));
        assertEquals("Unknown", TenantMetrics.joinErrorCode("a b: c"));
        assertEquals("Unknown", TenantMetrics.joinErrorCode(null));
    }
}
