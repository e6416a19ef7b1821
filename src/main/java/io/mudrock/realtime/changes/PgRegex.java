package io.mudrock.realtime.changes;

import java.util.Map;
import java.util.regex.Pattern;

/**
 * Compiles PostgreSQL (ARE) regular expressions with java.util.regex, translating the constructs
 * whose spelling differs: POSIX bracket classes ({@code [[:alpha:]]}), word boundaries
 * ({@code \m \M \y \Y}) and {@code \Z}. Everything else common to both (classes, quantifiers,
 * groups, anchors, {@code \d \s \w}) passes through.
 */
final class PgRegex {

    private static final Map<String, String> POSIX_CLASSES = Map.ofEntries(
            Map.entry("alpha", "\\p{Alpha}"), Map.entry("digit", "\\p{Digit}"), Map.entry("alnum", "\\p{Alnum}"),
            Map.entry("upper", "\\p{Upper}"), Map.entry("lower", "\\p{Lower}"), Map.entry("space", "\\p{Space}"),
            Map.entry("punct", "\\p{Punct}"), Map.entry("xdigit", "\\p{XDigit}"), Map.entry("blank", "\\p{Blank}"),
            Map.entry("cntrl", "\\p{Cntrl}"), Map.entry("graph", "\\p{Graph}"), Map.entry("print", "\\p{Print}"),
            Map.entry("word", "\\w"));

    private PgRegex() {
    }

    /** Compiles {@code regex}; {@code ~*} semantics when {@code caseInsensitive}. */
    static Pattern compile(String regex, boolean caseInsensitive) {
        StringBuilder out = new StringBuilder(regex.length() + 8);
        boolean inBracket = false;
        for (int i = 0; i < regex.length(); i++) {
            char c = regex.charAt(i);
            if (c == '\\' && i + 1 < regex.length()) {
                char next = regex.charAt(++i);
                if (!inBracket) {
                    switch (next) {
                        case 'm' -> out.append("\\b(?=\\w)");
                        case 'M' -> out.append("\\b(?<=\\w)");
                        case 'y' -> out.append("\\b");
                        case 'Y' -> out.append("\\B");
                        case 'Z' -> out.append("\\z");
                        default -> out.append('\\').append(next);
                    }
                } else {
                    out.append('\\').append(next);
                }
                continue;
            }
            if (inBracket && c == '[' && i + 1 < regex.length() && regex.charAt(i + 1) == ':') {
                int close = regex.indexOf(":]", i + 2);
                String replacement = close < 0 ? null : POSIX_CLASSES.get(regex.substring(i + 2, close));
                if (replacement != null) {
                    out.append(replacement);
                    i = close + 1;
                    continue;
                }
            }
            if (c == '[' && !inBracket) {
                inBracket = true;
                out.append(c);
                // A ']' right after '[' or '[^' is a literal member, in both dialects.
                if (i + 1 < regex.length() && regex.charAt(i + 1) == '^') {
                    out.append('^');
                    i++;
                }
                if (i + 1 < regex.length() && regex.charAt(i + 1) == ']') {
                    out.append("\\]");
                    i++;
                }
                continue;
            }
            if (c == ']' && inBracket) {
                inBracket = false;
            } else if (inBracket && c == '[') {
                out.append('\\'); // a literal '[' inside brackets; Java would read a nested class
            }
            out.append(c);
        }
        int flags = caseInsensitive ? Pattern.CASE_INSENSITIVE | Pattern.UNICODE_CASE : 0;
        return Pattern.compile(out.toString(), flags);
    }
}
