/**
 * Pure core of PostgreSQL change streaming, and its top layer: turns decoded WAL messages into
 * {@link io.mudrock.realtime.changes.RowChange}s of known tables
 * ({@link io.mudrock.realtime.changes.ChangeAssembler}, {@link io.mudrock.realtime.changes.RelationCache},
 * {@link io.mudrock.realtime.changes.TableInfo}), serializes {@code postgres_changes} payloads once
 * per change, and reads {@code realtime.messages} inserts for Broadcast from Database. Split by
 * concern below it: {@code pgoutput} (the protocol decoder), {@code values} (types and value
 * conversion), {@code filter} (subscription filters), {@code catalog} (the JDBC catalog lookups).
 *
 * <p>Nothing here depends on CDI, the server or any other package of ours; the sub-packages import
 * downwards only ({@code pgoutput} &lt; {@code values} &lt; this &lt; {@code filter} &lt; {@code catalog}).
 * The live side is {@code io.mudrock.realtime.stream}: it runs one replication stream per tenant,
 * sets the session settings {@link io.mudrock.realtime.changes.values.ValueConverter} expects
 * ({@code DateStyle=ISO, TimeZone=UTC, IntervalStyle=postgres, extra_float_digits=3,
 * bytea_output=hex}) on the replication connection and on the connections its catalog reads use,
 * feeds {@link io.mudrock.realtime.changes.ChangeAssembler} in stream order from one thread,
 * compiles each binding's {@link io.mudrock.realtime.changes.filter.RowFilter} when it joins, and
 * confirms a transaction's end LSN once it was handed to the subscribers.
 */
package io.mudrock.realtime.changes;
