package io.mudrock.realtime.changes.filter;

/** Operators of the {@code postgres_changes} filter grammar ({@code column=op.value}). */
public enum FilterOperator {
    /** {@code =} */
    EQ("eq"),
    /** {@code !=} */
    NEQ("neq"),
    /** {@code <} */
    LT("lt"),
    /** {@code <=} */
    LTE("lte"),
    /** {@code >} */
    GT("gt"),
    /** {@code >=} */
    GTE("gte"),
    /** {@code = any(array)}; the value is a list in parentheses. */
    IN("in"),
    /** {@code LIKE} */
    LIKE("like"),
    /** {@code ILIKE} */
    ILIKE("ilike"),
    /** {@code IS NULL | TRUE | FALSE | UNKNOWN} */
    IS("is"),
    /** {@code ~} (regular expression) */
    MATCH("match"),
    /** {@code ~*} (case-insensitive regular expression) */
    IMATCH("imatch"),
    /** {@code IS DISTINCT FROM} */
    ISDISTINCT("isdistinct");

    private final String wireName;

    FilterOperator(String wireName) {
        this.wireName = wireName;
    }

    /** The operator as written in filters, e.g. {@code gte}. */
    public String wireName() {
        return wireName;
    }

    /** The operator called {@code wireName}, or null. */
    public static FilterOperator fromWireName(String wireName) {
        for (FilterOperator operator : values()) {
            if (operator.wireName.equals(wireName)) {
                return operator;
            }
        }
        return null;
    }
}
