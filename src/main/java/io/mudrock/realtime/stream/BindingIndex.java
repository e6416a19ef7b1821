package io.mudrock.realtime.stream;

import java.util.List;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;

/**
 * The router's index: live bindings by (schema, table), where either may be {@code *}. A change
 * of {@code s.t} looks up four keys ({@code s.t}, {@code s.*}, {@code *.t}, {@code *.*}), so its
 * cost depends on the bindings of that table, never on every subscriber of the tenant.
 *
 * <p>Wildcards are matched when a change arrives rather than expanded against the publication
 * when the binding joins: pgoutput only sends tables of the publication, so a table added with
 * {@code ALTER PUBLICATION ... ADD TABLE} reaches wildcard bindings without anything to rebuild.
 *
 * <p>Thread-safe: joins and leaves write, the stream thread reads; each list is copied on write,
 * so the stream iterates a stable snapshot.
 */
final class BindingIndex {

    private record Key(String schema, String table) {
    }

    private final ConcurrentHashMap<Key, CopyOnWriteArrayList<LiveBinding>> bindings = new ConcurrentHashMap<>();

    void add(LiveBinding binding) {
        bindings.computeIfAbsent(key(binding), k -> new CopyOnWriteArrayList<>()).add(binding);
    }

    void remove(LiveBinding binding) {
        bindings.computeIfPresent(key(binding), (k, list) -> {
            list.remove(binding);
            return list.isEmpty() ? null : list;
        });
    }

    /** Appends to {@code out} every binding that names this table, exactly or by wildcard. */
    void collect(String schema, String table, List<LiveBinding> out) {
        if (bindings.isEmpty()) {
            return;
        }
        addAll(new Key(schema, table), out);
        addAll(new Key(schema, BindingSpec.ANY), out);
        addAll(new Key(BindingSpec.ANY, table), out);
        addAll(new Key(BindingSpec.ANY, BindingSpec.ANY), out);
    }

    private void addAll(Key key, List<LiveBinding> out) {
        List<LiveBinding> found = bindings.get(key);
        if (found != null) {
            out.addAll(found);
        }
    }

    private static Key key(LiveBinding binding) {
        return new Key(binding.spec().schema(), binding.spec().table());
    }
}
