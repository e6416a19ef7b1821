/**
 * Subscription filters of {@code postgres_changes} ({@code column=op.value}): parsing, validation
 * with upstream's error texts, and {@link io.mudrock.realtime.changes.filter.RowFilter}, compiled
 * once per binding and evaluated on every change with PostgreSQL's comparison semantics. Pattern
 * operators run in time linear in the value whatever the pattern: a LIKE matcher of its own and
 * RE2/J for regular expressions, since the stream evaluates every binding on one thread per tenant.
 */
package io.mudrock.realtime.changes.filter;
