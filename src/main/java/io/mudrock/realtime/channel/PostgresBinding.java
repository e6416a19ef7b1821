package io.mudrock.realtime.channel;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.TreeMap;
import java.util.zip.CRC32;

/**
 * One {@code postgres_changes} binding of a join, as the client sent it, with the integer id the
 * join reply gives it and every {@code postgres_changes} frame lists in {@code ids}.
 *
 * <p>Ids are a hash of the binding's content (keys sorted), within upstream's range
 * 0..2<sup>27</sup>-1, so identical bindings get identical ids everywhere; two different
 * bindings of one channel that collide are told apart by probing the next value.
 *
 * @param id the binding id, a non-negative integer that JavaScript numbers hold exactly
 * @param params the binding object exactly as the client sent it (never modified)
 */
public record PostgresBinding(long id, ObjectNode params) {

    private static final long ID_MASK = (1L << 27) - 1;

    /**
     * Requires the params.
     *
     * @param id the id
     * @param params the binding object
     */
    public PostgresBinding {
        Objects.requireNonNull(params, "params");
    }

    /** @return the {@code event}: {@code *}, {@code INSERT}, {@code UPDATE} or {@code DELETE} (or anything the client sent) */
    public String event() {
        return text("event");
    }

    /** @return the {@code schema}, or {@code null} */
    public String schema() {
        return text("schema");
    }

    /** @return the {@code table}, or {@code null} */
    public String table() {
        return text("table");
    }

    /** @return the {@code filter}, or {@code null} */
    public String filter() {
        return text("filter");
    }

    /** @return the binding as echoed in the join reply: the client's object plus {@code "id"} */
    public ObjectNode toReply() {
        ObjectNode echo = params.deepCopy();
        echo.put("id", id);
        return echo;
    }

    private String text(String field) {
        JsonNode value = params.get(field);
        return value == null || value.isNull() ? null : value.asText();
    }

    /**
     * Assigns ids to the bindings of one join, in order. Entries that are not objects are
     * skipped, as upstream drops nil items.
     *
     * @param requested the {@code config.postgres_changes} entries
     * @return the bindings with ids, in the order sent
     */
    public static List<PostgresBinding> assignIds(List<JsonNode> requested) {
        List<PostgresBinding> bindings = new ArrayList<>(requested.size());
        Map<Long, String> taken = new HashMap<>();
        for (JsonNode node : requested) {
            if (!(node instanceof ObjectNode params)) {
                continue;
            }
            String canonical = canonical(params);
            long id = hash(canonical);
            while (taken.containsKey(id) && !taken.get(id).equals(canonical)) {
                id = (id + 1) & ID_MASK;
            }
            taken.put(id, canonical);
            bindings.add(new PostgresBinding(id, params.deepCopy()));
        }
        return List.copyOf(bindings);
    }

    private static long hash(String canonical) {
        CRC32 crc = new CRC32();
        crc.update(canonical.getBytes(StandardCharsets.UTF_8));
        return crc.getValue() & ID_MASK;
    }

    /** JSON text with object keys sorted at every level, so equal content hashes equally. */
    static String canonical(JsonNode node) {
        if (node.isObject()) {
            TreeMap<String, JsonNode> sorted = new TreeMap<>();
            for (Iterator<Map.Entry<String, JsonNode>> it = node.fields(); it.hasNext();) {
                Map.Entry<String, JsonNode> e = it.next();
                sorted.put(e.getKey(), e.getValue());
            }
            StringBuilder out = new StringBuilder("{");
            sorted.forEach((k, v) -> {
                if (out.length() > 1) {
                    out.append(',');
                }
                out.append(io.mudrock.realtime.protocol.JsonText.quote(k)).append(':').append(canonical(v));
            });
            return out.append('}').toString();
        }
        if (node.isArray()) {
            StringBuilder out = new StringBuilder("[");
            for (JsonNode item : node) {
                if (out.length() > 1) {
                    out.append(',');
                }
                out.append(canonical(item));
            }
            return out.append(']').toString();
        }
        return node.toString();
    }
}
