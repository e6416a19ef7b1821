package io.mudrock.realtime.channel;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import org.junit.jupiter.api.Test;

import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

class PostgresBindingTest {

    private static final ObjectMapper JSON = new ObjectMapper();

    private static List<JsonNode> bindings(String array) throws Exception {
        List<JsonNode> list = new java.util.ArrayList<>();
        JSON.readTree(array).forEach(list::add);
        return list;
    }

    @Test
    void theReplyEchoesEachBindingVerbatimInOrderWithAnIntegerId() throws Exception {
        List<PostgresBinding> assigned = PostgresBinding.assignIds(bindings(
                "[{\"event\":\"*\",\"schema\":\"public\",\"table\":\"wells\",\"filter\":\"id=eq.1\",\"select\":[\"id\"],\"extra\":true},"
                        + "{\"event\":\"INSERT\",\"schema\":\"public\"}]"));
        assertEquals(2, assigned.size());
        JsonNode first = assigned.get(0).toReply();
        assertEquals("[\"event\",\"schema\",\"table\",\"filter\",\"select\",\"extra\",\"id\"]",
                JSON.writeValueAsString(JSON.valueToTree(iterable(first.fieldNames()))));
        assertTrue(first.get("id").isIntegralNumber());
        assertEquals("INSERT", assigned.get(1).event());
        assertEquals(null, assigned.get(1).table());
    }

    @Test
    void idsAreStableNonNegativeAndWithinUpstreamsRange() throws Exception {
        long id = PostgresBinding.assignIds(bindings("[{\"event\":\"*\",\"schema\":\"public\",\"table\":\"t\"}]")).get(0).id();
        long again = PostgresBinding.assignIds(bindings("[{\"table\":\"t\",\"schema\":\"public\",\"event\":\"*\"}]")).get(0).id();
        assertEquals(id, again, "same content, any key order: same id");
        assertTrue(id >= 0 && id < (1L << 27));
        long other = PostgresBinding.assignIds(bindings("[{\"event\":\"UPDATE\",\"schema\":\"public\",\"table\":\"t\"}]")).get(0).id();
        assertNotEquals(id, other);
    }

    @Test
    void nullsAndNonObjectsAreDropped() throws Exception {
        assertEquals(1, PostgresBinding.assignIds(bindings("[null, \"x\", {\"table\":\"t\"}]")).size());
    }

    private static List<String> iterable(java.util.Iterator<String> it) {
        List<String> out = new java.util.ArrayList<>();
        it.forEachRemaining(out::add);
        return out;
    }
}
