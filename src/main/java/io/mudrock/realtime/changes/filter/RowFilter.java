package io.mudrock.realtime.changes.filter;

import io.mudrock.realtime.changes.values.PgLiterals;
import io.mudrock.realtime.changes.values.PgType;
import io.mudrock.realtime.changes.ColumnInfo;
import io.mudrock.realtime.changes.RowChange;
import io.mudrock.realtime.changes.TableInfo;
import com.google.re2j.Pattern;

import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.function.Predicate;

/**
 * A binding's filter, validated against its table and compiled once; {@link #test} then decides
 * per change whether the binding receives it, as upstream's {@code is_visible_through_filters}:
 * every condition must hold (SQL semantics: a comparison with NULL does not hold, negated or not),
 * a condition on a column the change lacks fails, DELETE is judged on its old values. One
 * deliberate difference: an unchanged TOAST value counts when the old row carried it (REPLICA
 * IDENTITY FULL), as it does in the payload's record; upstream fails such a condition.
 *
 * <p>Compiled against one table shape, a filter re-binds itself by column name when it first sees
 * a change of a newer shape (after {@code ALTER TABLE}); a condition whose column disappeared or
 * whose new type rejects the value then fails. Thread-safe; {@link #test} allocates nothing beyond
 * what parsing numeric/float row values, regex matchers and LIKE's matching state need.
 *
 * <p>Pattern operators cost time linear in the value: LIKE/ILIKE run a non-backtracking matcher
 * ({@link LikePattern}), match/imatch RE2 ({@link PgRegex}); patterns are bounded in length.
 */
public final class RowFilter {

    private static final int FALSE = 0;
    private static final int TRUE = 1;
    private static final int UNKNOWN = -1;

    /** Largest number of values an {@code in} condition may list. */
    static final int MAX_IN_VALUES = 100;

    /** Longest {@code like}/{@code ilike} pattern, in characters; see {@link PgRegex#MAX_LENGTH} for regexes. */
    static final int MAX_LIKE_LENGTH = 1_024;

    private final List<FilterCondition> conditions;
    private final ValueCanonicalizer canonicalizer;
    private volatile Bound bound;

    private record Bound(TableInfo table, Check[] checks) {
    }

    private RowFilter(List<FilterCondition> conditions, ValueCanonicalizer canonicalizer, Bound bound) {
        this.conditions = conditions;
        this.canonicalizer = canonicalizer;
        this.bound = bound;
    }

    /**
     * Validates conditions against a table and compiles them, in order, reporting the first
     * problem like upstream's {@code subscription_check_filters}.
     *
     * @param conditions from {@link FilterParser#parse}
     * @param table      the table the binding subscribes to
     * @param selectable    whether the subscriber's role may SELECT a column; others count as unknown
     * @param canonicalizer reads values of types compared by text (inet, arrays, ...) the way the
     *                      database prints them; null to compare them as written
     * @throws FilterValidationException e.g. {@code invalid column for filter x},
     *                                   {@code invalid input syntax for type integer: "x"}
     */
    public static RowFilter compile(List<FilterCondition> conditions, TableInfo table, Predicate<ColumnInfo> selectable,
                                    ValueCanonicalizer canonicalizer) throws FilterValidationException {
        Objects.requireNonNull(table, "table");
        Check[] checks = new Check[conditions.size()];
        for (int i = 0; i < checks.length; i++) {
            FilterCondition condition = conditions.get(i);
            int index = table.columnIndex(condition.column());
            if (index < 0 || !selectable.test(table.column(index))) {
                throw FilterValidationException.raised("invalid column for filter " + condition.column());
            }
            checks[i] = compile(condition, index, table.column(index).type(), canonicalizer);
        }
        return new RowFilter(List.copyOf(conditions), canonicalizer, new Bound(table, checks));
    }

    /** The conditions this filter was compiled from. */
    public List<FilterCondition> conditions() {
        return conditions;
    }

    /** Whether the change passes every condition. */
    public boolean test(RowChange change) {
        Bound current = bound;
        if (current.table != change.table()) {
            current = rebind(current, change.table());
        }
        for (Check check : current.checks) {
            if (check.column < 0 || !change.hasFilterValue(check.column)) {
                return false;
            }
            int result;
            try {
                result = check.evaluate(change.filterValue(check.column));
            } catch (RuntimeException unreadable) {
                result = UNKNOWN; // a row value of unexpected form cannot satisfy the condition
            }
            if (check.negate && result != UNKNOWN) {
                result = TRUE - result;
            }
            if (result != TRUE) {
                return false;
            }
        }
        return true;
    }

    private Bound rebind(Bound previous, TableInfo table) {
        Check[] checks = new Check[conditions.size()];
        for (int i = 0; i < checks.length; i++) {
            FilterCondition condition = conditions.get(i);
            int index = table.columnIndex(condition.column());
            Check old = previous.checks[i];
            if (index < 0) {
                checks[i] = Check.MISSING;
            } else if (old.typeOid == table.column(index).type().oid()) {
                checks[i] = old.at(index);
            } else {
                try {
                    checks[i] = compile(condition, index, table.column(index).type(), canonicalizer);
                } catch (FilterValidationException e) {
                    checks[i] = Check.MISSING; // the value no longer fits the column type
                }
            }
        }
        Bound rebound = new Bound(table, checks);
        bound = rebound;
        return rebound;
    }

    private static Check compile(FilterCondition condition, int index, PgType type, ValueCanonicalizer canonicalizer)
            throws FilterValidationException {
        FilterSemantics semantics = FilterSemantics.of(type, canonicalizer);
        String value = condition.value();
        FilterOperator operator = condition.operator();
        boolean negate = condition.negate();
        int typeOid = type.oid();
        switch (operator) {
            case IN -> {
                List<Object> operands = new ArrayList<>();
                boolean[] hasNull = new boolean[1];
                int[] depth = new int[1];
                FilterValidationException[] failure = new FilterValidationException[1];
                try {
                    PgLiterals.parseArray(value, type.effective().delimiter(), new PgLiterals.ArrayVisitor() {
                        @Override
                        public void begin() {
                            depth[0]++;
                        }

                        @Override
                        public void element(String element) {
                            if (failure[0] != null) {
                                return;
                            }
                            if (element == null) {
                                hasNull[0] = true;
                                operands.add(null);
                                return;
                            }
                            try {
                                operands.add(semantics.parse(element));
                            } catch (FilterValidationException e) {
                                failure[0] = e;
                            }
                        }

                        @Override
                        public void end() {
                            depth[0]--;
                        }
                    });
                } catch (IllegalArgumentException malformed) {
                    throw FilterValidationException.invalidText(malformed.getMessage());
                }
                if (failure[0] != null) {
                    throw failure[0];
                }
                if (operands.size() > MAX_IN_VALUES) {
                    throw FilterValidationException.raised("too many values for `in` filter. Maximum " + MAX_IN_VALUES);
                }
                requireEquality(semantics, type);
                operands.removeIf(Objects::isNull);
                return new InCheck(index, typeOid, negate, semantics, operands.toArray(), hasNull[0]);
            }
            case IS -> {
                if (!List.of("null", "true", "false", "unknown").contains(value)) {
                    throw FilterValidationException.raised("invalid value for is filter: must be null, true, false, or unknown");
                }
                if (!value.equals("null") && !FilterSemantics.isBool(type)) {
                    throw FilterValidationException.raised("is " + value + " filter requires a boolean column, got "
                            + FilterSemantics.regtypeName(type));
                }
                return new IsCheck(index, typeOid, negate, value);
            }
            case LIKE, ILIKE -> {
                requireText(operator, type);
                if (value.length() > MAX_LIKE_LENGTH) {
                    throw FilterValidationException.raised("pattern for `" + operator.wireName() + "` filter is too long ("
                            + value.length() + " characters). Maximum " + MAX_LIKE_LENGTH);
                }
                // character(n) patterns see the padding: 'ab'::char(4) LIKE 'ab' is false in PostgreSQL.
                return new PatternCheck(index, typeOid, negate, LikePattern.compile(value, operator == FilterOperator.ILIKE)::matches);
            }
            case MATCH, IMATCH -> {
                requireText(operator, type);
                try {
                    Pattern pattern = PgRegex.compile(value, operator == FilterOperator.IMATCH);
                    return new PatternCheck(index, typeOid, negate, text -> pattern.matcher(text).find());
                } catch (PgRegex.Refused e) {
                    throw FilterValidationException.raised("invalid regular expression for " + operator.wireName()
                            + " filter: invalid regular expression: " + e.getMessage());
                }
            }
            default -> {
                Object operand = semantics.parse(value);
                requireEquality(semantics, type);
                boolean ordering = operator == FilterOperator.LT || operator == FilterOperator.LTE
                        || operator == FilterOperator.GT || operator == FilterOperator.GTE;
                if (ordering && !semantics.ordered()) {
                    throw new FilterValidationException("0A000", "feature_not_supported", "operator " + operator.wireName()
                            + " is not supported for filters on columns of type " + FilterSemantics.regtypeName(type));
                }
                if (operator == FilterOperator.ISDISTINCT) {
                    return new DistinctCheck(index, typeOid, negate, semantics, operand);
                }
                return new CompareCheck(index, typeOid, negate, operator, semantics, operand);
            }
        }
    }

    private static void requireEquality(FilterSemantics semantics, PgType type) throws FilterValidationException {
        if (!semantics.hasEquality()) {
            String name = FilterSemantics.regtypeName(type);
            throw new FilterValidationException("42883", "undefined_function", "operator does not exist: " + name + " = " + name);
        }
    }

    private static void requireText(FilterOperator operator, PgType type) throws FilterValidationException {
        if (!FilterSemantics.isText(type)) {
            throw FilterValidationException.raised("operator " + operator.wireName()
                    + " requires a text-compatible column type, got " + FilterSemantics.regtypeName(type));
        }
    }

    /** One compiled condition, bound to a column index. */
    private abstract static class Check {
        static final Check MISSING = new Check(-1, 0, false) {
            @Override
            int evaluate(String text) {
                return FALSE;
            }

            @Override
            Check at(int column) {
                return this;
            }
        };

        final int column;
        final int typeOid;
        final boolean negate;

        Check(int column, int typeOid, boolean negate) {
            this.column = column;
            this.typeOid = typeOid;
            this.negate = negate;
        }

        /** TRUE, FALSE or UNKNOWN (SQL NULL) for a row value; {@code text} null = SQL NULL. */
        abstract int evaluate(String text);

        /** The same check on another column position. */
        abstract Check at(int column);
    }

    private static final class CompareCheck extends Check {
        private final FilterOperator operator;
        private final FilterSemantics semantics;
        private final Object operand;

        CompareCheck(int column, int typeOid, boolean negate, FilterOperator operator, FilterSemantics semantics, Object operand) {
            super(column, typeOid, negate);
            this.operator = operator;
            this.semantics = semantics;
            this.operand = operand;
        }

        @Override
        int evaluate(String text) {
            if (text == null) {
                return UNKNOWN;
            }
            int c = semantics.compare(text, operand);
            boolean holds = switch (operator) {
                case EQ -> c == 0;
                case NEQ -> c != 0;
                case LT -> c < 0;
                case LTE -> c <= 0;
                case GT -> c > 0;
                case GTE -> c >= 0;
                default -> throw new IllegalStateException(operator.wireName());
            };
            return holds ? TRUE : FALSE;
        }

        @Override
        Check at(int column) {
            return new CompareCheck(column, typeOid, negate, operator, semantics, operand);
        }
    }

    private static final class InCheck extends Check {
        private final FilterSemantics semantics;
        private final Object[] operands;
        private final boolean hasNull;

        InCheck(int column, int typeOid, boolean negate, FilterSemantics semantics, Object[] operands, boolean hasNull) {
            super(column, typeOid, negate);
            this.semantics = semantics;
            this.operands = operands;
            this.hasNull = hasNull;
        }

        @Override
        int evaluate(String text) {
            if (text == null) {
                return UNKNOWN;
            }
            for (Object operand : operands) {
                if (semantics.compare(text, operand) == 0) {
                    return TRUE;
                }
            }
            return hasNull ? UNKNOWN : FALSE; // x = any('{1,NULL}') is NULL when x is not 1
        }

        @Override
        Check at(int column) {
            return new InCheck(column, typeOid, negate, semantics, operands, hasNull);
        }
    }

    private static final class DistinctCheck extends Check {
        private final FilterSemantics semantics;
        private final Object operand;

        DistinctCheck(int column, int typeOid, boolean negate, FilterSemantics semantics, Object operand) {
            super(column, typeOid, negate);
            this.semantics = semantics;
            this.operand = operand;
        }

        @Override
        int evaluate(String text) {
            return text == null || semantics.compare(text, operand) != 0 ? TRUE : FALSE;
        }

        @Override
        Check at(int column) {
            return new DistinctCheck(column, typeOid, negate, semantics, operand);
        }
    }

    private static final class IsCheck extends Check {
        private final String keyword;

        IsCheck(int column, int typeOid, boolean negate, String keyword) {
            super(column, typeOid, negate);
            this.keyword = keyword;
        }

        @Override
        int evaluate(String text) {
            boolean holds = switch (keyword) {
                case "true" -> "t".equals(text);
                case "false" -> "f".equals(text);
                default -> text == null; // null, unknown
            };
            return holds ? TRUE : FALSE;
        }

        @Override
        Check at(int column) {
            return new IsCheck(column, typeOid, negate, keyword);
        }
    }

    /** LIKE/ILIKE and regular-expression filters: true when the pattern matches, unknown for null. */
    private static final class PatternCheck extends Check {
        private final Predicate<String> matches;

        PatternCheck(int column, int typeOid, boolean negate, Predicate<String> matches) {
            super(column, typeOid, negate);
            this.matches = matches;
        }

        @Override
        int evaluate(String text) {
            if (text == null) {
                return UNKNOWN;
            }
            return matches.test(text) ? TRUE : FALSE;
        }

        @Override
        Check at(int column) {
            return new PatternCheck(column, typeOid, negate, matches);
        }
    }
}
