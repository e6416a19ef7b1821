package io.mudrock.realtime.changes.filter;

import org.junit.jupiter.api.Test;

import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

/** The filter grammar, with upstream's examples and error strings. */
class FilterParserTest {

    private static FilterCondition c(String column, FilterOperator operator, String value, boolean negate) {
        return new FilterCondition(column, operator, value, negate);
    }

    private static FilterCondition c(String column, FilterOperator operator, String value) {
        return c(column, operator, value, false);
    }

    private static String error(String filter) {
        return assertThrows(FilterParseException.class, () -> FilterParser.parse(filter), filter).getMessage();
    }

    @Test
    void everyOperatorParses() throws Exception {
        for (FilterOperator operator : FilterOperator.values()) {
            String value = operator == FilterOperator.IN ? "(1,2)" : "5";
            String expected = operator == FilterOperator.IN ? "{1,2}" : "5";
            assertEquals(List.of(c("id", operator, expected)), FilterParser.parse("id=" + operator.wireName() + "." + value));
            assertEquals(List.of(c("id", operator, expected, true)), FilterParser.parse("id=not." + operator.wireName() + "." + value));
        }
    }

    @Test
    void emptyOrBlankMeansNoCondition() throws Exception {
        assertEquals(List.of(), FilterParser.parse(null));
        assertEquals(List.of(), FilterParser.parse(""));
        assertEquals(List.of(), FilterParser.parse("   "));
    }

    @Test
    void commasJoinConditionsExceptInsideParenthesesOrQuotes() throws Exception {
        assertEquals(List.of(c("id", FilterOperator.GT, "0"), c("id", FilterOperator.LT, "100")), FilterParser.parse("id=gt.0,id=lt.100"));
        assertEquals(List.of(c("id", FilterOperator.IN, "{1,2,3}"), c("details", FilterOperator.EQ, "active")),
                FilterParser.parse("id=in.(1,2,3),details=eq.active"));
        assertEquals(List.of(c("name", FilterOperator.IN, "{red,blue,green}"), c("status", FilterOperator.IN, "{active,inactive}")),
                FilterParser.parse("name=in.(red,blue,green),status=in.(active,inactive)"));
        assertEquals(List.of(c("a", FilterOperator.EQ, "x)"), c("b", FilterOperator.EQ, "y)"), c("c", FilterOperator.EQ, "z")),
                FilterParser.parse("a=eq.x),b=eq.y),c=eq.z"));
        assertEquals(List.of(c("name", FilterOperator.EQ, "a,b"), c("id", FilterOperator.GT, "0")), FilterParser.parse("name=eq.\"a,b\",id=gt.0"));
        assertEquals(List.of(c("desc", FilterOperator.EQ, "5\" tall"), c("id", FilterOperator.GT, "0")),
                FilterParser.parse("desc=eq.5\" tall,id=gt.0"), "a quote inside a value does not protect a comma");
        assertEquals(List.of(c("status", FilterOperator.IN, "{draft,archived}", true)), FilterParser.parse("status=not.in.(draft,archived)"));
        assertEquals(List.of(c("id", FilterOperator.EQ, "1")), FilterParser.parse("  id=eq.1  "));
    }

    @Test
    void postgrestQuotingUnquotesWholeValuesOnly() throws Exception {
        assertEquals("O'Brien \"x\"", FilterParser.parse("name=eq.O'Brien \"x\"").get(0).value());
        assertEquals("a.b:c(d)", FilterParser.parse("name=eq.\"a.b:c(d)\"").get(0).value());
        assertEquals("she said \"hi\"", FilterParser.parse("name=eq.\"she said \\\"hi\\\"\"").get(0).value());
        assertEquals("C:\\tmp", FilterParser.parse("path=eq.\"C:\\\\tmp\"").get(0).value());
        assertEquals("C:new", FilterParser.parse("path=eq.\"C:\\new\"").get(0).value());
        assertEquals("", FilterParser.parse("name=eq.\"\"").get(0).value());
        assertEquals(" a ", FilterParser.parse("name=eq.\" a \"").get(0).value());
        assertEquals("\"unterminated", FilterParser.parse("name=eq.\"unterminated").get(0).value());
        assertEquals("\"ab\"cd", FilterParser.parse("name=eq.\"ab\"cd").get(0).value());
        assertEquals(List.of(c("name", FilterOperator.NEQ, "a,b", true)), FilterParser.parse("name=not.neq.\"a,b\""));
        assertEquals("{\"a,b\",\"c,d\"}", FilterParser.parse("tags=in.(\"a,b\",\"c,d\")").get(0).value());
        assertEquals("{O'Brien,Smith}", FilterParser.parse("name=in.(O'Brien,Smith)").get(0).value());
        assertEquals("a'b", FilterParser.parse("name=not.neq.a'b").get(0).value());
        assertEquals("x.y=z", FilterParser.parse("col=eq.x.y=z").get(0).value(), "only the first '=' and '.' split");
    }

    @Test
    void upstreamErrorStrings() throws Exception {
        String prefix = "Error parsing `filter` params: ";
        String empty = prefix + "filter must not contain empty segments (check for extra commas)";
        assertEquals(empty, error("id=gt.0,"));
        assertEquals(empty, error(",id=gt.0"));
        assertEquals(empty, error("a=eq.1,,b=eq.2"));
        assertEquals(empty, error("a=eq.1, ,b=eq.2"));
        assertEquals(prefix + "[\"foo\", \"hey\"]", error("subject=foo.hey"));
        assertEquals(prefix + "[\"undefined\"]", error("undefined"));
        assertEquals(prefix + "[\"eq\"]", error("id=eq"));
        assertEquals(prefix + "[\"EQ\", \"1\"]", error("id=EQ.1"), "operators are case-sensitive");
        assertEquals(prefix + "[\"foo\", \"100\"]", error("id=gt.0,id=foo.100"));
        assertEquals(prefix + "[\"q\\\"x\", \"\\\\\"]", error("id=q\"x.\\"), "Elixir inspect escapes");
        assertEquals(prefix + "`in` filter value must be wrapped by parentheses", error("id=in.1,2"));
        assertEquals(prefix + "`in` filter value must be wrapped by parentheses", error("id=in.(1,2"));
        assertEquals(prefix + "`in` filter value must be wrapped by parentheses", error("id=not.in.("));
    }
}
