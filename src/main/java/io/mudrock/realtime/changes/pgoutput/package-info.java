/**
 * The {@code pgoutput} logical replication protocol (v1): {@link io.mudrock.realtime.changes.pgoutput.PgOutputDecoder}
 * turns each copy-data message into an immutable {@link io.mudrock.realtime.changes.pgoutput.WalMessage}
 * (begin, relation, insert, update, delete, truncate, commit) with its raw
 * {@link io.mudrock.realtime.changes.pgoutput.TupleData}; nothing here knows about types or JSON.
 */
package io.mudrock.realtime.changes.pgoutput;
