package io.mudrock.realtime.changes.values;

import io.mudrock.realtime.changes.catalog.JdbcCatalog;
import io.mudrock.realtime.changes.pgoutput.WalMessage;
import io.mudrock.realtime.changes.CanonicalJson;
import io.mudrock.realtime.changes.ChangeAssembler;
import io.mudrock.realtime.changes.ColumnInfo;
import io.mudrock.realtime.changes.RelationCache;
import io.mudrock.realtime.changes.RowChange;
import io.mudrock.realtime.changes.TableInfo;
import io.mudrock.realtime.changes.TestDatabase;
import com.fasterxml.jackson.databind.ObjectMapper;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;

/**
 * Checks {@link ValueConverter} against what the real PostgreSQL {@code to_jsonb} returns, for
 * values decoded from a pgoutput stream.
 */
class ValueConverterTest {

    private static final ObjectMapper JSON = new ObjectMapper();

    private static final String COLUMNS = """
            id int4 primary key, i2 int2, i4 int4, i8 int8, f4 float4, f8 float8, num numeric, b bool,
            t text, vc varchar(20), c char(5), n name, ch "char", u uuid, j json, jb jsonb,
            d date, tm time, ttz timetz, ts timestamp, tstz timestamptz, iv interval, by bytea,
            e mood, dom posint, dtext email, dlist intlist, ia int4[], ta text[], ia2 int4[], jba jsonb[],
            tsa timestamptz[], ea mood[], na numeric[], p pair, pa pair[], inet_ inet, o oid, rng int4range,
            bx box[], money_ money, bits bit varying""";

    /** Rows of literals, one per column after {@code id}; null = SQL NULL. */
    private static final List<String[]> ROWS = List.of(
            new String[] {"1", "32767", "-2147483648", "9223372036854775807", "0.1", "3.141592653589793",
                    "12345678901234567890.123456789012345678901234567890", "t", "plain", "vär", "ab", "nm", "x",
                    "a0eebc99-9c0b-4ef8-bb6d-6bb9bd380a11", "{\"b\": 1, \"a\": [true, null, 2.50]}",
                    "{\"k\": {\"z\": 1, \"a\": \"é\"}, \"n\": 1.50}", "2024-01-01", "12:00:00.123456",
                    "12:00:00+05:30", "2024-01-01 12:00:00", "2024-01-01 12:00:00+00", "1 year 2 mons 3 days 04:05:06.5",
                    "\\x0102ff", "happy", "7", "a@b.c", "{1,2}", "{1,NULL,3}", "{a,\"b c\",NULL,\"NULL\",\"q\\\"x\",\"\",\"s\\\\t\"}",
                    "{{1,2},{3,4}}", "{\"{\\\"a\\\": 1}\",\"[1, 2]\",NULL}", "{\"2024-01-01 00:00:00+00\",NULL}",
                    "{sad,happy}", "{1.50,NaN,-3}", "(1,\"x, y\",\"2024-02-03 04:05:06.789+00\")",
                    "{\"(2,z,)\",NULL,\"(,,)\"}", "192.168.0.1/24", "4294967295", "[1,5)", "{(3,4),(1,2);(5,6),(0,0)}",
                    "12.34", "101"},
            new String[] {"2", "-1", "0", "-9223372036854775808", "NaN", "-Infinity", "NaN", "f",
                    "quote \" backslash \\ tab \t nl \n ctl \u0001 emoji \uD83D\uDE00", "", "a", "", "\\", "A0EEBC99-9C0B-4EF8-BB6D-6BB9BD380A11",
                    "[]", "\"just a string\"", "infinity", "00:00:00", "00:00:00-03:30", "0044-03-15 12:00:00 BC",
                    "2024-06-30 23:59:59.999999+00", "-1 days +02:00:00", "\\x", "sad", "1", "x", "{}", "{}", "{}",
                    "[0:1]={7,8}", "{}", "{infinity,-infinity}", "{}", "{}", "(,\"\",)", "{}", "::1", "0", "empty",
                    "{}", "-0.5", ""},
            new String[] {"3", "0", "42", "0", "1e30", "1.5e-10", "-0.000", "t", "x", "x", "x", "x", "x",
                    "00000000-0000-0000-0000-000000000000", "1", "[1.0e2, -0, 0.10]", "0044-03-15 BC", "24:00:00",
                    "23:59:59.5+14", "20240-01-01 00:00:00", "0044-03-15 12:00:00+00 BC", "00:00:00", "\\x00",
                    "ok", "2147483647", "y", "{0}", "{-1}", "{\" lead\",\"trail \",\"a,b\",\"{x}\"}", "{{NULL,2}}",
                    "{\"{}\"}", "{\"0044-03-15 12:00:00+00 BC\"}", "{ok}", "{1e3}", "(3,\"q\"\"x\",infinity)", "{}",
                    "10.0.0.1", "1", "(,10]", "{(1,1),(0,0)}", "0", "1"},
            new String[] {"5", "1", "1", "1", "-0", "-1.2345e+300", "1e-5", null, null, null, null, null, null, null,
                    null, null, null, null, null, null, null, null, null, null, null, null, null, null, null, null,
                    null, null, null, "{-0,1e-7}", null, null, null, null, null, null, null, null},
            new String[] {"4", null, null, null, null, null, null, null, null, null, null, null, null, null, null,
                    null, null, null, null, null, null, null, null, null, null, null, null, null, null, null, null,
                    null, null, null, null, null, null, null, null, null, null, null}
    );

    private static TestDatabase db;

    @BeforeAll
    static void start() throws Exception {
        db = TestDatabase.start();
        db.execute("create type mood as enum ('sad', 'ok', 'happy')",
                "create type pair as (a int4, b text, c timestamptz)",
                "create domain posint as int4 check (value > 0)",
                "create domain email as text",
                "create domain intlist as int4[]",
                "create table all_types (" + COLUMNS + ")",
                "create publication all_pub for table all_types");
    }

    @AfterAll
    static void stop() throws Exception {
        db.close();
    }

    @Test
    void streamedValuesConvertLikeToJsonb() throws Exception {
        List<RowChange> changes = new ArrayList<>();
        try (TestDatabase.Replication stream = db.replicate("all_slot", "all_pub")) {
            try (Connection connection = db.connect()) {
                for (String[] row : ROWS) {
                    StringBuilder sql = new StringBuilder("insert into all_types values (");
                    for (int i = 0; i < row.length; i++) {
                        sql.append(i == 0 ? "" : ", ").append(row[i] == null ? "null" : "?");
                    }
                    try (var insert = connection.prepareStatement(sql.append(")").toString())) {
                        int parameter = 1;
                        for (String value : row) {
                            if (value != null) {
                                insert.setObject(parameter++, value, java.sql.Types.OTHER);
                            }
                        }
                        insert.executeUpdate();
                    }
                }
            }
            PgTypeRegistry types = new PgTypeRegistry(new JdbcCatalog(db::connect));
            ChangeAssembler assembler = new ChangeAssembler(types, new RelationCache(types, new JdbcCatalog(db::connect)));
            for (WalMessage message : stream.readCommits(ROWS.size())) {
                RowChange change = assembler.accept(message);
                if (change != null) {
                    changes.add(change);
                }
            }
        }
        assertEquals(ROWS.size(), changes.size());
        TableInfo table = changes.get(0).table();
        int compared = 0;
        try (Connection connection = db.connect(); Statement statement = connection.createStatement()) {
            for (RowChange change : changes) {
                String id = change.recordValue(0);
                for (int i = 1; i < table.size(); i++) {
                    ColumnInfo column = table.column(i);
                    String expected;
                    try (ResultSet rs = statement.executeQuery("select to_jsonb(" + quoteIdent(column.name())
                            + ")::text from all_types where id = " + id)) {
                        rs.next();
                        expected = rs.getString(1);
                    }
                    String actual = ValueConverter.toJson(change.recordValue(i), column.type());
                    String context = "row " + id + " column " + column.name() + " (" + column.type().name()
                            + ") text '" + change.recordValue(i) + "'";
                    if (expected == null) {
                        assertEquals("null", actual, context);
                    } else if (column.name().equals("j")) {
                        // json is embedded as written; to_jsonb would normalize it like jsonb, which parses the same.
                        assertEquals(JSON.readTree(change.recordValue(i)), JSON.readTree(actual), context);
                    } else {
                        assertEquals(CanonicalJson.of(expected), CanonicalJson.of(actual), context + " converted to " + actual);
                    }
                    compared++;
                }
            }
        }
        assertEquals(ROWS.size() * (table.size() - 1), compared);
    }

    @Test
    void timestampOffsetsOfOtherSessionTimeZones() throws Exception {
        PgType timestamptz = PgTypeRegistry.builtin(PgTypeRegistry.TIMESTAMPTZ);
        PgType arrayOfTimestamptz = PgTypeRegistry.builtin(1185);
        for (String zone : List.of("Asia/Kolkata", "America/St_Johns", "Pacific/Chatham", "Europe/Amsterdam")) {
            try (Connection connection = db.connect(); Statement statement = connection.createStatement()) {
                statement.execute("set timezone = '" + zone + "'");
                for (String literal : List.of("2024-01-01 12:00:00+00", "2024-07-01 00:00:00.5+00", "1850-01-01 00:00:00+00",
                        "0044-03-15 12:00:00+00 BC", "-infinity")) {
                    try (ResultSet rs = statement.executeQuery("select t::text, to_jsonb(t)::text, array[t]::text, "
                            + "to_jsonb(array[t])::text from (select '" + literal + "'::timestamptz t) x")) {
                        rs.next();
                        String context = zone + " " + literal + " as " + rs.getString(1);
                        assertEquals(rs.getString(2), ValueConverter.toJson(rs.getString(1), timestamptz), context);
                        assertEquals(CanonicalJson.of(rs.getString(4)), ValueConverter.toJson(rs.getString(3), arrayOfTimestamptz), context);
                    }
                }
            }
        }
    }

    @Test
    void exactNumericTextIsKept() {
        PgType numeric = PgTypeRegistry.builtin(PgTypeRegistry.NUMERIC);
        String digits = "-123456789012345678901234567890.000000000000000000000000000001";
        assertEquals(digits, ValueConverter.toJson(digits, numeric));
        assertEquals("\"NaN\"", ValueConverter.toJson("NaN", numeric));
        assertEquals("[1.50,\"Infinity\",null]", ValueConverter.toJson("{1.50,Infinity,NULL}", PgTypeRegistry.builtin(1231)));
    }

    @Test
    void textOfAnUnexpectedFormIsPassedOnAsAString() {
        assertEquals("\"{1,\\\"x\"", ValueConverter.toJson("{1,\"x", PgTypeRegistry.builtin(1007)));
        assertEquals("\"yes\"", ValueConverter.toJson("yes", PgTypeRegistry.builtin(PgTypeRegistry.BOOL)));
        assertEquals("\"1e\"", ValueConverter.toJson("1e", PgTypeRegistry.builtin(PgTypeRegistry.FLOAT8)));
        assertEquals("[true,\"yes\"]", ValueConverter.toJson("{t,yes}", PgTypeRegistry.builtin(1000 /* _bool */)),
                "elements fall back one by one");
    }

    private static String quoteIdent(String name) {
        return "\"" + name.replace("\"", "\"\"") + "\"";
    }
}
