package io.mudrock.realtime.stream;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.mudrock.realtime.changes.ChangeType;
import java.util.List;
import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Binding parameters read with upstream's rules and reported with upstream's texts. */
class BindingSpecTest {

    private static final ObjectMapper JSON = new ObjectMapper();

    private static BindingSpec parse(String json) throws Exception {
        return BindingSpec.parse((ObjectNode) JSON.readTree(json));
    }

    private static String failure(String json) {
        return assertThrows(BindingSpec.InvalidBinding.class, () -> parse(json)).getMessage();
    }

    @Test
    void acceptedCombinationsAndDefaults() throws Exception {
        BindingSpec full = parse("{\"event\":\"update\",\"schema\":\"s\",\"table\":\"t\",\"filter\":\"id=eq.1\"}");
        assertEquals("UPDATE", full.event());
        assertEquals(1, full.conditions().size());
        BindingSpec schemaOnly = parse("{\"event\":\"*\",\"schema\":\"s\"}");
        assertEquals("*", schemaOnly.table());
        assertTrue(schemaOnly.wildcard());
        BindingSpec tableOnly = parse("{\"table\":\"t\"}");
        assertEquals("public", tableOnly.schema());
        assertEquals("*", tableOnly.event(), "no event means every event");
        assertEquals("*", parse("{\"event\":\"TRUNCATE\",\"table\":\"t\"}").event(), "unknown events mean every event");
        assertEquals(List.of(), parse("{\"schema\":\"s\",\"table\":\"t\",\"filter\":\"  \"}").conditions());
        assertNull(parse("{\"schema\":\"s\",\"table\":\"t\",\"select\":[]}").select());
        assertEquals(List.of("a", "b"), parse("{\"schema\":\"s\",\"table\":\"t\",\"select\":[\"a\",1,\"b\"]}").select());
    }

    @Test
    void eventsMatchChangeTypes() throws Exception {
        BindingSpec inserts = parse("{\"event\":\"INSERT\",\"table\":\"t\"}");
        assertTrue(inserts.accepts(ChangeType.INSERT));
        assertFalse(inserts.accepts(ChangeType.DELETE));
        assertTrue(parse("{\"event\":\"*\",\"table\":\"t\"}").accepts(ChangeType.DELETE));
    }

    @Test
    void malformedParametersGetUpstreamsMessages() {
        assertEquals("No subscription params provided. Please provide at least a `schema` or `table` to subscribe to: "
                + "%{\"event\" => \"*\", \"filter\" => \"id=eq.1\", \"schema\" => \"public\"}",
                failure("{\"event\":\"*\",\"schema\":\"public\",\"filter\":\"id=eq.1\"}"));
        assertEquals("No subscription params provided. Please provide at least a `schema` or `table` to subscribe to: %{}",
                failure("{}"));
        assertEquals("No subscription params provided. Please provide at least a `schema` or `table` to subscribe to: <redacted>",
                failure("{\"user_token\":\"secret\"}"));
        assertEquals("No subscription params provided. Please provide at least a `schema` or `table` to subscribe to: "
                + "%{\"schema\" => \"s\", \"table\" => 1}", failure("{\"schema\":\"s\",\"table\":1}"));
        assertEquals("Error parsing `filter` params: [\"undefined\"]",
                failure("{\"schema\":\"s\",\"table\":\"t\",\"filter\":\"undefined\"}"));
        assertEquals("Error parsing `select` params: expected a list of column name strings, e.g. select: [\"col1\", \"col2\"]",
                failure("{\"schema\":\"s\",\"table\":\"t\",\"select\":\"a\"}"));
        assertEquals("Column selection is not supported for wildcard subscriptions. Provide an explicit schema and table name.",
                failure("{\"schema\":\"s\",\"select\":[\"a\"]}"));
    }

    @Test
    void parametersAreDescribedAsUpstreamLogsThem() throws Exception {
        assertEquals("Unable to subscribe to changes with given parameters. Please check Realtime is enabled for the given "
                + "connect parameters: [event: *, schema: public, table: todos, filters: [], select: nil]",
                parse("{\"event\":\"*\",\"schema\":\"public\",\"table\":\"todos\"}").notEnabled());
        assertEquals("event: INSERT, schema: public, table: todos, filters: [{\"name\", \"in\", \"{a,\\\"b c\\\"}\", true}, "
                + "{\"id\", \"gt\", \"1\", false}], select: [\"id\"]",
                parse("{\"event\":\"INSERT\",\"schema\":\"public\",\"table\":\"todos\","
                        + "\"filter\":\"name=not.in.(a,\\\"b c\\\"),id=gt.1\",\"select\":[\"id\"]}").describe());
    }
}
