package io.mudrock.realtime.protocol;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.util.Optional;

/**
 * JSON text helpers for the codecs: string escaping for hand-built envelopes, and one shared,
 * thread-safe Jackson mapper for parsing and for writing arbitrary {@link JsonNode}s.
 *
 * <p>Envelopes are built by hand so that pre-serialized payloads (broadcasts, postgres_changes
 * {@code data}) are spliced in verbatim instead of being parsed and written again per receiver.
 */
public final class JsonText {

    // Trailing tokens are rejected so that "[...] garbage" is malformed, as it is for Jason.
    static final ObjectMapper MAPPER = new ObjectMapper()
            .enable(DeserializationFeature.FAIL_ON_TRAILING_TOKENS);

    private static final JsonFactory FACTORY = MAPPER.getFactory();
    private static final char[] HEX = "0123456789abcdef".toCharArray();

    private JsonText() {
    }

    /**
     * Appends {@code s} as a JSON string literal. Quotes, backslashes, control characters and
     * unpaired surrogates are escaped (<code>&#92;u00XX</code> for controls); every other character,
     * non-ASCII included, is kept as is so the UTF-8 frame stays compact.
     *
     * @param out the builder to append to
     * @param s the string, or {@code null} to append the literal {@code null}
     * @return {@code out}
     */
    public static StringBuilder appendString(StringBuilder out, String s) {
        if (s == null) {
            return out.append("null");
        }
        out.append('"');
        int n = s.length();
        int start = 0;
        for (int i = 0; i < n; i++) {
            char c = s.charAt(i);
            if (c >= 0x20 && c != '"' && c != '\\' && !Character.isSurrogate(c)) {
                continue;
            }
            if (Character.isHighSurrogate(c) && i + 1 < n && Character.isLowSurrogate(s.charAt(i + 1))) {
                i++; // a valid pair is a normal character
                continue;
            }
            out.append(s, start, i);
            if (c == '"' || c == '\\') {
                out.append('\\').append(c);
            } else {
                // Control characters, and lone surrogates, which have no UTF-8 encoding.
                out.append("\\u").append(HEX[c >> 12]).append(HEX[(c >> 8) & 0xF])
                        .append(HEX[(c >> 4) & 0xF]).append(HEX[c & 0xF]);
            }
            start = i + 1;
        }
        return out.append(s, start, n).append('"');
    }

    /**
     * Returns {@code s} as a JSON string literal, or {@code "null"} for {@code null}.
     *
     * @param s the string to quote
     * @return the literal, quotes included
     */
    public static String quote(String s) {
        return appendString(new StringBuilder(s == null ? 4 : s.length() + 8), s).toString();
    }

    /**
     * Writes a JSON tree as compact text.
     *
     * @param node the tree, {@code null} meaning JSON {@code null}
     * @return the JSON text
     */
    public static String write(JsonNode node) {
        try {
            return MAPPER.writeValueAsString(node);
        } catch (JsonProcessingException e) {
            // A JsonNode always serializes; reaching this is a bug, not bad input.
            throw new IllegalStateException("cannot write JSON tree", e);
        }
    }

    /**
     * Reads a JSON object.
     *
     * @param json the text
     * @return the object, or empty if the text is not exactly one JSON object
     */
    public static Optional<ObjectNode> readObject(String json) {
        try {
            JsonNode node = MAPPER.readTree(json);
            return node instanceof ObjectNode object ? Optional.of(object) : Optional.empty();
        } catch (JsonProcessingException e) {
            return Optional.empty();
        }
    }

    /**
     * Tells whether the text is exactly one well-formed JSON value (surrounding whitespace
     * allowed). Streams through the tokens without building a tree, since it guards every
     * inbound JSON broadcast payload before it is forwarded verbatim.
     *
     * @param json JSON text
     * @return true if well formed
     */
    static boolean isSingleValue(String json) {
        try (JsonParser p = FACTORY.createParser(json)) {
            if (p.nextToken() == null) {
                return false;
            }
            p.skipChildren();
            return p.nextToken() == null;
        } catch (IOException e) {
            // Parse errors and exceeded read constraints alike mean "not acceptable JSON".
            return false;
        }
    }
}
