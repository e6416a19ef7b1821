/**
 * The live side of {@code postgres_changes}: one logical replication stream (pgoutput) per tenant
 * with live bindings, run on Liberty's managed executor and owned by
 * {@link io.mudrock.realtime.stream.ReplicationStreams}, the channel layer's
 * {@link io.mudrock.realtime.channel.PostgresChangesGateway}.
 *
 * <p>It wires the pure core of {@link io.mudrock.realtime.changes} (decoding, values, payloads,
 * filters) into the path of one change: read, route through an index by table, authorize with row
 * level security once per claims group and batch, serialize once per column mask, queue one frame
 * per channel, then confirm the LSN. It adds what needs a database or a thread: binding
 * validation against the catalog, RLS checks, slots, reconnection, and the {@code system}
 * messages that tell subscribers about each of them. It never waits for a subscriber: budgets and
 * backpressure are each socket's own, in the channel layer.
 */
package io.mudrock.realtime.stream;
