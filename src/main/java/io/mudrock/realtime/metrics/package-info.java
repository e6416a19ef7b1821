/**
 * Per-tenant operational metrics: one {@link io.mudrock.realtime.metrics.TenantMetrics} per tenant,
 * looked up once per socket or stream, whose hot-path methods only bump {@code LongAdder}s, and the
 * process-wide {@link io.mudrock.realtime.metrics.RealtimeMetrics} registry that renders them with the
 * JVM's own series in the Prometheus text format. Imports nothing of ours, so {@code channel},
 * {@code socket} and {@code stream} call it directly; the protected {@code /metrics} endpoint is
 * {@code admin.MetricsServlet}.
 */
package io.mudrock.realtime.metrics;
