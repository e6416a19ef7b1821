package io.mudrock.realtime.changes.values;

/** Minimal JSON text helpers: payloads are assembled by hand so key order and number text stay exact. */
public final class Json {

    private static final char[] HEX = "0123456789abcdef".toCharArray();

    private Json() {
    }

    /** The JSON string literal for {@code value}. */
    public static String quote(String value) {
        StringBuilder sb = new StringBuilder(value.length() + 2);
        appendQuoted(sb, value, 0, value.length());
        return sb.toString();
    }

    /** Appends {@code value[start, end)} as a JSON string literal. */
    static void appendQuoted(StringBuilder out, CharSequence value, int start, int end) {
        out.append('"');
        int run = start;
        for (int i = start; i < end; i++) {
            char c = value.charAt(i);
            if (c >= 0x20 && c != '"' && c != '\\') {
                continue;
            }
            out.append(value, run, i);
            run = i + 1;
            switch (c) {
                case '"' -> out.append("\\\"");
                case '\\' -> out.append("\\\\");
                case '\n' -> out.append("\\n");
                case '\r' -> out.append("\\r");
                case '\t' -> out.append("\\t");
                case '\b' -> out.append("\\b");
                case '\f' -> out.append("\\f");
                default -> out.append("\\u00").append(HEX[c >> 4]).append(HEX[c & 0xF]);
            }
        }
        out.append(value, run, end).append('"');
    }

    /** Number of bytes {@code text[start, end)} takes in UTF-8. */
    public static int utf8Length(CharSequence text, int start, int end) {
        int bytes = end - start;
        for (int i = start; i < end; i++) {
            char c = text.charAt(i);
            if (c >= 0x80) {
                if (c < 0x800) {
                    bytes += 1;
                } else if (Character.isHighSurrogate(c) && i + 1 < end && Character.isLowSurrogate(text.charAt(i + 1))) {
                    bytes += 2; // 4 bytes for the pair of chars
                    i++;
                } else {
                    bytes += 2;
                }
            }
        }
        return bytes;
    }
}
