package io.mudrock.realtime.stream;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

class BindingIndexTest {

    private static final ObjectMapper JSON = new ObjectMapper();

    private static LiveBinding binding(long id, String json) throws Exception {
        return new LiveBinding(null, id, BindingSpec.parse((ObjectNode) JSON.readTree(json)));
    }

    private static List<Long> ids(BindingIndex index, String schema, String table) {
        List<LiveBinding> found = new ArrayList<>();
        index.collect(schema, table, found);
        return found.stream().map(LiveBinding::id).sorted().toList();
    }

    @Test
    void aChangeFindsExactAndWildcardBindingsOnly() throws Exception {
        BindingIndex index = new BindingIndex();
        LiveBinding exact = binding(1, "{\"schema\":\"public\",\"table\":\"wells\"}");
        index.add(exact);
        index.add(binding(2, "{\"schema\":\"public\"}"));
        index.add(binding(3, "{\"schema\":\"*\",\"table\":\"wells\"}"));
        index.add(binding(4, "{\"schema\":\"*\",\"table\":\"*\"}"));
        index.add(binding(5, "{\"schema\":\"other\",\"table\":\"wells\"}"));
        assertEquals(List.of(1L, 2L, 3L, 4L), ids(index, "public", "wells"));
        assertEquals(List.of(2L, 4L), ids(index, "public", "rigs"));
        assertEquals(List.of(3L, 4L, 5L), ids(index, "other", "wells"));
        index.remove(exact);
        assertEquals(List.of(2L, 3L, 4L), ids(index, "public", "wells"));
        assertTrue(ids(new BindingIndex(), "public", "wells").isEmpty());
    }
}
