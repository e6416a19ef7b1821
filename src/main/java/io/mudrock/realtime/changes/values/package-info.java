/**
 * PostgreSQL types and values: the type registry (built-in oids, arrays, ranges, and what the
 * catalog adds), the parsers of PostgreSQL's text forms (arrays, dates, times, intervals), and
 * {@link io.mudrock.realtime.changes.values.ValueConverter}, which turns a column's text into the
 * JSON value Supabase Realtime clients receive.
 */
package io.mudrock.realtime.changes.values;
