package io.mudrock.realtime.changes.filter;

import io.mudrock.realtime.changes.catalog.JdbcCatalog;
import io.mudrock.realtime.changes.values.PgTypeRegistry;
import io.mudrock.realtime.changes.pgoutput.ReplicaIdentity;
import io.mudrock.realtime.changes.pgoutput.WalMessage;
import io.mudrock.realtime.changes.ChangeType;
import io.mudrock.realtime.changes.RowChange;
import io.mudrock.realtime.changes.TableInfo;
import io.mudrock.realtime.changes.TestDatabase;
import io.mudrock.realtime.changes.TestTables;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.postgresql.util.PSQLException;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;

import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;


/**
 * Evaluates filters with {@link RowFilter} and with PostgreSQL's own operators (what upstream's
 * {@code check_equality_op} runs) for the same values, and compares validation errors with
 * PostgreSQL's input errors.
 */
class RowFilterPostgresTest {

    private static TestDatabase db;
    private static Connection connection;
    private static PgTypeRegistry types;
    private static JdbcCatalog catalog;

    /** Per type: values used both as row values and as filter values. */
    private static final Map<String, List<String>> VALUES = Map.ofEntries(
            Map.entry("int2", List.of("-5", "0", "9", "10", "32767")),
            Map.entry("int4", List.of("-2147483648", "0", "9", "10", " +10 ", "0x0A", "1_0", "2147483647")),
            Map.entry("int8", List.of("-9223372036854775808", "-1", "9", "10", "9223372036854775807")),
            Map.entry("float4", List.of("NaN", "-Infinity", "0", "-0", "0.1", "0.10000000149", "1.5", "3e38")),
            Map.entry("float8", List.of("NaN", "-Infinity", "Infinity", "-0", "0", "0.1", "1.5", "1e300", "-1.5e-300")),
            Map.entry("numeric", List.of("NaN", "Infinity", "-Infinity", "1.50", "1.5", "-0.001", "12345678901234567890.1", "9")),
            Map.entry("bool", List.of("t", "f", "true", "yes", "on", "1", "off", "n", " FALSE ")),
            Map.entry("text", List.of("a", "B", "ab", "", "é", "😀", "\uFFFD", "a b")),
            Map.entry("varchar", List.of("a", "ab", "Z")),
            Map.entry("bpchar", List.of("ab", "ab  ", "a", "abc")),
            Map.entry("uuid", List.of("a0eebc99-9c0b-4ef8-bb6d-6bb9bd380a11", "A0EEBC99-9C0B-4EF8-BB6D-6BB9BD380A11",
                    "{a0eebc999c0b4ef8bb6d6bb9bd380a11}", "a0ee-bc99-9c0b-4ef8-bb6d-6bb9-bd38-0a11",
                    "f0eebc99-9c0b-4ef8-bb6d-6bb9bd380a11", "00000000-0000-0000-0000-000000000000")),
            Map.entry("date", List.of("2024-01-01", "2024-02-29", "0044-03-15 BC", "infinity", "-infinity", "2024-01-01 23:59",
                    "epoch", "20240-01-01")),
            Map.entry("timestamp", List.of("2024-01-01 12:00:00", "2024-01-01T12:00:00.5", "2024-01-01 12:00:00+05",
                    "0044-03-15 12:00:00 BC", "infinity", "2024-01-01 24:00:00", "2024-01-02")),
            Map.entry("timestamptz", List.of("2024-01-01 12:00:00+00", "2024-01-01 17:30:00+05:30", "2024-01-01T12:00:00Z",
                    "2024-01-01 09:00:00-03", "2024-01-01 12:00:00.000001+00", "2024-07-01 14:00:00 Europe/Paris",
                    "2024-07-01 12:00:00", "-infinity", "0044-03-15 12:00:00+00 BC", "2024-01-01 12:00:00.1234565+00")),
            Map.entry("time", List.of("12:00:00", "24:00:00", "00:00:00.000001", "12:00", "23:59:59.999999")),
            Map.entry("timetz", List.of("12:00:00+00", "13:00:00+01", "12:00:00+01", "11:00:00-01", "12:00:00")),
            Map.entry("interval", List.of("1 day", "24:00:00", "1 mon", "30 days", "-1 days +02:00:00",
                    "1 year 2 mons 3 days 04:05:06.5", "P1D", "1.5 days", "36 hours", "1 day ago", "2 weeks", "@ 1 hour",
                    "PT36H", "1-2", "3 4:05:06")),
            Map.entry("mood", List.of("sad", "ok", "happy")),
            Map.entry("inet", List.of("192.168.0.1", "192.168.0.1/32", "::1")),
            Map.entry("jsonb", List.of("{\"a\": 1}", "{\"a\":1}", "[1, 2]")));

    /** Types with no faithful ordering in Java, for which only equality operators are compared. */
    private static final List<String> EQUALITY_ONLY = List.of("inet", "jsonb");

    @BeforeAll
    static void start() throws Exception {
        db = TestDatabase.start();
        db.execute("create type mood as enum ('sad', 'ok', 'happy')");
        connection = db.connect();
        catalog = new JdbcCatalog(db::connect);
        types = new PgTypeRegistry(catalog);
    }

    @AfterAll
    static void stop() throws Exception {
        connection.close();
        db.close();
    }

    @Test
    void comparisonsAgreeWithPostgres() throws Exception {
        int compared = 0;
        for (Map.Entry<String, List<String>> entry : VALUES.entrySet()) {
            String type = entry.getKey();
            boolean ordered = !EQUALITY_ONLY.contains(type);
            String collate = type.equals("text") || type.equals("varchar") || type.equals("bpchar") ? " collate \"C\"" : "";
            for (String row : entry.getValue()) {
                String rowText = castToText(row, type);
                for (String filter : entry.getValue()) {
                    try (PreparedStatement statement = connection.prepareStatement(
                            "select a = b, a <> b, a < b, a <= b, a > b, a >= b, a is distinct from b from (select ?::" + type
                                    + collate + " a, ?::" + type + collate + " b) x")) {
                        statement.setString(1, row);
                        statement.setString(2, filter);
                        try (ResultSet rs = statement.executeQuery()) {
                            rs.next();
                            FilterOperator[] operators = {FilterOperator.EQ, FilterOperator.NEQ, FilterOperator.LT,
                                    FilterOperator.LTE, FilterOperator.GT, FilterOperator.GTE, FilterOperator.ISDISTINCT};
                            for (int i = 0; i < operators.length; i++) {
                                boolean ordering = i >= 2 && i <= 5;
                                if (ordering && !ordered) {
                                    continue;
                                }
                                boolean expected = rs.getBoolean(i + 1);
                                FilterOperator operator = operators[i];
                                for (boolean negate : new boolean[] {false, true}) {
                                    boolean expectation = negate ? !expected : expected;
                                    assertEquals(expectation, evaluate(type, rowText, operator, filter, negate),
                                            () -> type + " '" + rowText + "' " + operator.wireName() + " '" + filter + "'"
                                                    + (negate ? " negated" : ""));
                                    compared++;
                                }
                            }
                        }
                    }
                }
            }
        }
        assertTrue(compared > 3000, "compared " + compared);
    }

    @Test
    void nullRowValuesFailComparisonsEvenNegatedButNotIsOrIsDistinct() throws Exception {
        assertEquals(false, evaluate("int4", null, FilterOperator.EQ, "1", false));
        assertEquals(false, evaluate("int4", null, FilterOperator.EQ, "1", true));
        assertEquals(false, evaluate("int4", null, FilterOperator.IN, "{1,2}", true));
        assertEquals(true, evaluate("int4", null, FilterOperator.ISDISTINCT, "1", false));
        assertEquals(false, evaluate("int4", null, FilterOperator.ISDISTINCT, "1", true));
        assertEquals(true, evaluate("int4", null, FilterOperator.IS, "null", false));
        assertEquals(false, evaluate("int4", null, FilterOperator.IS, "null", true));
        assertEquals(true, evaluate("bool", null, FilterOperator.IS, "unknown", false));
        assertEquals(false, evaluate("bool", null, FilterOperator.IS, "false", false));
        assertEquals(true, evaluate("bool", null, FilterOperator.IS, "false", true));
    }

    @Test
    void inListsAgreeWithPostgres() throws Exception {
        List<String[]> cases = List.of(
                new String[] {"int4", "10", "{9,10}"}, new String[] {"int4", "11", "{9,10}"},
                new String[] {"int4", "11", "{9,NULL}"}, new String[] {"int4", "9", "{9,NULL}"},
                new String[] {"int4", "9", "{}"}, new String[] {"int4", "9", "{ 9 , 10 }"},
                new String[] {"text", "a,b", "{\"a,b\",c}"}, new String[] {"text", "NULL", "{\"NULL\"}"},
                new String[] {"text", "NULL", "{NULL}"}, new String[] {"text", "q\"x", "{\"q\\\"x\"}"},
                new String[] {"text", "O'Brien", "{O'Brien,Smith}"}, new String[] {"text", "x y", "{x y}"},
                new String[] {"uuid", "a0eebc99-9c0b-4ef8-bb6d-6bb9bd380a11", "{A0EEBC99-9C0B-4EF8-BB6D-6BB9BD380A11}"},
                new String[] {"timestamptz", "2024-01-01 12:00:00+00", "{\"2024-01-01 17:30:00+05:30\"}"},
                new String[] {"mood", "ok", "{sad,ok}"}, new String[] {"numeric", "1.5", "{1.50}"},
                new String[] {"bool", "t", "{yes}"}, new String[] {"inet", "::1", "{::1,10.0.0.1}"});
        for (String[] c : cases) {
            String rowText = castToText(c[1], c[0]);
            for (boolean negate : new boolean[] {false, true}) {
                boolean expected = queryBoolean("select " + (negate ? "not " : "") + "(?::" + c[0] + " = any(?::" + c[0] + "[]))", c[1], c[2]);
                assertEquals(expected, evaluate(c[0], rowText, FilterOperator.IN, c[2], negate),
                        () -> c[0] + " '" + rowText + "' in " + c[2] + (negate ? " negated" : ""));
            }
        }
    }

    @Test
    void patternsAgreeWithPostgres() throws Exception {
        List<String[]> cases = List.of(
                new String[] {"text", "hello", "like", "hel%"}, new String[] {"text", "hello", "like", "h_llo"},
                new String[] {"text", "Hello", "like", "hel%"}, new String[] {"text", "Hello", "ilike", "hel%"},
                new String[] {"text", "50%", "like", "50\\%"}, new String[] {"text", "500", "like", "50\\%"},
                new String[] {"text", "a_b", "like", "a\\_b"}, new String[] {"text", "axb", "like", "a\\_b"},
                new String[] {"text", "line\nbreak", "like", "line%"}, new String[] {"text", "a.c", "like", "a.c"},
                new String[] {"text", "abc", "like", "a.c"}, new String[] {"text", "(x)", "like", "(%)"},
                new String[] {"text", "ÄBC", "ilike", "äbc"}, new String[] {"text", "😀x", "like", "_x"},
                new String[] {"bpchar", "ab", "like", "ab"}, new String[] {"bpchar", "ab", "like", "ab%"},
                new String[] {"varchar", "post-1", "match", "^post-"}, new String[] {"text", "a post", "match", "^post"},
                new String[] {"text", "abc123", "match", "[[:digit:]]+$"}, new String[] {"text", "ABC", "imatch", "^abc$"},
                new String[] {"text", "ABC", "match", "^abc$"}, new String[] {"text", "foo bar", "match", "\\mbar"},
                new String[] {"text", "foobar", "match", "\\mbar"}, new String[] {"text", "x]y", "match", "[]]"},
                new String[] {"text", "a[b", "match", "[[]"}, new String[] {"text", "tab\there", "match", "\\s"},
                new String[] {"bpchar", "ab", "match", "b$"},
                new String[] {"text", "abab", "like", "%ab%ab%"}, new String[] {"text", "aba", "like", "%ab%ab%"},
                new String[] {"text", "😀😀", "like", "_%_"}, new String[] {"text", "😀", "like", "_%_"},
                new String[] {"text", "xxäbC", "ilike", "%ÄB_"}, new String[] {"text", "aaab", "like", "%aab"},
                new String[] {"text", "a\bb", "match", "a\\bb"}, new String[] {"text", "a\\b", "match", "a\\Bb"},
                new String[] {"text", "a\nb", "match", "^a.b$"}, new String[] {"text", "a\n", "match", "^a$"},
                new String[] {"text", "x\u000By", "match", "x\\sy"}, new String[] {"text", "foo bar", "match", "\\ybar\\y"},
                new String[] {"text", "foobar", "match", "\\Ybar"}, new String[] {"text", "a1", "match", "^[[:alpha:]][[:digit:]]$"},
                new String[] {"text", "xYz", "imatch", "^X[a-z]Z$"}, new String[] {"text", "xyxyz", "match", "^(x|y)*z$"});
        for (String[] c : cases) {
            String type = c[0].equals("bpchar") ? "char(4)" : c[0];
            String rowText = castToText(c[1], type);
            String sqlOperator = switch (c[2]) {
                case "like" -> "like";
                case "ilike" -> "ilike";
                case "match" -> "~";
                default -> "~*";
            };
            FilterOperator operator = FilterOperator.fromWireName(c[2]);
            for (boolean negate : new boolean[] {false, true}) {
                boolean expected = queryBoolean("select " + (negate ? "not " : "") + "(?::" + type + " " + sqlOperator + " ?)", c[1], c[3]);
                assertEquals(expected, evaluate(c[0], rowText, operator, c[3], negate),
                        () -> c[0] + " '" + rowText + "' " + c[2] + " '" + c[3] + "'" + (negate ? " negated" : ""));
            }
        }
    }

    @Test
    void invalidValuesAreReportedLikePostgresInputErrors() throws Exception {
        List<String[]> cases = List.of(
                new String[] {"int4", "hey"}, new String[] {"int4", "99999999999"}, new String[] {"int2", "40000"},
                new String[] {"int8", "1.5"}, new String[] {"int4", ""}, new String[] {"int4", "1__0"}, new String[] {"int4", "--5"},
                new String[] {"int4", "\u0665"}, new String[] {"int4", "0x"},
                new String[] {"float8", "abc"}, new String[] {"float8", "1e400"}, new String[] {"float4", "1e40"},
                new String[] {"float8", "1.5f"}, new String[] {"numeric", "1.2.3"}, new String[] {"numeric", "abc"},
                new String[] {"bool", "maybe"}, new String[] {"bool", "o"}, new String[] {"uuid", "not-a-uuid"},
                new String[] {"uuid", "a0eebc99-9c0b-4ef8-bb6d-6bb9bd380a1"}, new String[] {"uuid", "a0eebc99--9c0b-4ef8-bb6d-6bb9bd380a11"},
                new String[] {"date", "yesterdayish"}, new String[] {"date", "2024-02-30"}, new String[] {"date", "2024-13-01"},
                new String[] {"timestamptz", "2024-01-01 25:00:00+00"}, new String[] {"timestamptz", "garbage"},
                new String[] {"timestamptz", "2024-01-01 12:00:00 Mars/Olympus"}, new String[] {"timestamp", "2024-01-01 12:61"},
                new String[] {"time", "25:00"}, new String[] {"time", "noon"}, new String[] {"timetz", "12:00:00+16"},
                new String[] {"interval", "forever"}, new String[] {"interval", "1 fortnight"}, new String[] {"mood", "angry"},
                new String[] {"inet", "999.1.1.1"}, new String[] {"int4range", "[5,1)"}, new String[] {"int4[]", "{1,x}"});
        for (String[] c : cases) {
            PSQLException expected = assertThrows(PSQLException.class, () -> queryBoolean("select ?::" + c[0] + " is null", c[1], null),
                    () -> c[0] + " '" + c[1] + "' should be rejected by PostgreSQL");
            FilterValidationException actual = assertThrows(FilterValidationException.class,
                    () -> RowFilter.compile(List.of(new FilterCondition("v", FilterOperator.EQ, c[1], false)), table(c[0]), col -> true, catalog),
                    () -> c[0] + " '" + c[1] + "' should be rejected");
            assertEquals(expected.getServerErrorMessage().getMessage(), actual.getMessage(), c[0] + " '" + c[1] + "'");
            assertEquals(expected.getSQLState(), actual.sqlState(), c[0] + " '" + c[1] + "'");
        }
    }

    private static boolean evaluate(String type, String rowText, FilterOperator operator, String filterValue, boolean negate)
            throws FilterValidationException {
        TableInfo table = table(type);
        RowFilter filter = RowFilter.compile(List.of(new FilterCondition("v", operator, filterValue, negate)), table, col -> true, catalog);
        return filter.test(new RowChange(table, ChangeType.INSERT, 0, TestTables.tuple(rowText), null, false));
    }

    private static TableInfo table(String type) {
        try {
            int oid;
            try (PreparedStatement statement = connection.prepareStatement("select ?::regtype::oid")) {
                statement.setString(1, type);
                try (ResultSet rs = statement.executeQuery()) {
                    rs.next();
                    oid = (int) rs.getLong(1);
                }
            }
            return TableInfo.of(new WalMessage.Relation(1, "public", "t", ReplicaIdentity.DEFAULT,
                    List.of(new WalMessage.Relation.Column(0, "v", oid, -1))), types, null);
        } catch (SQLException e) {
            throw new AssertionError(e);
        }
    }

    /** The output function's text of a value, as pgoutput sends it (a text cast differs for bool and inet). */
    private static String castToText(String literal, String type) throws SQLException {
        try (PreparedStatement statement = connection.prepareStatement("select format('%s', ?::" + type + ")")) {
            statement.setString(1, literal);
            try (ResultSet rs = statement.executeQuery()) {
                rs.next();
                return rs.getString(1);
            }
        }
    }

    private static boolean queryBoolean(String sql, String first, String second) throws SQLException {
        try (PreparedStatement statement = connection.prepareStatement(sql)) {
            statement.setString(1, first);
            if (second != null) {
                statement.setString(2, second);
            }
            try (ResultSet rs = statement.executeQuery()) {
                rs.next();
                boolean value = rs.getBoolean(1);
                return !rs.wasNull() && value;
            }
        }
    }

}
