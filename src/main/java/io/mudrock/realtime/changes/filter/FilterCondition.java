package io.mudrock.realtime.changes.filter;

import java.util.Objects;

/**
 * One parsed condition of a filter, as upstream stores it in {@code realtime.subscription.filters}.
 *
 * @param column   column name exactly as written
 * @param operator the operator
 * @param value    the value, unquoted; for {@code in} the list as a PostgreSQL array literal
 *                 ({@code (a,b)} becomes {@code {a,b}})
 * @param negate   whether the condition had a {@code not.} prefix
 */
public record FilterCondition(String column, FilterOperator operator, String value, boolean negate) {
    public FilterCondition {
        Objects.requireNonNull(column, "column");
        Objects.requireNonNull(operator, "operator");
        Objects.requireNonNull(value, "value");
    }
}
