package io.mudrock.realtime.changes.filter;

/**
 * A parsed filter does not fit the table: unknown column, a value the column type does not accept,
 * an operator the column type does not support. Messages follow what upstream's
 * {@code realtime.subscription_check_filters} trigger raises; {@link #sqlState()} and
 * {@link #conditionName()} say which PostgreSQL error it corresponds to, so the server can render
 * upstream's {@code Exception: ERROR 22P02 (invalid_text_representation) ...} text.
 */
public final class FilterValidationException extends FilterException {

    private final String sqlState;
    private final String conditionName;

    public FilterValidationException(String sqlState, String conditionName, String message) {
        super(message);
        this.sqlState = sqlState;
        this.conditionName = conditionName;
    }

    static FilterValidationException raised(String message) {
        return new FilterValidationException("P0001", "raise_exception", message);
    }

    static FilterValidationException invalidText(String message) {
        return new FilterValidationException("22P02", "invalid_text_representation", message);
    }

    static FilterValidationException invalidSyntax(String typeName, String value) {
        return invalidText("invalid input syntax for type " + typeName + ": \"" + value + "\"");
    }

    static FilterValidationException outOfRange(String typeName, String value) {
        return new FilterValidationException("22003", "numeric_value_out_of_range",
                "value \"" + value + "\" is out of range for type " + typeName);
    }

    static FilterValidationException dateTimeOutOfRange(String value) {
        return new FilterValidationException("22008", "datetime_field_overflow",
                "date/time field value out of range: \"" + value + "\"");
    }

    static FilterValidationException dateTimeSyntax(String typeName, String value) {
        return new FilterValidationException("22007", "invalid_datetime_format",
                "invalid input syntax for type " + typeName + ": \"" + value + "\"");
    }

    /** The SQLSTATE of the matching PostgreSQL error, e.g. {@code 22P02}. */
    public String sqlState() {
        return sqlState;
    }

    /** The PostgreSQL condition name, e.g. {@code invalid_text_representation}. */
    public String conditionName() {
        return conditionName;
    }

    /** The message as Postgrex renders the error, which upstream embeds after {@code Exception: }. */
    public String postgrexMessage() {
        return "ERROR " + sqlState + " (" + conditionName + ") " + getMessage();
    }
}
