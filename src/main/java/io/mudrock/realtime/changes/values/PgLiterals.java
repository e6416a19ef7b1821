package io.mudrock.realtime.changes.values;

/**
 * Parsers for the text forms of arrays ({@code {a,"b c",NULL}}, optionally with a
 * {@code [lb:ub]=} dimension prefix) and composites ({@code (a,"b c",)}), following PostgreSQL's
 * {@code array_in} / {@code record_out} rules. They report structure to a visitor instead of
 * building lists, so conversion can write JSON straight away.
 */
public final class PgLiterals {

    private PgLiterals() {
    }

    /** Receives the structure of an array literal. */
    public interface ArrayVisitor {
        /** A (sub-)array starts. */
        void begin();

        /** An element; null for an unquoted NULL. */
        void element(String value);

        /** The current (sub-)array ends. */
        void end();
    }

    /** Receives the fields of a composite literal. */
    interface FieldVisitor {
        /** Field {@code index}; null for SQL NULL. */
        void field(int index, String value);
    }

    /**
     * Parses an array literal.
     *
     * @throws IllegalArgumentException if {@code text} is not a well-formed array literal
     */
    public static void parseArray(String text, char delimiter, ArrayVisitor visitor) {
        int i = skipSpace(text, 0);
        if (i < text.length() && text.charAt(i) == '[') {
            // Dimension decoration of arrays whose lower bound is not 1; JSON has no place for it.
            int eq = text.indexOf('=', i);
            if (eq < 0) {
                throw malformedArray(text);
            }
            i = skipSpace(text, eq + 1);
        }
        i = parseLevel(text, i, delimiter, visitor);
        if (skipSpace(text, i) != text.length()) {
            throw malformedArray(text);
        }
    }

    private static int parseLevel(String text, int start, char delimiter, ArrayVisitor visitor) {
        if (start >= text.length() || text.charAt(start) != '{') {
            throw malformedArray(text);
        }
        visitor.begin();
        int i = skipSpace(text, start + 1);
        if (i < text.length() && text.charAt(i) == '}') {
            visitor.end();
            return i + 1;
        }
        StringBuilder value = new StringBuilder();
        while (true) {
            i = skipSpace(text, i);
            if (i >= text.length()) {
                throw malformedArray(text);
            }
            char c = text.charAt(i);
            if (c == '{') {
                i = parseLevel(text, i, delimiter, visitor);
            } else if (c == '"') {
                value.setLength(0);
                i++;
                while (true) {
                    if (i >= text.length()) {
                        throw malformedArray(text);
                    }
                    char q = text.charAt(i++);
                    if (q == '"') {
                        break;
                    }
                    if (q == '\\') {
                        if (i >= text.length()) {
                            throw malformedArray(text);
                        }
                        q = text.charAt(i++);
                    }
                    value.append(q);
                }
                visitor.element(value.toString());
            } else {
                value.setLength(0);
                boolean escaped = false;
                int lastSignificant = 0;
                while (i < text.length()) {
                    char u = text.charAt(i);
                    if (u == delimiter || u == '}') {
                        break;
                    }
                    if (u == '"' || u == '{') {
                        throw malformedArray(text);
                    }
                    i++;
                    if (u == '\\') {
                        if (i >= text.length()) {
                            throw malformedArray(text);
                        }
                        value.append(text.charAt(i++));
                        escaped = true;
                        lastSignificant = value.length();
                    } else {
                        value.append(u);
                        if (!Character.isWhitespace(u)) {
                            lastSignificant = value.length();
                        }
                    }
                }
                // array_in drops trailing whitespace of unquoted elements (escaped spaces stay).
                value.setLength(lastSignificant);
                if (value.length() == 0) {
                    throw malformedArray(text);
                }
                boolean isNull = !escaped && value.length() == 4 && value.toString().equalsIgnoreCase("NULL");
                visitor.element(isNull ? null : value.toString());
            }
            i = skipSpace(text, i);
            if (i >= text.length()) {
                throw malformedArray(text);
            }
            char next = text.charAt(i);
            if (next == delimiter) {
                i++;
            } else if (next == '}') {
                visitor.end();
                return i + 1;
            } else {
                throw malformedArray(text);
            }
        }
    }

    /**
     * Parses a composite literal as {@code record_out} writes it.
     *
     * @return the number of fields
     * @throws IllegalArgumentException if {@code text} is not a well-formed composite literal
     */
    static int parseRecord(String text, FieldVisitor visitor) {
        if (text.length() < 2 || text.charAt(0) != '(' || text.charAt(text.length() - 1) != ')') {
            throw new IllegalArgumentException("malformed record literal: \"" + text + "\"");
        }
        int end = text.length() - 1;
        int i = 1;
        int index = 0;
        StringBuilder value = new StringBuilder();
        while (true) {
            value.setLength(0);
            boolean isNull = true;
            boolean quoted = false;
            while (i < end) {
                char c = text.charAt(i);
                if (!quoted && c == ',') {
                    break;
                }
                isNull = false;
                i++;
                if (c == '\\' && i < end) {
                    value.append(text.charAt(i++));
                } else if (c == '"') {
                    if (quoted && i < end && text.charAt(i) == '"') {
                        value.append('"');
                        i++;
                    } else {
                        quoted = !quoted;
                    }
                } else {
                    value.append(c);
                }
            }
            if (quoted) {
                throw new IllegalArgumentException("malformed record literal: \"" + text + "\"");
            }
            visitor.field(index++, isNull ? null : value.toString());
            if (i >= end) {
                return index;
            }
            i++; // the comma
        }
    }

    private static int skipSpace(String text, int i) {
        while (i < text.length() && Character.isWhitespace(text.charAt(i))) {
            i++;
        }
        return i;
    }

    private static IllegalArgumentException malformedArray(String text) {
        return new IllegalArgumentException("malformed array literal: \"" + text + "\"");
    }
}
