package io.mudrock.realtime.channel;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.function.Supplier;

/**
 * The presence of one topic in Phoenix's shape: every tracking channel holds one meta under its
 * presence key; several channels may share a key. Changes come back as a {@link PresenceDiff}.
 *
 * <p>The rules (as Phoenix.Presence): a first track is a join; tracking again with a different
 * payload is an update, reported as a leave of the old meta and a join of the new one whose
 * {@code phx_ref_prev} is the old {@code phx_ref}; tracking again with the same payload changes
 * nothing; untrack and channel termination are leaves. Not thread-safe: the registry locks the
 * topic around each call and its fan-out, so every receiver sees diffs in the same order.
 *
 * <p>A topic holds at most a fixed number of entries and bytes ({@link #fits}), since each joiner
 * is sent all of them.
 */
final class PresenceState {

    /**
     * One tracked meta.
     *
     * @param key the presence key
     * @param phxRef this meta's reference
     * @param phxRefPrev the reference of the meta it replaced, or {@code null}
     * @param payload the tracked payload, as the client sent it
     * @param bytes the entry's size, {@link #entryBytes}
     */
    record Meta(String key, String phxRef, String phxRefPrev, ObjectNode payload, int bytes) {

        /** @return the meta as the other nodes get it */
        PresenceMeta forOtherNodes() {
            return new PresenceMeta(key, phxRef, phxRefPrev, payload.toString());
        }

        /** @return the meta as sent to clients: the payload plus {@code phx_ref} (and {@code phx_ref_prev}) */
        ObjectNode toJson() {
            ObjectNode node = JsonNodeFactory.instance.objectNode();
            node.put("phx_ref", phxRef);
            if (phxRefPrev != null) {
                node.put("phx_ref_prev", phxRefPrev);
            }
            payload.fields().forEachRemaining(e -> {
                if (!e.getKey().equals("phx_ref") && !e.getKey().equals("phx_ref_prev")) {
                    node.set(e.getKey(), e.getValue());
                }
            });
            return node;
        }
    }

    private final Supplier<String> refs;
    private final int maxEntries;
    private final long maxBytes;
    // Insertion order keeps presence_state stable: oldest members first, as Phoenix lists them.
    private final Map<Object, Meta> byOwner = new LinkedHashMap<>();
    private long bytes;

    /** @param refs generator of unique {@code phx_ref} values */
    PresenceState(Supplier<String> refs) {
        this(refs, ChannelCaps.MAX_PRESENCE_ENTRIES_PER_TOPIC, ChannelCaps.MAX_PRESENCE_BYTES_PER_TOPIC);
    }

    /**
     * @param refs generator of unique {@code phx_ref} values
     * @param maxEntries the most entries the topic holds
     * @param maxBytes the most bytes its entries hold together
     */
    PresenceState(Supplier<String> refs, int maxEntries, long maxBytes) {
        this.refs = Objects.requireNonNull(refs, "refs");
        this.maxEntries = maxEntries;
        this.maxBytes = maxBytes;
    }

    /**
     * @param key the presence key
     * @param payload the meta payload
     * @return what the entry costs: its key and its payload as JSON, in UTF-8 bytes
     */
    static int entryBytes(String key, ObjectNode payload) {
        return key.getBytes(StandardCharsets.UTF_8).length + payload.toString().getBytes(StandardCharsets.UTF_8).length;
    }

    /**
     * @param owner the tracking channel
     * @param entryBytes the size of the entry it would track
     * @return whether the topic has room for it (replacing the owner's entry, if any)
     */
    boolean fits(Object owner, int entryBytes) {
        Meta previous = byOwner.get(owner);
        if (previous == null && byOwner.size() >= maxEntries) {
            return false;
        }
        return bytes - (previous == null ? 0 : previous.bytes()) + entryBytes <= maxBytes;
    }

    /**
     * Tracks or updates the meta of {@code owner}.
     *
     * @param owner the tracking channel
     * @param key the presence key
     * @param payload the meta payload
     * @return the diff, empty when nothing changed
     */
    PresenceDiff track(Object owner, String key, ObjectNode payload) {
        Meta previous = byOwner.get(owner);
        if (previous != null && previous.key().equals(key) && previous.payload().equals(payload)) {
            return PresenceDiff.EMPTY;
        }
        Meta next = new Meta(key, refs.get(), previous == null || !previous.key().equals(key) ? null : previous.phxRef(),
                payload.deepCopy(), entryBytes(key, payload));
        byOwner.put(owner, next);
        bytes += next.bytes() - (previous == null ? 0 : previous.bytes());
        return new PresenceDiff(previous == null ? List.of() : List.of(previous), List.of(next));
    }

    /**
     * Removes the meta of {@code owner}.
     *
     * @param owner the channel
     * @return the diff, empty if it tracked nothing
     */
    PresenceDiff untrack(Object owner) {
        Meta previous = byOwner.remove(owner);
        if (previous == null) {
            return PresenceDiff.EMPTY;
        }
        bytes -= previous.bytes();
        return new PresenceDiff(List.of(previous), List.of());
    }

    /** @return true when nobody is tracked */
    boolean isEmpty() {
        return byOwner.isEmpty();
    }

    /** @return the {@code presence_state} payload: {@code {key: {"metas": [...]}}} */
    ObjectNode state() {
        return PresenceDiff.group(new ArrayList<>(byOwner.values()));
    }

    /**
     * @param others metas other nodes track on the topic
     * @return the {@code presence_state} payload of this node's metas and theirs
     */
    ObjectNode state(List<Meta> others) {
        if (others.isEmpty()) {
            return state();
        }
        List<Meta> all = new ArrayList<>(byOwner.values());
        all.addAll(others);
        return PresenceDiff.group(all);
    }

    /** @return this node's metas, as the other nodes get them */
    List<PresenceMeta> metas() {
        List<PresenceMeta> metas = new ArrayList<>(byOwner.size());
        byOwner.values().forEach(meta -> metas.add(meta.forOtherNodes()));
        return metas;
    }

    /**
     * What one presence change did.
     *
     * @param leaves metas that left
     * @param joins metas that joined
     */
    record PresenceDiff(List<Meta> leaves, List<Meta> joins) {

        static final PresenceDiff EMPTY = new PresenceDiff(List.of(), List.of());

        /** @return true if nothing changed */
        boolean isEmpty() {
            return leaves.isEmpty() && joins.isEmpty();
        }

        /** @return the change as the other nodes get it */
        PresenceChange forOtherNodes() {
            List<String> left = new ArrayList<>(leaves.size());
            leaves.forEach(meta -> left.add(meta.phxRef()));
            List<PresenceMeta> joined = new ArrayList<>(joins.size());
            joins.forEach(meta -> joined.add(meta.forOtherNodes()));
            return new PresenceChange(left, joined);
        }

        /** @return the {@code presence_diff} payload {@code {"joins": {...}, "leaves": {...}}} */
        ObjectNode toJson() {
            ObjectNode node = JsonNodeFactory.instance.objectNode();
            node.set("joins", group(joins));
            node.set("leaves", group(leaves));
            return node;
        }

        static ObjectNode group(List<Meta> metas) {
            ObjectNode byKey = JsonNodeFactory.instance.objectNode();
            for (Meta meta : metas) {
                JsonNode entry = byKey.get(meta.key());
                if (entry == null) {
                    ObjectNode created = byKey.putObject(meta.key());
                    created.putArray("metas").add(meta.toJson());
                } else {
                    ((ArrayNode) entry.get("metas")).add(meta.toJson());
                }
            }
            return byKey;
        }
    }
}
