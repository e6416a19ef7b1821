package io.mudrock.realtime.changes.filter;

/**
 * A binding's filter cannot be used; the message is what upstream reports to the client. Either a
 * {@link FilterParseException} (malformed filter string) or a {@link FilterValidationException}
 * (does not fit the table).
 */
public abstract sealed class FilterException extends Exception
        permits FilterParseException, FilterValidationException {

    FilterException(String message) {
        super(message);
    }
}
