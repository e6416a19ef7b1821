package io.mudrock.realtime.channel;

import io.mudrock.realtime.protocol.JsonText;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * The metas other nodes track on one topic, per node, as their announcements said. Each change
 * comes back as the diff this node's receivers get. Not thread-safe: the registry holds the
 * topic's lock, as for {@link PresenceState}.
 */
final class RemotePresence {

    private final Map<String, LinkedHashMap<String, PresenceState.Meta>> byNode = new HashMap<>();

    /** Applies another node's change: its leaves by reference, then its joins. */
    PresenceState.PresenceDiff apply(String node, PresenceChange change) {
        LinkedHashMap<String, PresenceState.Meta> metas = byNode.computeIfAbsent(node, n -> new LinkedHashMap<>());
        List<PresenceState.Meta> leaves = new ArrayList<>();
        for (String ref : change.left()) {
            PresenceState.Meta gone = metas.remove(ref);
            if (gone != null) {
                leaves.add(gone);
            }
        }
        List<PresenceState.Meta> joins = new ArrayList<>();
        for (PresenceMeta joined : change.joined()) {
            meta(joined).ifPresent(meta -> {
                if (metas.put(meta.phxRef(), meta) == null) {
                    joins.add(meta);
                }
            });
        }
        if (metas.isEmpty()) {
            byNode.remove(node);
        }
        return new PresenceState.PresenceDiff(leaves, joins);
    }

    /** Replaces everything another node tracks here with its full state. */
    PresenceState.PresenceDiff replace(String node, List<PresenceMeta> state) {
        LinkedHashMap<String, PresenceState.Meta> previous = byNode.getOrDefault(node, new LinkedHashMap<>());
        LinkedHashMap<String, PresenceState.Meta> next = new LinkedHashMap<>();
        List<PresenceState.Meta> joins = new ArrayList<>();
        for (PresenceMeta entry : state) {
            meta(entry).ifPresent(meta -> {
                next.put(meta.phxRef(), meta);
                if (previous.remove(meta.phxRef()) == null) {
                    joins.add(meta);
                }
            });
        }
        if (next.isEmpty()) {
            byNode.remove(node);
        } else {
            byNode.put(node, next);
        }
        return new PresenceState.PresenceDiff(new ArrayList<>(previous.values()), joins);
    }

    /** Forgets a node that left the cluster: all its metas leave. */
    PresenceState.PresenceDiff removeNode(String node) {
        LinkedHashMap<String, PresenceState.Meta> gone = byNode.remove(node);
        return gone == null ? PresenceState.PresenceDiff.EMPTY
                : new PresenceState.PresenceDiff(new ArrayList<>(gone.values()), List.of());
    }

    /** @return every remote meta, node by node */
    List<PresenceState.Meta> metas() {
        List<PresenceState.Meta> all = new ArrayList<>();
        byNode.values().forEach(metas -> all.addAll(metas.values()));
        return all;
    }

    /** @return true if no other node tracks anything here */
    boolean isEmpty() {
        return byNode.isEmpty();
    }

    private static Optional<PresenceState.Meta> meta(PresenceMeta entry) {
        return JsonText.readObject(entry.payloadJson()).map(payload -> new PresenceState.Meta(entry.key(), entry.phxRef(),
                entry.phxRefPrev(), payload, PresenceState.entryBytes(entry.key(), payload)));
    }
}
