/**
 * Pure core of PostgreSQL change streaming: decodes the {@code pgoutput} logical replication
 * protocol (v1) into immutable messages, converts column values to the JSON that Supabase Realtime
 * clients expect, serializes {@code postgres_changes} payloads and parses, validates and evaluates
 * subscription filters.
 *
 * <p>Nothing here depends on CDI, the server or any other package of ours; database access is
 * limited to the optional JDBC catalog lookups behind {@link io.mudrock.realtime.changes.TypeLookup}
 * and {@link io.mudrock.realtime.changes.PrimaryKeyLookup}.
 */
package io.mudrock.realtime.changes;
