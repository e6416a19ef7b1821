package io.mudrock.realtime.changes.values;

import java.math.BigDecimal;
import java.util.List;

/**
 * Converts a column value from its PostgreSQL text form (as pgoutput sends it) to the JSON that
 * upstream Supabase Realtime produces with {@code to_jsonb(value::type)}:
 * <ul>
 *   <li>integers, floats and numeric: JSON numbers (numeric text kept exactly; floats in exponent
 *       form written out in full as jsonb does; {@code NaN}/{@code Infinity} as strings);</li>
 *   <li>bool: {@code true}/{@code false}; json/jsonb: embedded as is;</li>
 *   <li>timestamptz: {@code "2024-01-01T12:00:00+00:00"}; timestamp: {@code "2024-01-01T12:00:00"};
 *       date: {@code "2024-01-01"} (BC and infinity as PostgreSQL writes them);</li>
 *   <li>arrays: JSON arrays (nested for several dimensions), elements converted by element type;</li>
 *   <li>composites: JSON objects keyed by attribute name;</li>
 *   <li>domains: as their base type; everything else (text, uuid, time, interval, enums, bytea
 *       as {@code "\\x0102"}, inet, ...): the text form as a JSON string; SQL NULL: {@code null}.</li>
 * </ul>
 * The walsender session must use {@code DateStyle=ISO}, {@code IntervalStyle=postgres},
 * {@code bytea_output=hex} and, for stable offsets, {@code TimeZone=UTC}. Types with a cast to json
 * (hstore, PostGIS geometry) are written as their text form, unlike {@code to_jsonb}.
 */
public final class ValueConverter {

    private ValueConverter() {
    }

    /** The JSON text of {@code text} (null for SQL NULL) as a value of {@code type}. */
    public static String toJson(String text, PgType type) {
        StringBuilder out = new StringBuilder(text == null ? 4 : text.length() + 8);
        appendJson(out, text, type);
        return out.toString();
    }

    /**
     * Appends the JSON text of {@code text} (null for SQL NULL) as a value of {@code type}. Text
     * that does not have the form the type's output function writes (which PostgreSQL never sends)
     * is written as a JSON string rather than failing the change.
     */
    public static void appendJson(StringBuilder out, String text, PgType type) {
        if (text == null) {
            out.append("null");
            return;
        }
        int mark = out.length();
        try {
            appendValue(out, text, type.effective());
        } catch (IllegalArgumentException unexpectedForm) {
            out.setLength(mark);
            Json.appendQuoted(out, text, 0, text.length());
        }
    }

    private static void appendValue(StringBuilder out, String text, PgType t) {
        if (t.isArray()) {
            appendArray(out, text, t.element());
            return;
        }
        if (t.isComposite() && !t.fields().isEmpty()) {
            appendComposite(out, text, t.fields());
            return;
        }
        switch (t.oid()) {
            case PgTypeRegistry.BOOL -> appendBool(out, text);
            case PgTypeRegistry.INT2, PgTypeRegistry.INT4, PgTypeRegistry.INT8 -> out.append(text);
            case PgTypeRegistry.NUMERIC, PgTypeRegistry.FLOAT4, PgTypeRegistry.FLOAT8 -> appendNumber(out, text);
            case PgTypeRegistry.JSON, PgTypeRegistry.JSONB -> out.append(text);
            case PgTypeRegistry.TIMESTAMP -> appendTimestamp(out, text, false);
            case PgTypeRegistry.TIMESTAMPTZ -> appendTimestamp(out, text, true);
            default -> Json.appendQuoted(out, text, 0, text.length());
        }
    }

    private static void appendBool(StringBuilder out, String text) {
        switch (text) {
            case "t" -> out.append("true");
            case "f" -> out.append("false");
            default -> throw new IllegalArgumentException("not a bool output: " + text);
        }
    }

    private static void appendNumber(StringBuilder out, String text) {
        switch (text) {
            case "NaN", "Infinity", "-Infinity" -> Json.appendQuoted(out, text, 0, text.length());
            // jsonb stores numbers as numeric, which has no negative zero and no exponent form.
            case "-0" -> out.append('0');
            default -> {
                if (text.indexOf('e') >= 0 || text.indexOf('E') >= 0) {
                    out.append(new BigDecimal(text).toPlainString());
                } else {
                    out.append(text);
                }
            }
        }
    }

    /**
     * ISO output {@code 2024-01-01 12:00:00.5+05:30[ BC]} becomes XSD form
     * {@code 2024-01-01T12:00:00.5+05:30[ BC]}: a {@code T} separator and an offset with minutes.
     */
    private static void appendTimestamp(StringBuilder out, String text, boolean withZone) {
        int space = text.indexOf(' ');
        if (space < 0 || space + 1 >= text.length() || !Character.isDigit(text.charAt(space + 1))) {
            // infinity/-infinity, or a DateStyle we do not rewrite: pass the text on unchanged.
            Json.appendQuoted(out, text, 0, text.length());
            return;
        }
        boolean bc = text.endsWith(" BC");
        int end = bc ? text.length() - 3 : text.length();
        out.append('"').append(text, 0, space).append('T');
        int offset = -1;
        if (withZone) {
            for (int i = space + 1; i < end; i++) {
                char c = text.charAt(i);
                if (c == '+' || c == '-') {
                    offset = i;
                    break;
                }
            }
        }
        out.append(text, space + 1, end);
        if (offset >= 0 && end - offset == 3) {
            out.append(":00"); // "+05" -> "+05:00"
        }
        if (bc) {
            out.append(" BC");
        }
        out.append('"');
    }

    private static void appendArray(StringBuilder out, String text, PgType element) {
        PgLiterals.parseArray(text, element.delimiter(), new PgLiterals.ArrayVisitor() {
            private boolean needComma;

            @Override
            public void begin() {
                if (needComma) {
                    out.append(',');
                }
                out.append('[');
                needComma = false;
            }

            @Override
            public void element(String value) {
                if (needComma) {
                    out.append(',');
                }
                appendJson(out, value, element);
                needComma = true;
            }

            @Override
            public void end() {
                out.append(']');
                needComma = true;
            }
        });
    }

    private static void appendComposite(StringBuilder out, String text, List<PgType.Field> fields) {
        out.append('{');
        int count = PgLiterals.parseRecord(text, (index, value) -> {
            if (index >= fields.size()) {
                throw new IllegalArgumentException("record literal has more fields than its type: \"" + text + "\"");
            }
            if (index > 0) {
                out.append(',');
            }
            PgType.Field field = fields.get(index);
            Json.appendQuoted(out, field.name(), 0, field.name().length());
            out.append(':');
            appendJson(out, value, field.type());
        });
        if (count != fields.size()) {
            throw new IllegalArgumentException("record literal has " + count + " fields, its type " + fields.size());
        }
        out.append('}');
    }
}
