package io.mudrock.realtime.protocol;

/**
 * Client-chosen text (topics, events, presence keys, filters, host names, token errors) made
 * safe for one log line: control characters, line and paragraph separators and bidirectional
 * overrides are written as {@code \\uXXXX}, backslashes doubled, and the result is cut after
 * {@link #MAX_CHARS} characters with the number left out. So a topic with a newline cannot forge
 * a log line, and a 5 MB topic does not become a 5 MB log line.
 *
 * <p>Our log lines name what they are about in one form, fields first: {@code tenant=<id>
 * channel=<topic> socket=<id>: what happened}, each field only where the code has it. Field values
 * have their spaces escaped too ({@link #value}), so {@code tenant=(\S+)} and {@code channel=(\S+)}
 * extract them from any line.
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

    /**
     * Client or operator text as a field value: as {@link #of}, with spaces also written as
     * {@code \\u0020} so the value ends at the next space.
     *
     * @param text the value, may be null
     * @return the escaped value
     */
    public static String value(String text) {
        String escaped = of(text);
        return escaped.indexOf(' ') < 0 ? escaped : escaped.replace(" ", "\\u0020");
    }

    /**
     * @param tenantId the tenant's external id
     * @return {@code tenant=<id>}
     */
    public static String tenant(String tenantId) {
        return "tenant=" + value(tenantId);
    }

    /**
     * @param tenantId the tenant's external id
     * @param topic    the channel's topic as the client sent it ({@code realtime:room})
     * @return {@code tenant=<id> channel=<topic>}
     */
    public static String channel(String tenantId, String topic) {
        return tenant(tenantId) + " channel=" + value(topic);
    }

    private static boolean unsafe(char c) {
        return c < 0x20 || (c >= 0x7F && c <= 0x9F) || c == '\u2028' || c == '\u2029'
                || (c >= '\u202A' && c <= '\u202E') || (c >= '\u2066' && c <= '\u2069');
    }
}
