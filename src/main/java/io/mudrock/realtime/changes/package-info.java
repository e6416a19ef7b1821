/**
 * Pure core of PostgreSQL change streaming: decodes the {@code pgoutput} logical replication
 * protocol (v1) into immutable messages, converts column values to the JSON that Supabase Realtime
 * clients expect, serializes {@code postgres_changes} payloads and parses, validates and evaluates
 * subscription filters.
 *
 * <p>Nothing here depends on CDI, the server or any other package of ours; database access is
 * limited to the optional JDBC catalog lookups behind {@link io.mudrock.realtime.changes.TypeLookup}
 * and {@link io.mudrock.realtime.changes.PrimaryKeyLookup}. Pattern filters run in time linear in
 * the value whatever the pattern (a LIKE matcher of its own, RE2/J for regular expressions), since
 * the stream evaluates every binding's filter on one thread per tenant.
 *
 * <p>The live side is {@code io.mudrock.realtime.stream}: it runs one replication stream per
 * tenant, sets the session settings {@link io.mudrock.realtime.changes.ValueConverter} expects
 * ({@code DateStyle=ISO, TimeZone=UTC, IntervalStyle=postgres, extra_float_digits=3,
 * bytea_output=hex}) on the replication connection and on the connections its catalog reads use,
 * feeds {@link io.mudrock.realtime.changes.ChangeAssembler} in stream order from one thread,
 * compiles each binding's {@link io.mudrock.realtime.changes.RowFilter} when it joins, and
 * confirms a transaction's end LSN once it was handed to the subscribers.
 */
package io.mudrock.realtime.changes;
