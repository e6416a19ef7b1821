package io.mudrock.realtime.changes.filter;

import com.google.re2j.Pattern;
import com.google.re2j.PatternSyntaxException;

/**
 * Compiles PostgreSQL (ARE) regular expressions for RE2/J, whose matching takes time linear in
 * the value whatever the pattern (java.util.regex backtracks: {@code (x|y)*z} overflowed the
 * stack on 3,000 characters). Translated: word boundaries ({@code \m \M \y \Y}), {@code \Z},
 * {@code \s}, the escapes whose meaning differs ({@code \b} backspace, {@code \B} backslash,
 * {@code \e}), a {@code ]} or {@code [} taken literally inside brackets. Both engines share
 * classes ({@code [[:alpha:]]}, {@code \d \w}), quantifiers, groups and anchors; like PostgreSQL,
 * {@code .} also matches a newline and {@code ^ $} anchor at the ends of the value.
 *
 * <p>Refused, with a reason: what RE2 cannot run in linear time (backreferences, lookahead and
 * lookbehind), collating elements and equivalence classes, patterns longer than
 * {@link #MAX_LENGTH} characters and patterns whose counted repetitions expand beyond
 * {@link #MAX_PROGRAM_SIZE} instructions (checked before compiling, as {@code ((a{1000}){1000}){1000}}
 * would not fit in memory). One difference: {@code \m} and {@code \M} match any word boundary,
 * as {@code \y} does, which is the same whenever the pattern next to them is a word character.
 */
final class PgRegex {

    /** Longest pattern accepted, in characters. */
    static final int MAX_LENGTH = 256;

    /** Largest compiled program accepted (RE2 instructions); matching costs at most value length times this. */
    static final int MAX_PROGRAM_SIZE = 1_000;

    /** A pattern this server does not run; the reason reads after {@code invalid regular expression: }. */
    static final class Refused extends Exception {
        Refused(String reason) {
            super(reason);
        }
    }

    private PgRegex() {
    }

    /**
     * Compiles {@code regex}; {@code ~*} semantics when {@code caseInsensitive}.
     *
     * @throws Refused if the pattern is malformed, too long, too complex or needs backtracking
     */
    static Pattern compile(String regex, boolean caseInsensitive) throws Refused {
        if (regex.length() > MAX_LENGTH) {
            throw new Refused("pattern is too long (" + regex.length() + " characters). Maximum " + MAX_LENGTH);
        }
        String translated = translate(regex);
        Pattern pattern;
        try {
            pattern = Pattern.compile(translated, Pattern.DOTALL | (caseInsensitive ? Pattern.CASE_INSENSITIVE : 0));
        } catch (PatternSyntaxException e) {
            throw new Refused(e.getDescription());
        }
        if (pattern.programSize() > MAX_PROGRAM_SIZE) {
            throw new Refused(tooComplex());
        }
        return pattern;
    }

    private static String tooComplex() {
        return "regular expression is too complex (more than " + MAX_PROGRAM_SIZE + " steps once repetitions are expanded)";
    }

    /** The RE2 spelling of an ARE pattern, estimating its expanded size on the way. */
    private static String translate(String regex) throws Refused {
        StringBuilder out = new StringBuilder(regex.length() + 8);
        Size size = new Size();
        boolean inBracket = false;
        for (int i = 0; i < regex.length(); i++) {
            char c = regex.charAt(i);
            if (inBracket) {
                if (c == '\\' && i + 1 < regex.length()) {
                    char next = regex.charAt(++i);
                    out.append(switch (next) {
                        case 's' -> "[:space:]";
                        case 'b' -> "\\x08";
                        case 'B' -> "\\\\";
                        case 'e' -> "\\x1B";
                        default -> "\\" + next;
                    });
                } else if (c == '[' && i + 1 < regex.length() && regex.charAt(i + 1) == ':') {
                    int close = regex.indexOf(":]", i + 2);
                    if (close < 0) {
                        throw new Refused("brackets [] not balanced");
                    }
                    out.append(regex, i, close + 2); // RE2 knows PostgreSQL's class names
                    i = close + 1;
                } else if (c == '[' && i + 1 < regex.length() && (regex.charAt(i + 1) == '.' || regex.charAt(i + 1) == '=')) {
                    throw new Refused("collating elements and equivalence classes are not supported");
                } else if (c == '[') {
                    out.append("\\["); // a literal '[' inside brackets
                } else {
                    out.append(c);
                    inBracket = c != ']';
                    if (!inBracket) {
                        size.atom(1);
                    }
                }
                continue;
            }
            switch (c) {
                case '\\' -> {
                    if (i + 1 == regex.length()) {
                        throw new Refused("invalid escape \\ sequence");
                    }
                    char next = regex.charAt(++i);
                    if (next >= '1' && next <= '9') {
                        throw new Refused("backreferences (\\" + next + ") are not supported");
                    }
                    out.append(switch (next) {
                        case 'm', 'M', 'y' -> "\\b";
                        case 'Y' -> "\\B";
                        case 'Z' -> "\\z";
                        case 'b' -> "\\x08"; // backspace in PostgreSQL, a word boundary in RE2
                        case 'B' -> "\\\\"; // PostgreSQL's synonym for a backslash
                        case 'e' -> "\\x1B";
                        case 's' -> "[[:space:]]";
                        case 'S' -> "[^[:space:]]";
                        default -> "\\" + next;
                    });
                    size.atom(1);
                }
                case '[' -> {
                    inBracket = true;
                    out.append('[');
                    // A ']' right after '[' or '[^' is a literal member, in both dialects.
                    if (i + 1 < regex.length() && regex.charAt(i + 1) == '^') {
                        out.append('^');
                        i++;
                    }
                    if (i + 1 < regex.length() && regex.charAt(i + 1) == ']') {
                        out.append("\\]");
                        i++;
                    }
                }
                case '(' -> {
                    if (regex.startsWith("(?=", i) || regex.startsWith("(?!", i) || regex.startsWith("(?<=", i)
                            || regex.startsWith("(?<!", i)) {
                        throw new Refused("lookahead and lookbehind constraints are not supported");
                    }
                    size.open();
                    out.append(c);
                }
                case ')' -> {
                    size.close();
                    out.append(c);
                }
                case '{' -> {
                    int close = regex.indexOf('}', i);
                    int count = close < 0 ? -1 : repeatCount(regex.substring(i + 1, close));
                    if (count < 0) {
                        size.atom(1); // not a bound: RE2 reads it as a literal brace (or refuses it)
                        out.append(c);
                    } else {
                        size.repeat(count);
                        out.append(regex, i, close + 1);
                        i = close;
                    }
                }
                case '*', '+', '?' -> out.append(c);
                case '|' -> {
                    size.atom(1);
                    out.append(c);
                }
                default -> {
                    size.atom(1);
                    out.append(c);
                }
            }
            if (size.total() > MAX_PROGRAM_SIZE) {
                throw new Refused(tooComplex());
            }
        }
        return out.toString();
    }

    /** The larger count of a bound {@code m}, {@code m,} or {@code m,n}, or -1 if it is not one. */
    private static int repeatCount(String bound) {
        int comma = bound.indexOf(',');
        String min = comma < 0 ? bound : bound.substring(0, comma);
        String max = comma < 0 ? "" : bound.substring(comma + 1);
        if (!min.matches("\\d{1,4}") || !(max.isEmpty() || max.matches("\\d{1,4}"))) {
            return -1;
        }
        int m = Integer.parseInt(min);
        return comma < 0 ? m : max.isEmpty() ? m + 1 : Math.max(m, Integer.parseInt(max));
    }

    /**
     * The expanded size of the pattern so far: atoms count one, a group its content plus two, a
     * counted repetition multiplies what it repeats. Saturates, so nesting cannot overflow it.
     */
    private static final class Size {
        private static final long CAP = 1L << 40;
        private long[] frames = new long[8];
        private int depth;
        private long last;

        void atom(long weight) {
            frames[depth] = Math.min(CAP, frames[depth] + weight);
            last = weight;
        }

        void open() {
            if (++depth == frames.length) {
                frames = java.util.Arrays.copyOf(frames, depth * 2);
            }
            frames[depth] = 0;
        }

        void close() {
            if (depth == 0) {
                return; // unbalanced: RE2 reports it
            }
            long group = frames[depth--] + 2;
            atom(group);
        }

        void repeat(int count) {
            long extra = Math.min(CAP, last * Math.max(0, count - 1));
            frames[depth] = Math.min(CAP, frames[depth] + extra);
            last = Math.min(CAP, last * Math.max(1, count));
        }

        long total() {
            long sum = 0;
            for (int i = 0; i <= depth; i++) {
                sum = Math.min(CAP, sum + frames[i]);
            }
            return sum;
        }
    }
}
