package io.mudrock.realtime.changes.filter;

import io.mudrock.realtime.changes.values.PgDateTimes;
import io.mudrock.realtime.changes.values.PgType;
import io.mudrock.realtime.changes.values.PgTypeRegistry;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

import java.io.IOException;
import java.math.BigDecimal;
import java.math.BigInteger;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.regex.Pattern;

/**
 * How filter values of one column type are read and compared, following PostgreSQL's operators for
 * the type: numbers numerically, timestamps as instants, text by code point (the C collation),
 * uuids bytewise, enums by label order. Filter values are parsed once ({@link #parse}); row values
 * (output text) are compared against them without allocating for integer, date/time, bool, text,
 * uuid and enum columns.
 *
 * <p>Types without a faithful Java ordering are compared by exact text and support only equality
 * operators ({@link #ordered()} false).
 */
abstract class FilterSemantics {

    /** Type name as PostgreSQL writes it in input errors ({@code integer}, {@code timestamp with time zone}). */
    final String inputName;

    FilterSemantics(String inputName) {
        this.inputName = inputName;
    }

    /** Parses a filter value. */
    abstract Object parse(String value) throws FilterValidationException;

    /**
     * Compares a row value (output text) with a parsed filter value.
     *
     * @throws RuntimeException if the row text cannot be read as the type
     */
    abstract int compare(String rowText, Object operand);

    /** Whether {@code <}, {@code <=}, {@code >}, {@code >=} are supported. */
    boolean ordered() {
        return true;
    }

    /** Whether {@code =} exists for the type (json has none). */
    boolean hasEquality() {
        return true;
    }

    /**
     * The semantics of a column type (domains use their base type).
     *
     * @param canonicalizer for types compared by text; may be null
     */
    static FilterSemantics of(PgType columnType, ValueCanonicalizer canonicalizer) {
        PgType type = columnType.effective();
        if (type.isEnum()) {
            return new EnumSemantics(type);
        }
        return switch (type.oid()) {
            case PgTypeRegistry.INT2 -> new IntegerSemantics("smallint", Short.MIN_VALUE, Short.MAX_VALUE);
            case PgTypeRegistry.INT4 -> new IntegerSemantics("integer", Integer.MIN_VALUE, Integer.MAX_VALUE);
            case PgTypeRegistry.INT8 -> new IntegerSemantics("bigint", Long.MIN_VALUE, Long.MAX_VALUE);
            case PgTypeRegistry.OID -> new IntegerSemantics("oid", 0, 0xFFFF_FFFFL);
            case PgTypeRegistry.FLOAT4 -> new FloatSemantics("real", true);
            case PgTypeRegistry.FLOAT8 -> new FloatSemantics("double precision", false);
            case PgTypeRegistry.NUMERIC -> new NumericSemantics();
            case PgTypeRegistry.BOOL -> new BoolSemantics();
            case PgTypeRegistry.TEXT, PgTypeRegistry.VARCHAR, PgTypeRegistry.NAME -> new TextSemantics(type.name(), false);
            case PgTypeRegistry.BPCHAR -> new TextSemantics("character", true);
            case PgTypeRegistry.UUID -> new UuidSemantics();
            case PgTypeRegistry.DATE -> new TimestampSemantics("date", PgDateTimes.Kind.DATE);
            case PgTypeRegistry.TIMESTAMP -> new TimestampSemantics("timestamp", PgDateTimes.Kind.TIMESTAMP);
            case PgTypeRegistry.TIMESTAMPTZ -> new TimestampSemantics("timestamp with time zone", PgDateTimes.Kind.TIMESTAMPTZ);
            case PgTypeRegistry.TIME -> new TimeSemantics("time", false);
            case PgTypeRegistry.TIMETZ -> new TimeSemantics("time with time zone", true);
            case PgTypeRegistry.INTERVAL -> new IntervalSemantics();
            case PgTypeRegistry.JSON -> new OpaqueSemantics("json", false, null, columnType);
            case PgTypeRegistry.JSONB -> new JsonbSemantics();
            default -> new OpaqueSemantics(type.name(), true, canonicalizer, columnType);
        };
    }

    /** Whether LIKE/ILIKE and regular expressions apply (character types). */
    static boolean isText(PgType columnType) {
        int oid = columnType.effective().oid();
        return oid == PgTypeRegistry.TEXT || oid == PgTypeRegistry.VARCHAR || oid == PgTypeRegistry.BPCHAR
                || oid == PgTypeRegistry.NAME;
    }

    /** The type as {@code regtype} prints it, which upstream's validation messages use. */
    static String regtypeName(PgType type) {
        if (type.isArray()) {
            return regtypeName(type.element()) + "[]";
        }
        if (!type.namespace().equals("pg_catalog")) {
            return type.name();
        }
        return switch (type.name()) {
            case "int2" -> "smallint";
            case "int4" -> "integer";
            case "int8" -> "bigint";
            case "float4" -> "real";
            case "float8" -> "double precision";
            case "bool" -> "boolean";
            case "varchar" -> "character varying";
            case "bpchar" -> "character";
            case "varbit" -> "bit varying";
            case "timestamp" -> "timestamp without time zone";
            case "timestamptz" -> "timestamp with time zone";
            case "time" -> "time without time zone";
            case "timetz" -> "time with time zone";
            default -> type.name();
        };
    }

    /** Whether the column's type is boolean (IS TRUE/FALSE/UNKNOWN need one). */
    static boolean isBool(PgType columnType) {
        return columnType.effective().oid() == PgTypeRegistry.BOOL;
    }

    /** Integers as longs; input like PostgreSQL 16+: whitespace, sign, underscores, 0x/0o/0b. */
    static final class IntegerSemantics extends FilterSemantics {
        private final long min;
        private final long max;

        IntegerSemantics(String inputName, long min, long max) {
            super(inputName);
            this.min = min;
            this.max = max;
        }

        @Override
        Object parse(String value) throws FilterValidationException {
            String s = value.strip();
            boolean negative = s.startsWith("-");
            String digits = negative || s.startsWith("+") ? s.substring(1) : s;
            int radix = 10;
            if (digits.length() > 2 && digits.charAt(0) == '0') {
                switch (Character.toLowerCase(digits.charAt(1))) {
                    case 'x' -> radix = 16;
                    case 'o' -> radix = 8;
                    case 'b' -> radix = 2;
                    default -> { }
                }
                if (radix != 10) {
                    digits = digits.substring(2);
                }
            }
            int base = radix;
            if (digits.isEmpty() || digits.startsWith("_") || digits.endsWith("_") || digits.contains("__")
                    || !digits.chars().allMatch(c -> c == '_' || (c < 0x80 && Character.digit(c, base) >= 0))) {
                throw FilterValidationException.invalidSyntax(inputName, value);
            }
            BigInteger parsed;
            try {
                parsed = new BigInteger(digits.replace("_", ""), base);
            } catch (NumberFormatException e) {
                throw FilterValidationException.invalidSyntax(inputName, value);
            }
            if (negative) {
                parsed = parsed.negate();
            }
            if (parsed.bitLength() > 63 || parsed.longValue() < min || parsed.longValue() > max) {
                throw FilterValidationException.outOfRange(inputName, value);
            }
            return parsed.longValue();
        }

        @Override
        int compare(String rowText, Object operand) {
            return Long.compare(parseRow(rowText), (Long) operand);
        }

        /** Output text is a plain optionally negative decimal. */
        private static long parseRow(String s) {
            int i = 0;
            boolean negative = s.charAt(0) == '-';
            if (negative) {
                i++;
            }
            long value = 0;
            for (; i < s.length(); i++) {
                char c = s.charAt(i);
                if (c < '0' || c > '9') {
                    throw new NumberFormatException(s);
                }
                value = value * 10 - (c - '0'); // accumulate negatively so Long.MIN_VALUE fits
            }
            return negative ? value : -value;
        }
    }

    /** float4/float8 with PostgreSQL's order: NaN equals NaN and sorts above everything, -0 = 0. */
    static final class FloatSemantics extends FilterSemantics {
        private static final Pattern DECIMAL =
                Pattern.compile("[+-]?(\\d+\\.?\\d*|\\.\\d+)([eE][+-]?\\d+)?");
        private final boolean single;

        FloatSemantics(String inputName, boolean single) {
            super(inputName);
            this.single = single;
        }

        @Override
        Object parse(String value) throws FilterValidationException {
            String s = value.strip();
            double parsed;
            switch (s.toLowerCase(Locale.ROOT)) {
                case "nan" -> parsed = Double.NaN;
                case "infinity", "+infinity", "inf", "+inf" -> parsed = Double.POSITIVE_INFINITY;
                case "-infinity", "-inf" -> parsed = Double.NEGATIVE_INFINITY;
                default -> {
                    if (!DECIMAL.matcher(s).matches()) {
                        throw FilterValidationException.invalidSyntax(inputName, value);
                    }
                    parsed = single ? Float.parseFloat(s) : Double.parseDouble(s);
                    boolean nonZeroDigits = s.replaceFirst("[eE].*", "").chars().anyMatch(c -> c >= '1' && c <= '9');
                    if (Double.isInfinite(parsed) || (parsed == 0 && nonZeroDigits)) {
                        throw new FilterValidationException("22003", "numeric_value_out_of_range",
                                "\"" + s + "\" is out of range for type " + inputName);
                    }
                }
            }
            return parsed;
        }

        @Override
        int compare(String rowText, Object operand) {
            double row = single ? Float.parseFloat(rowText) : Double.parseDouble(rowText);
            double value = (Double) operand;
            if (row == value) {
                return 0; // also -0 = 0
            }
            return Double.compare(row, value); // NaN above everything and equal to itself
        }
    }

    /** numeric as BigDecimal, with NaN above +Infinity above every number above -Infinity. */
    static final class NumericSemantics extends FilterSemantics {
        private static final Pattern DECIMAL =
                Pattern.compile("[+-]?(\\d[\\d_]*\\.?[\\d_]*|\\.\\d[\\d_]*)([eE][+-]?\\d+)?");

        NumericSemantics() {
            super("numeric");
        }

        @Override
        Object parse(String value) throws FilterValidationException {
            String s = value.strip();
            switch (s.toLowerCase(Locale.ROOT)) {
                case "nan" -> {
                    return Special.NAN;
                }
                case "infinity", "+infinity", "inf", "+inf" -> {
                    return Special.POSITIVE_INFINITY;
                }
                case "-infinity", "-inf" -> {
                    return Special.NEGATIVE_INFINITY;
                }
                default -> {
                    if (!DECIMAL.matcher(s).matches() || s.contains("__") || s.contains("_.") || s.contains("._")
                            || s.endsWith("_")) {
                        throw FilterValidationException.invalidSyntax(inputName, value);
                    }
                    return new BigDecimal(s.replace("_", ""));
                }
            }
        }

        @Override
        int compare(String rowText, Object operand) {
            int rowRank = rank(rowText);
            int operandRank = operand instanceof Special special ? special.rank : 0;
            if (rowRank != operandRank) {
                return Integer.compare(rowRank, operandRank);
            }
            return rowRank == 0 ? new BigDecimal(rowText).compareTo((BigDecimal) operand) : 0;
        }

        private static int rank(String rowText) {
            return switch (rowText) {
                case "NaN" -> 2;
                case "Infinity" -> 1;
                case "-Infinity" -> -1;
                default -> 0;
            };
        }

        enum Special {
            NEGATIVE_INFINITY(-1), POSITIVE_INFINITY(1), NAN(2);

            final int rank;

            Special(int rank) {
                this.rank = rank;
            }
        }
    }

    /** bool with PostgreSQL's accepted spellings; false sorts before true. */
    static final class BoolSemantics extends FilterSemantics {
        BoolSemantics() {
            super("boolean");
        }

        @Override
        Object parse(String value) throws FilterValidationException {
            String s = value.strip().toLowerCase(Locale.ROOT);
            if (!s.isEmpty()) {
                if ("true".startsWith(s) || "yes".startsWith(s) || s.equals("on") || s.equals("1")) {
                    return Boolean.TRUE;
                }
                if ("false".startsWith(s) || "no".startsWith(s) || (s.length() >= 2 && "off".startsWith(s)) || s.equals("0")) {
                    return Boolean.FALSE;
                }
            }
            throw FilterValidationException.invalidSyntax(inputName, value);
        }

        @Override
        int compare(String rowText, Object operand) {
            return Boolean.compare(rowText.equals("t"), (Boolean) operand);
        }
    }

    /** Character types by code point; for character(n) trailing spaces do not count. */
    static final class TextSemantics extends FilterSemantics {
        private final boolean padded;

        TextSemantics(String inputName, boolean padded) {
            super(inputName);
            this.padded = padded;
        }

        @Override
        Object parse(String value) {
            return padded ? value.stripTrailing() : value;
        }

        @Override
        int compare(String rowText, Object operand) {
            String value = (String) operand;
            int rowEnd = rowText.length();
            if (padded) {
                while (rowEnd > 0 && rowText.charAt(rowEnd - 1) == ' ') {
                    rowEnd--;
                }
            }
            return compareCodePoints(rowText, rowEnd, value, value.length());
        }

        /** Orders like the C collation (UTF-8 bytes), which String.compareTo does not for surrogates. */
        static int compareCodePoints(String a, int aEnd, String b, int bEnd) {
            int n = Math.min(aEnd, bEnd);
            for (int i = 0; i < n; i++) {
                char x = a.charAt(i);
                char y = b.charAt(i);
                if (x != y) {
                    boolean xs = Character.isSurrogate(x);
                    boolean ys = Character.isSurrogate(y);
                    if (xs != ys) {
                        return xs ? 1 : -1; // a surrogate pair encodes a code point above every BMP char
                    }
                    return Character.compare(x, y);
                }
            }
            return Integer.compare(aEnd, bEnd);
        }
    }

    /** uuid by its 16 bytes, compared as hex digits without allocating. */
    static final class UuidSemantics extends FilterSemantics {
        UuidSemantics() {
            super("uuid");
        }

        @Override
        Object parse(String value) throws FilterValidationException {
            String s = value.strip();
            if (s.startsWith("{") && s.endsWith("}")) {
                s = s.substring(1, s.length() - 1);
            }
            StringBuilder hex = new StringBuilder(32);
            for (int i = 0; i < s.length(); i++) {
                char c = s.charAt(i);
                if (c == '-' && hex.length() % 4 == 0 && hex.length() > 0 && hex.length() < 32 && i + 1 < s.length()
                        && s.charAt(i + 1) != '-') {
                    continue; // PostgreSQL accepts a hyphen after any group of four digits
                }
                if (Character.digit(c, 16) < 0 || hex.length() == 32) {
                    throw FilterValidationException.invalidSyntax(inputName, value);
                }
                hex.append(Character.toLowerCase(c));
            }
            if (hex.length() != 32) {
                throw FilterValidationException.invalidSyntax(inputName, value);
            }
            return hex.toString();
        }

        @Override
        int compare(String rowText, Object operand) {
            String hex = (String) operand;
            int j = 0;
            for (int i = 0; i < rowText.length(); i++) {
                char c = rowText.charAt(i);
                if (c == '-') {
                    continue;
                }
                int diff = Character.compare(Character.toLowerCase(c), hex.charAt(j++));
                if (diff != 0) {
                    return diff;
                }
            }
            return 0;
        }
    }

    /** date, timestamp, timestamptz as days/microseconds since 1970; infinities at the ends. */
    static final class TimestampSemantics extends FilterSemantics {
        private final PgDateTimes.Kind kind;

        TimestampSemantics(String inputName, PgDateTimes.Kind kind) {
            super(inputName);
            this.kind = kind;
        }

        @Override
        Object parse(String value) throws FilterValidationException {
            try {
                return PgDateTimes.parseTimestamp(value, kind);
            } catch (PgDateTimes.InputException e) {
                throw dateTimeError(e, inputName, value);
            }
        }

        @Override
        int compare(String rowText, Object operand) {
            return Long.compare(PgDateTimes.parseTimestamp(rowText, kind), (Long) operand);
        }
    }

    /** time as microseconds of the day; timetz ordered like {@code timetz_cmp}. */
    static final class TimeSemantics extends FilterSemantics {
        private final boolean withZone;

        TimeSemantics(String inputName, boolean withZone) {
            super(inputName);
            this.withZone = withZone;
        }

        @Override
        Object parse(String value) throws FilterValidationException {
            try {
                return read(value);
            } catch (PgDateTimes.InputException e) {
                throw dateTimeError(e, inputName, value);
            }
        }

        @Override
        int compare(String rowText, Object operand) {
            return Long.compare(read(rowText), (Long) operand);
        }

        private long read(String text) {
            return withZone ? PgDateTimes.parseTimeTz(text) : PgDateTimes.parseTimeOfDay(text);
        }
    }

    /** interval by its span with 30-day months and 24-hour days, as {@code interval_cmp}. */
    static final class IntervalSemantics extends FilterSemantics {
        IntervalSemantics() {
            super("interval");
        }

        @Override
        Object parse(String value) throws FilterValidationException {
            try {
                return PgDateTimes.parseInterval(value);
            } catch (PgDateTimes.InputException e) {
                if (e.kind == PgDateTimes.InputException.Kind.RANGE) {
                    throw new FilterValidationException("22015", "interval_field_overflow", "interval out of range");
                }
                throw dateTimeError(e, inputName, value);
            } catch (ArithmeticException e) {
                throw new FilterValidationException("22015", "interval_field_overflow", "interval out of range");
            }
        }

        @Override
        int compare(String rowText, Object operand) {
            return Long.compare(PgDateTimes.parseInterval(rowText), (Long) operand);
        }
    }

    /** Enums by label sort order. */
    static final class EnumSemantics extends FilterSemantics {
        private final String typeName;
        private final Map<String, Integer> positions = new HashMap<>();

        EnumSemantics(PgType type) {
            super(type.name());
            this.typeName = type.name();
            List<String> labels = type.enumLabels();
            for (int i = 0; i < labels.size(); i++) {
                positions.put(labels.get(i), i);
            }
        }

        @Override
        Object parse(String value) throws FilterValidationException {
            Integer position = positions.get(value);
            if (position == null) {
                throw FilterValidationException.invalidText("invalid input value for enum " + typeName + ": \"" + value + "\"");
            }
            return position;
        }

        @Override
        int compare(String rowText, Object operand) {
            Integer position = positions.get(rowText);
            if (position == null) {
                throw new IllegalArgumentException("label added after the filter was compiled: " + rowText);
            }
            return Integer.compare(position, (Integer) operand);
        }
    }

    /**
     * jsonb equality as PostgreSQL defines it: same structure, object keys in any order, numbers
     * compared as numeric ({@code 1.0} equals {@code 1}). No ordering.
     */
    static final class JsonbSemantics extends FilterSemantics {
        private static final ObjectMapper JSON = new ObjectMapper()
                .enable(DeserializationFeature.USE_BIG_DECIMAL_FOR_FLOATS)
                .enable(DeserializationFeature.FAIL_ON_TRAILING_TOKENS);

        JsonbSemantics() {
            super("json");
        }

        @Override
        Object parse(String value) throws FilterValidationException {
            try {
                return JSON.readTree(value);
            } catch (IOException e) {
                throw FilterValidationException.invalidText("invalid input syntax for type json");
            }
        }

        @Override
        int compare(String rowText, Object operand) {
            try {
                return equal(JSON.readTree(rowText), (JsonNode) operand) ? 0 : 1;
            } catch (IOException e) {
                throw new IllegalArgumentException(e);
            }
        }

        private static boolean equal(JsonNode a, JsonNode b) {
            if (a.isNumber() && b.isNumber()) {
                return a.decimalValue().compareTo(b.decimalValue()) == 0;
            }
            if (a.getNodeType() != b.getNodeType() || a.size() != b.size()) {
                return false;
            }
            if (a.isObject()) {
                for (Map.Entry<String, JsonNode> field : a.properties()) {
                    JsonNode other = b.get(field.getKey());
                    if (other == null || !equal(field.getValue(), other)) {
                        return false;
                    }
                }
                return true;
            }
            if (a.isArray()) {
                for (int i = 0; i < a.size(); i++) {
                    if (!equal(a.get(i), b.get(i))) {
                        return false;
                    }
                }
                return true;
            }
            return a.equals(b);
        }

        @Override
        boolean ordered() {
            return false;
        }
    }

    /**
     * Any other type: equal when the output text is equal, which holds once the filter value is in
     * the canonical form the database prints (see {@link ValueCanonicalizer}). No ordering.
     */
    static final class OpaqueSemantics extends FilterSemantics {
        private final boolean equality;
        private final ValueCanonicalizer canonicalizer;
        private final PgType type;

        OpaqueSemantics(String inputName, boolean equality, ValueCanonicalizer canonicalizer, PgType type) {
            super(inputName);
            this.equality = equality;
            this.canonicalizer = canonicalizer;
            this.type = type;
        }

        @Override
        Object parse(String value) throws FilterValidationException {
            return canonicalizer == null ? value : canonicalizer.canonicalize(value, type);
        }

        @Override
        int compare(String rowText, Object operand) {
            return rowText.equals(operand) ? 0 : 1;
        }

        @Override
        boolean ordered() {
            return false;
        }

        @Override
        boolean hasEquality() {
            return equality;
        }
    }

    static FilterValidationException dateTimeError(PgDateTimes.InputException e, String inputName, String value) {
        return switch (e.kind) {
            case SYNTAX -> FilterValidationException.dateTimeSyntax(inputName, value);
            case RANGE -> FilterValidationException.dateTimeOutOfRange(value);
            case DISPLACEMENT -> new FilterValidationException("22009", "invalid_time_zone_displacement_value",
                    "time zone displacement out of range: \"" + value + "\"");
            case ZONE -> new FilterValidationException("22023", "invalid_parameter_value",
                    "time zone \"" + e.zone.toLowerCase(Locale.ROOT) + "\" not recognized");
        };
    }
}
