package io.mudrock.realtime.changes.filter;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * Renders values the way Elixir's {@code inspect/1} does, because upstream embeds inspected
 * binding parameters and filter parts in the error messages clients match on. One escaper for
 * the filter parser and the stream's {@code system} messages.
 */
public final class ElixirInspect {

    private ElixirInspect() {
    }

    /** {@code "text"} with Elixir's string escapes. */
    public static String string(String s) {
        StringBuilder out = new StringBuilder(s.length() + 2).append('"');
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            switch (c) {
                case '"' -> out.append("\\\"");
                case '\\' -> out.append("\\\\");
                case '\n' -> out.append("\\n");
                case '\r' -> out.append("\\r");
                case '\t' -> out.append("\\t");
                case '\f' -> out.append("\\f");
                case '\b' -> out.append("\\b");
                case 0x0B -> out.append("\\v");
                case 0x07 -> out.append("\\a");
                case 0x1B -> out.append("\\e");
                case '#' -> out.append(i + 1 < s.length() && s.charAt(i + 1) == '{' ? "\\#" : "#");
                default -> {
                    if (c < 0x20 || c == 0x7F) {
                        out.append("\\x").append(String.format("%02X", (int) c));
                    } else {
                        out.append(c);
                    }
                }
            }
        }
        return out.append('"').toString();
    }

    /**
     * A decoded JSON value as Elixir shows the term Jason decodes it to: maps as
     * {@code %{"k" => v}} with keys sorted (small maps are ordered), {@code nil} for null.
     */
    public static String json(JsonNode node) {
        if (node == null || node.isNull() || node.isMissingNode()) {
            return "nil";
        }
        if (node.isTextual()) {
            return string(node.textValue());
        }
        if (node.isArray()) {
            StringBuilder out = new StringBuilder("[");
            for (JsonNode item : node) {
                out.append(out.length() > 1 ? ", " : "").append(json(item));
            }
            return out.append(']').toString();
        }
        if (node.isObject()) {
            Map<String, JsonNode> sorted = new TreeMap<>();
            for (Iterator<Map.Entry<String, JsonNode>> it = node.fields(); it.hasNext();) {
                Map.Entry<String, JsonNode> e = it.next();
                sorted.put(e.getKey(), e.getValue());
            }
            StringBuilder out = new StringBuilder("%{");
            sorted.forEach((k, v) -> out.append(out.length() > 2 ? ", " : "").append(string(k)).append(" => ").append(json(v)));
            return out.append('}').toString();
        }
        return node.toString(); // numbers and booleans print alike
    }

    /** Parsed filters as upstream logs its {@code {column, op, value, negate}} tuples. */
    public static String filters(List<FilterCondition> conditions) {
        StringBuilder out = new StringBuilder("[");
        for (FilterCondition c : conditions) {
            out.append(out.length() > 1 ? ", " : "").append('{').append(string(c.column())).append(", ")
                    .append(string(c.operator().wireName())).append(", ").append(string(c.value())).append(", ")
                    .append(c.negate()).append('}');
        }
        return out.append(']').toString();
    }

    /** A list of strings, or {@code nil}. */
    public static String strings(List<String> values) {
        if (values == null) {
            return "nil";
        }
        StringBuilder out = new StringBuilder("[");
        for (String v : values) {
            out.append(out.length() > 1 ? ", " : "").append(string(v));
        }
        return out.append(']').toString();
    }
}
