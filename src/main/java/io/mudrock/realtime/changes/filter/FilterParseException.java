package io.mudrock.realtime.changes.filter;

/**
 * A filter string is malformed. The message is upstream's, starting with
 * {@code Error parsing `filter` params: }, ready for the {@code system} error message.
 */
public final class FilterParseException extends FilterException {
    FilterParseException(String reason) {
        super("Error parsing `filter` params: " + reason);
    }
}
