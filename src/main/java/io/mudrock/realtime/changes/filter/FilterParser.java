package io.mudrock.realtime.changes.filter;

import java.util.ArrayList;
import java.util.List;

/**
 * Parses the {@code filter} of a {@code postgres_changes} binding, following upstream's
 * {@code Subscriptions.parse_subscription_params}:
 * <ul>
 *   <li>{@code column=op.value}, several joined by commas (all must hold); commas inside
 *       parentheses or a double-quoted value do not split; empty or blank filter = no condition;</li>
 *   <li>{@code not.} before the operator negates it;</li>
 *   <li>{@code in} takes {@code (a,b,...)}, kept as the array literal {@code {a,b,...}};</li>
 *   <li>other values may be PostgREST-quoted: {@code "a,b"}, with {@code \"} and {@code \\} (a
 *       backslash takes the next character literally); a quote that does not close at the very end
 *       leaves the value as written.</li>
 * </ul>
 * Values are not checked against column types here; see {@link RowFilter#compile}.
 */
public final class FilterParser {

    private FilterParser() {
    }

    /**
     * Parses a filter string.
     *
     * @param filter the binding's filter; null or blank for none
     * @return the conditions in written order
     * @throws FilterParseException with upstream's message if the filter is malformed
     */
    public static List<FilterCondition> parse(String filter) throws FilterParseException {
        if (filter == null) {
            return List.of();
        }
        String trimmed = filter.strip();
        if (trimmed.isEmpty()) {
            return List.of();
        }
        List<FilterCondition> conditions = new ArrayList<>();
        for (String segment : splitTopLevel(trimmed)) {
            conditions.add(parseSegment(segment));
        }
        return List.copyOf(conditions);
    }

    /** Splits on commas outside parentheses and quoted values, keeping quotes and escapes. */
    private static List<String> splitTopLevel(String filter) {
        List<String> segments = new ArrayList<>();
        StringBuilder current = new StringBuilder();
        int depth = 0;
        boolean quoted = false;
        char prev = 0; // a quote only opens right after '.', '(' or ','; not after a splitting comma
        for (int i = 0; i < filter.length(); i++) {
            char c = filter.charAt(i);
            if (quoted) {
                current.append(c);
                if (c == '\\' && i + 1 < filter.length()) {
                    prev = filter.charAt(++i);
                    current.append(prev);
                    continue;
                }
                if (c == '"') {
                    quoted = false;
                }
                prev = c;
                continue;
            }
            if (c == '"' && (prev == '.' || prev == '(' || prev == ',')) {
                quoted = true;
            } else if (c == '(') {
                depth++;
            } else if (c == ')') {
                depth = Math.max(0, depth - 1);
            } else if (c == ',' && depth == 0) {
                segments.add(current.toString());
                current.setLength(0);
                prev = 0;
                continue;
            }
            current.append(c);
            prev = c;
        }
        segments.add(current.toString());
        return segments;
    }

    private static FilterCondition parseSegment(String segment) throws FilterParseException {
        String trimmed = segment.strip();
        if (trimmed.isEmpty()) {
            throw new FilterParseException("filter must not contain empty segments (check for extra commas)");
        }
        int eq = trimmed.indexOf('=');
        if (eq < 0) {
            throw new FilterParseException(inspect(trimmed));
        }
        String column = trimmed.substring(0, eq);
        String opValue = trimmed.substring(eq + 1);
        boolean negate = opValue.startsWith("not.");
        if (negate) {
            opValue = opValue.substring(4);
        }
        int dot = opValue.indexOf('.');
        if (dot < 0) {
            throw new FilterParseException(inspect(opValue));
        }
        String op = opValue.substring(0, dot);
        String value = opValue.substring(dot + 1);
        FilterOperator operator = FilterOperator.fromWireName(op);
        if (operator == null) {
            throw new FilterParseException(inspect(op, value));
        }
        if (operator == FilterOperator.IN) {
            if (value.length() < 2 || value.charAt(0) != '(' || value.charAt(value.length() - 1) != ')') {
                throw new FilterParseException("`in` filter value must be wrapped by parentheses");
            }
            return new FilterCondition(column, operator, "{" + value.substring(1, value.length() - 1) + "}", negate);
        }
        return new FilterCondition(column, operator, unquote(value), negate);
    }

    /** PostgREST quoting: {@code "..."} spanning the whole value; otherwise the value as written. */
    private static String unquote(String value) {
        if (!value.startsWith("\"")) {
            return value;
        }
        StringBuilder out = new StringBuilder(value.length());
        for (int i = 1; i < value.length(); i++) {
            char c = value.charAt(i);
            if (c == '"') {
                return i == value.length() - 1 ? out.toString() : value;
            }
            if (c == '\\' && i + 1 < value.length()) {
                c = value.charAt(++i);
            }
            out.append(c);
        }
        return value; // no closing quote
    }

    /** Elixir's {@code inspect} of a list of strings, which upstream puts in its error message. */
    private static String inspect(String... parts) {
        return ElixirInspect.strings(List.of(parts));
    }
}
