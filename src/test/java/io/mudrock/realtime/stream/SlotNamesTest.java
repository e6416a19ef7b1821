package io.mudrock.realtime.stream;

import java.util.Optional;
import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

class SlotNamesTest {

    @Test
    void temporaryNamesAreUniqueAndValid() {
        String a = SlotNames.temporary("supabase_realtime_replication_slot");
        String b = SlotNames.temporary("supabase_realtime_replication_slot");
        assertNotEquals(a, b);
        assertTrue(a.matches("supabase_realtime_replication_slot_[a-z0-9]{10}"), a);
        String longName = SlotNames.temporary("X".repeat(100) + "-Slot");
        assertEquals(63, longName.length());
        assertTrue(longName.matches("[a-z0-9_]+"), longName);
    }

    @Test
    void permanentNamesAreStableWithTheServersSuffix() {
        assertEquals("supabase_realtime_replication_slot",
                SlotNames.permanent("supabase_realtime_replication_slot", Optional.empty()));
        assertEquals("my_slot_node_1", SlotNames.permanent("My-Slot", Optional.of("node_1")));
    }
}
