package io.mudrock.realtime.changes;

import io.mudrock.realtime.changes.values.Json;
import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.Map;
import java.util.TreeMap;

/**
 * Canonical text of a JSON document for comparisons: no whitespace, object keys sorted, but
 * numbers kept exactly as written ({@code 2.50}, {@code -0}), unlike a tree comparison.
 */
public final class CanonicalJson {

    private static final JsonFactory FACTORY = new JsonFactory();

    private CanonicalJson() {
    }

    public static String of(String json) {
        try (JsonParser parser = FACTORY.createParser(json)) {
            parser.nextToken();
            String canonical = value(parser);
            if (parser.nextToken() != null) {
                throw new IllegalArgumentException("trailing content in " + json);
            }
            return canonical;
        } catch (IOException e) {
            throw new UncheckedIOException("not JSON: " + json, e);
        }
    }

    private static String value(JsonParser parser) throws IOException {
        JsonToken token = parser.currentToken();
        switch (token) {
            case START_OBJECT -> {
                Map<String, String> fields = new TreeMap<>();
                while (parser.nextToken() == JsonToken.FIELD_NAME) {
                    String name = parser.currentName();
                    parser.nextToken();
                    fields.put(name, value(parser));
                }
                StringBuilder sb = new StringBuilder("{");
                fields.forEach((k, v) -> sb.append(sb.length() > 1 ? "," : "").append(Json.quote(k)).append(':').append(v));
                return sb.append('}').toString();
            }
            case START_ARRAY -> {
                StringBuilder sb = new StringBuilder("[");
                while (parser.nextToken() != JsonToken.END_ARRAY) {
                    sb.append(sb.length() > 1 ? "," : "").append(value(parser));
                }
                return sb.append(']').toString();
            }
            case VALUE_STRING -> {
                return Json.quote(parser.getText());
            }
            default -> {
                return parser.getText(); // numbers as written, true, false, null
            }
        }
    }
}
