package io.mudrock.realtime.protocol;

/**
 * Client-chosen text (topics, events, presence keys, filters, host names, token errors) made
 * safe for one log line: control characters, line and paragraph separators and bidirectional
 * overrides are written as {@code \\uXXXX}, backslashes doubled, and the result is cut after
 * {@link #MAX_CHARS} characters with the number left out. So a topic with a newline cannot forge
 * a log line, and a 5 MB topic does not become a 5 MB log line.
 */
public final class LogText {

    /** Characters of client text kept in a log line. */
    public static final int MAX_CHARS = 200;

    private LogText() {
    }

    /**
     * @param text client text, may be null
     * @return the text, escaped and shortened; {@code null} as {@code "null"}
     */
    public static String of(String text) {
        if (text == null) {
            return "null";
        }
        int length = Math.min(text.length(), MAX_CHARS);
        StringBuilder out = null;
        for (int i = 0; i < length; i++) {
            char c = text.charAt(i);
            boolean escape = c == '\\' || unsafe(c);
            if (escape && out == null) {
                out = new StringBuilder(length + 16).append(text, 0, i);
            }
            if (out != null) {
                if (c == '\\') {
                    out.append("\\\\");
                } else if (escape) {
                    out.append(String.format("\\u%04x", (int) c));
                } else {
                    out.append(c);
                }
            }
        }
        String kept = out != null ? out.toString() : length == text.length() ? text : text.substring(0, length);
        return length == text.length() ? kept : kept + "...(" + (text.length() - length) + " more)";
    }

    private static boolean unsafe(char c) {
        return c < 0x20 || (c >= 0x7F && c <= 0x9F) || c == '\u2028' || c == '\u2029'
                || (c >= '\u202A' && c <= '\u202E') || (c >= '\u2066' && c <= '\u2069');
    }
}
