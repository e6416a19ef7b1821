package io.mudrock.realtime.changes.filter;

import io.mudrock.realtime.changes.values.PgTypeRegistry;
import io.mudrock.realtime.changes.pgoutput.ReplicaIdentity;
import io.mudrock.realtime.changes.ChangeType;
import io.mudrock.realtime.changes.ColumnInfo;
import io.mudrock.realtime.changes.RowChange;
import io.mudrock.realtime.changes.TableInfo;
import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.function.Predicate;

import static io.mudrock.realtime.changes.TestTables.TOAST;
import static io.mudrock.realtime.changes.TestTables.col;
import static io.mudrock.realtime.changes.TestTables.pk;
import static io.mudrock.realtime.changes.TestTables.table;
import static io.mudrock.realtime.changes.TestTables.tuple;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Filter compilation and evaluation on row changes, without a database. */
class RowFilterTest {

    private static final Predicate<ColumnInfo> ALL = column -> true;

    private final TableInfo items = table("items", pk("id", PgTypeRegistry.INT4), col("code", PgTypeRegistry.TEXT),
            col("qty", PgTypeRegistry.INT4), col("price", PgTypeRegistry.NUMERIC), col("at", PgTypeRegistry.TIMESTAMPTZ),
            col("done", PgTypeRegistry.BOOL), col("ref", PgTypeRegistry.UUID), col("doc", PgTypeRegistry.JSON),
            col("addr", 869 /* inet */));

    private RowFilter filter(String filter) throws FilterException {
        return RowFilter.compile(FilterParser.parse(filter), items, ALL, null);
    }

    private RowChange insert(String... values) {
        return new RowChange(items, ChangeType.INSERT, 0, tuple(values), null, false);
    }

    private RowChange row(String id, String code, String qty) {
        return insert(id, code, qty, "1.50", "2024-01-01 12:00:00+00", "t", "a0eebc99-9c0b-4ef8-bb6d-6bb9bd380a11", "{}", "10.0.0.1");
    }

    private String invalid(String filter) {
        return assertThrows(FilterValidationException.class, () -> filter(filter), filter).getMessage();
    }

    @Test
    void numbersCompareNumericallyAndTextByCodePoint() throws Exception {
        assertTrue(filter("qty=gt.9").test(row("1", "x", "10")), "10 > 9 as numbers");
        assertFalse(filter("code=gt.9").test(row("1", "10", "0")), "'10' < '9' as text");
        assertTrue(filter("price=eq.1.5").test(row("1", "x", "0")), "numeric 1.50 = 1.5");
        assertTrue(filter("price=lt.1.500000000000000000000001").test(row("1", "x", "0")));
        assertTrue(filter("id=gte.1,qty=lte.10").test(row("1", "x", "10")));
        assertFalse(filter("id=gte.1,qty=lt.10").test(row("1", "x", "10")), "all conditions must hold");
    }

    @Test
    void timestampsCompareAsInstantsAcrossOffsets() throws Exception {
        RowChange noon = row("1", "x", "0");
        assertTrue(filter("at=eq.2024-01-01T17:30:00+05:30").test(noon));
        assertTrue(filter("at=eq.2024-01-01T09:00:00-03:00").test(noon));
        assertTrue(filter("at=lt.2024-01-01T12:00:00.000001Z").test(noon));
        assertTrue(filter("at=gt.2024-01-01T17:29:59+05:30").test(noon));
        assertFalse(filter("at=gt.2024-01-01 12:00:00").test(noon), "no offset means UTC, the session time zone");
    }

    @Test
    void inListsAreSetMembership() throws Exception {
        assertTrue(filter("qty=in.(1,10,100)").test(row("1", "x", "10")));
        assertFalse(filter("qty=in.(1,100)").test(row("1", "x", "10")));
        assertTrue(filter("qty=not.in.(1,100)").test(row("1", "x", "10")));
        assertFalse(filter("qty=not.in.(1,null)").test(row("1", "x", "10")), "NOT IN with a NULL is never true");
        assertTrue(filter("code=in.(\"a,b\",c)").test(row("1", "a,b", "0")));
        assertTrue(filter("ref=in.(A0EEBC99-9C0B-4EF8-BB6D-6BB9BD380A11)").test(row("1", "x", "0")), "uuid case-insensitive");
        assertFalse(filter("qty=in.()").test(row("1", "x", "10")));
    }

    @Test
    void likeAndIlikeHonourEscapes() throws Exception {
        assertTrue(filter("code=like.50\\%").test(row("1", "50%", "0")));
        assertFalse(filter("code=like.50\\%").test(row("1", "500", "0")));
        assertTrue(filter("code=like.a\\_%").test(row("1", "a_b", "0")));
        assertFalse(filter("code=like.a\\_%").test(row("1", "axb", "0")));
        assertTrue(filter("code=ilike.HEL%").test(row("1", "hello", "0")));
        assertFalse(filter("code=like.HEL%").test(row("1", "hello", "0")));
        assertTrue(filter("code=like.%.*%").test(row("1", "a.*b", "0")), "regex characters are literal in LIKE");
        assertTrue(filter("code=match.^h.l+o$").test(row("1", "hello", "0")));
        assertTrue(filter("code=imatch.L{2}").test(row("1", "hello", "0")));
    }

    @Test
    void isAndIsDistinctAreNullAware() throws Exception {
        RowChange nulls = insert("1", null, null, null, null, null, null, null, null);
        assertTrue(filter("qty=is.null").test(nulls));
        assertFalse(filter("qty=not.is.null").test(nulls));
        assertTrue(filter("done=is.unknown").test(nulls));
        assertFalse(filter("done=is.false").test(nulls));
        assertTrue(filter("done=not.is.true").test(nulls));
        assertTrue(filter("done=is.true").test(row("1", "x", "0")));
        assertFalse(filter("qty=eq.1").test(nulls));
        assertFalse(filter("qty=not.eq.1").test(nulls), "NOT (NULL = 1) is NULL, not true");
        assertTrue(filter("qty=isdistinct.1").test(nulls));
        assertFalse(filter("qty=not.isdistinct.1").test(nulls));
        assertTrue(filter("qty=not.isdistinct.10").test(row("1", "x", "10")));
    }

    @Test
    void deletesAreJudgedOnOldValuesAndMissingColumnsFail() throws Exception {
        RowChange keyOnly = new RowChange(items, ChangeType.DELETE, 0, null,
                tuple("7", null, null, null, null, null, null, null, null), true);
        assertTrue(filter("id=eq.7").test(keyOnly));
        assertFalse(filter("qty=is.null").test(keyOnly), "non-key columns of a key tuple are absent, not null");
        assertFalse(filter("id=eq.7,qty=is.null").test(keyOnly));
        assertTrue(filter("").test(keyOnly), "no filter passes everything");

        TableInfo full = table("items", ReplicaIdentity.FULL, pk("id", PgTypeRegistry.INT4), col("qty", PgTypeRegistry.INT4));
        RowChange fullDelete = new RowChange(full, ChangeType.DELETE, 0, null, tuple("7", null), false);
        assertTrue(RowFilter.compile(FilterParser.parse("qty=is.null"), full, ALL, null).test(fullDelete));

        TableInfo docs = table("docs", pk("id", PgTypeRegistry.INT4), col("body", PgTypeRegistry.TEXT));
        RowChange toastUpdate = new RowChange(docs, ChangeType.UPDATE, 0, tuple("1", TOAST), null, false);
        assertFalse(RowFilter.compile(FilterParser.parse("body=like.%"), docs, ALL, null).test(toastUpdate),
                "an unchanged TOAST value that was not sent cannot be judged");
        TableInfo fullDocs = table("docs", ReplicaIdentity.FULL, pk("id", PgTypeRegistry.INT4), col("body", PgTypeRegistry.TEXT));
        RowChange fullToastUpdate = new RowChange(fullDocs, ChangeType.UPDATE, 0, tuple("1", TOAST), tuple("1", "long text"), false);
        assertTrue(RowFilter.compile(FilterParser.parse("body=like.long%"), fullDocs, ALL, null).test(fullToastUpdate),
                "with the old row sent, the unchanged value is known");
    }

    @Test
    void validationErrorsFollowUpstream() throws Exception {
        assertEquals("invalid column for filter nope", invalid("nope=eq.1"));
        assertEquals("invalid column for filter code", assertThrows(FilterValidationException.class,
                () -> RowFilter.compile(FilterParser.parse("code=eq.x"), items, c -> !c.name().equals("code"), null)).getMessage(),
                "columns the role cannot select count as unknown");
        FilterValidationException badInt = assertThrows(FilterValidationException.class, () -> filter("id=eq.hey"));
        assertEquals("invalid input syntax for type integer: \"hey\"", badInt.getMessage());
        assertEquals("ERROR 22P02 (invalid_text_representation) invalid input syntax for type integer: \"hey\"", badInt.postgrexMessage());
        assertEquals("invalid input syntax for type integer: \"x\"", invalid("qty=in.(1,x)"));
        StringBuilder many = new StringBuilder("qty=in.(0");
        for (int i = 1; i <= 100; i++) {
            many.append(',').append(i);
        }
        assertEquals("too many values for `in` filter. Maximum 100", invalid(many + ")"));
        assertEquals("invalid value for is filter: must be null, true, false, or unknown", invalid("done=is.yes"));
        assertEquals("invalid value for is filter: must be null, true, false, or unknown", invalid("done=is.NULL"));
        assertEquals("is true filter requires a boolean column, got integer", invalid("qty=is.true"));
        assertEquals("operator like requires a text-compatible column type, got integer", invalid("qty=like.1%"));
        assertEquals("operator imatch requires a text-compatible column type, got timestamp with time zone", invalid("at=imatch.x"));
        assertEquals("LIKE pattern must not end with escape character", invalid("code=like.abc\\"));
        assertTrue(invalid("code=match.(unclosed").startsWith("invalid regular expression for match filter: "));
        assertEquals("operator does not exist: json = json", invalid("doc=eq.{}"));
        assertEquals("operator gt is not supported for filters on columns of type inet", invalid("addr=gt.10.0.0.0"));
    }

    @Test
    void filtersRebindByNameWhenTheTableChanges() throws Exception {
        RowFilter byQty = filter("qty=gt.5");
        TableInfo widened = table("items", pk("id", PgTypeRegistry.INT4), col("extra", PgTypeRegistry.TEXT),
                col("qty", PgTypeRegistry.INT4));
        assertTrue(byQty.test(new RowChange(widened, ChangeType.INSERT, 0, tuple("1", "e", "6"), null, false)));
        TableInfo retyped = table("items", pk("id", PgTypeRegistry.INT4), col("qty", PgTypeRegistry.TEXT));
        assertFalse(byQty.test(new RowChange(retyped, ChangeType.INSERT, 0, tuple("1", "10"), null, false)),
                "as text '10' is not greater than '5'");
        TableInfo dropped = table("items", pk("id", PgTypeRegistry.INT4));
        assertFalse(byQty.test(new RowChange(dropped, ChangeType.INSERT, 0, tuple("1"), null, false)));
        RowFilter byUuid = filter("ref=eq.a0eebc99-9c0b-4ef8-bb6d-6bb9bd380a11");
        TableInfo intRef = table("items", pk("id", PgTypeRegistry.INT4), col("ref", PgTypeRegistry.INT8));
        assertFalse(byUuid.test(new RowChange(intRef, ChangeType.INSERT, 0, tuple("1", "5"), null, false)),
                "a value the new type rejects fails the condition");
        assertTrue(byQty.test(row("1", "x", "6")), "and back to the original shape");
        assertEquals(List.of(new FilterCondition("qty", FilterOperator.GT, "5", false)), byQty.conditions());
    }
}
