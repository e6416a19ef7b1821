package io.mudrock.realtime.changes.filter;

import io.mudrock.realtime.changes.values.PgType;

/**
 * Turns a filter value into the canonical text PostgreSQL outputs for it, for column types whose
 * values {@link RowFilter} compares by text (inet, arrays, ranges, extension types...): then
 * {@code 192.168.0.1/32} matches a row holding {@code 192.168.0.1}. It also validates the value
 * with the type's own input function, as upstream's subscription trigger does. See
 * {@code catalog.JdbcCatalog} for the JDBC implementation.
 */
@FunctionalInterface
public interface ValueCanonicalizer {

    /**
     * The output text of {@code value} read as {@code type}.
     *
     * @throws FilterValidationException with PostgreSQL's message if the type rejects the value
     */
    String canonicalize(String value, PgType type) throws FilterValidationException;
}
