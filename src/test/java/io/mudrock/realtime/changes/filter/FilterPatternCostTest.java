package io.mudrock.realtime.changes.filter;

import io.mudrock.realtime.changes.values.PgTypeRegistry;
import io.mudrock.realtime.changes.ChangeType;
import io.mudrock.realtime.changes.RowChange;
import io.mudrock.realtime.changes.TableInfo;
import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.concurrent.TimeUnit;

import static io.mudrock.realtime.changes.TestTables.col;
import static io.mudrock.realtime.changes.TestTables.pk;
import static io.mudrock.realtime.changes.TestTables.table;
import static io.mudrock.realtime.changes.TestTables.tuple;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Hostile patterns against long values: each must be answered correctly and quickly, since
 * filters run on the tenant's one stream thread. The patterns are the ones that froze or killed
 * the stream with java.util.regex (measured once on this code base before the change: the like
 * pattern took 605 ms on 40 characters and 4.5 s on 50, growing exponentially; {@code (x|y)*z}
 * threw {@code StackOverflowError} on 3,000). The printed times are for the closing note.
 */
class FilterPatternCostTest {

    /** Generous for a shared machine: the backtracking engine needed seconds to minutes for these. */
    private static final long BOUND_NANOS = TimeUnit.MILLISECONDS.toNanos(1_000);

    private final TableInfo items = table("items", pk("id", PgTypeRegistry.INT4), col("name", PgTypeRegistry.TEXT));

    private boolean evaluate(String filter, String value) throws FilterException {
        RowFilter compiled = RowFilter.compile(FilterParser.parse(filter), items, c -> true, null);
        return compiled.test(new RowChange(items, ChangeType.INSERT, 0, tuple("1", value), null, false));
    }

    private long timed(String filter, String value, boolean expected) throws FilterException {
        long start = System.nanoTime();
        boolean result = evaluate(filter, value);
        long elapsed = System.nanoTime() - start;
        assertEquals(expected, result, filter + " on " + value.length() + " characters");
        String shown = filter.length() > 60 ? filter.substring(0, 40) + "... (" + filter.length() + " characters)" : filter;
        System.out.printf("%s on %,d characters: %.3f ms%n", shown, value.length(), elapsed / 1e6);
        return elapsed;
    }

    @Test
    void catastrophicPatternsAreAnsweredInBoundedTime() throws Exception {
        String forty = "a".repeat(40);
        String sixty = "a".repeat(60);
        String long3000 = "xy".repeat(1500);
        String huge = "a".repeat(100_000);
        long total = 0;
        total += timed("name=like.%a%a%a%a%a%a%a%a!", forty, false);
        total += timed("name=like.%a%a%a%a%a%a%a%a!", sixty, false);
        total += timed("name=ilike.%A%A%A%A%A%A%A%A!", sixty, false);
        total += timed("name=like.%a%a%a%a%a%a%a%a%", sixty, true);
        total += timed("name=match.(x|y)*z", long3000, false);
        total += timed("name=imatch.(X|Y)*Z", long3000, false);
        total += timed("name=match.^(a+)+$", sixty + "!", false);
        total += timed("name=match.(a|aa)*b", sixty, false);
        total += timed("name=like.%a%a%a%a%a%a%a%a!", huge, false);
        total += timed("name=match.(a|b)*c", huge, false);
        assertTrue(total < BOUND_NANOS, "hostile patterns took " + total / 1_000_000 + " ms");
    }

    /**
     * The most a pattern within the limits can cost: time grows with the value's length only
     * (about value x pattern / 64 steps for LIKE, value x live RE2 states for regexes).
     */
    @Test
    void theCostliestPatternsWithinTheLimitsStayLinearInTheValue() throws Exception {
        String huge = "a".repeat(100_000);
        long total = 0;
        total += timed("name=like.%" + "a".repeat(1_000) + "b%", huge, false);
        total += timed("name=ilike.%" + "_a".repeat(500) + "b%", huge, false);
        total += timed("name=match.(a?){30}a{30}b", huge, false);
        total += timed("name=match.[ab]*a[ab]{20}c", huge, false);
        assertTrue(total < 10 * BOUND_NANOS, "the costliest patterns took " + total / 1_000_000 + " ms");
    }

    @Test
    void likeIsExactOnTheEdgesOfItsSegments() throws Exception {
        List<String[]> cases = List.of(
                new String[] {"%", "", "true"}, new String[] {"_", "", "false"}, new String[] {"", "", "true"},
                new String[] {"a%b%c", "abc", "true"}, new String[] {"a%b%c", "ac", "false"},
                new String[] {"%ab%ab%", "abab", "true"}, new String[] {"%ab%ab%", "aba", "false"},
                new String[] {"%aab", "aaab", "true"}, new String[] {"a%a", "a", "false"}, new String[] {"a%a", "aa", "true"},
                new String[] {"_%_", "😀", "false"}, new String[] {"_%_", "😀😀", "true"}, new String[] {"%\\%", "50%", "true"},
                new String[] {"%_b_", "xxbx", "true"}, new String[] {"%_b_", "xxb", "false"}, new String[] {"%%%", "x", "true"});
        for (String[] c : cases) {
            assertEquals(Boolean.parseBoolean(c[2]), evaluate("name=like." + c[0], c[1]), c[1] + " like " + c[0]);
        }
        assertTrue(evaluate("name=ilike.%ÄB_", "xxäbC"));
    }

    private String refused(String filter) {
        return assertThrows(FilterValidationException.class, () -> evaluate(filter, "x"), filter).getMessage();
    }

    @Test
    void patternsTooLongOrBeyondRe2AreRefusedAtJoinWithUpstreamStyleErrors() throws Exception {
        assertEquals("pattern for `like` filter is too long (1025 characters). Maximum 1024",
                refused("name=like." + "a".repeat(1025)));
        assertEquals("pattern for `ilike` filter is too long (2000 characters). Maximum 1024",
                refused("name=ilike." + "%".repeat(2000)));
        assertTrue(evaluate("name=like." + "_".repeat(1024), "x".repeat(1024)), "1,024 characters are accepted");
        String prefix = "invalid regular expression for match filter: invalid regular expression: ";
        assertEquals(prefix + "pattern is too long (257 characters). Maximum 256", refused("name=match." + "a".repeat(257)));
        assertEquals(prefix + "backreferences (\\1) are not supported", refused("name=match.(a)\\1"));
        assertEquals(prefix + "lookahead and lookbehind constraints are not supported", refused("name=match.a(?=b)"));
        assertEquals(prefix + "lookahead and lookbehind constraints are not supported", refused("name=match.(?<!a)b"));
        assertEquals(prefix + "collating elements and equivalence classes are not supported", refused("name=match.[[=a=]]"));
        String tooComplex = prefix + "regular expression is too complex (more than 1000 steps once repetitions are expanded)";
        assertEquals(tooComplex, refused("name=match.((a{100}){100}){100}"));
        assertEquals(tooComplex, refused("name=match.(((){1000}){1000}){1000}"));
        assertEquals(tooComplex, refused("name=match.[ab]{999}c{9}"));
        assertEquals("invalid regular expression for imatch filter: invalid regular expression: missing closing )",
                refused("name=imatch.(a"));
        assertTrue(evaluate("name=match.^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$",
                "a0eebc99-9c0b-4ef8-bb6d-6bb9bd380a11"), "an ordinary pattern stays well inside the limits");
        assertTrue(evaluate("name=imatch.\"^[a-z0-9._%+-]+@[a-z0-9.-]+\\\\.[a-z]{2,}$\"", "Ada@Example.org"));
        assertTrue(evaluate("name=match.^a.b$", "a\nb"), "as in PostgreSQL, . matches a newline");
        assertFalse(evaluate("name=match.^a$", "a\n"), "and $ is the end of the value");
        assertTrue(evaluate("name=match.\\s", "a\u000Bb"), "\\s includes the vertical tab");
    }
}
