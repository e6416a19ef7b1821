package io.mudrock.realtime.channel;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import org.junit.jupiter.api.Test;

import java.util.concurrent.atomic.AtomicInteger;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

class PresenceStateTest {

    private static final ObjectMapper JSON = new ObjectMapper();
    private final AtomicInteger refs = new AtomicInteger();
    private final PresenceState state = new PresenceState(() -> "ref" + refs.incrementAndGet());
    private final Object alice = new Object();
    private final Object bob = new Object();

    private static ObjectNode json(String text) throws Exception {
        return (ObjectNode) JSON.readTree(text);
    }

    @Test
    void aFirstTrackIsAJoinWithAPhxRef() throws Exception {
        PresenceState.PresenceDiff diff = state.track(alice, "a", json("{\"status\":\"online\"}"));
        assertEquals(json("{\"joins\":{\"a\":{\"metas\":[{\"phx_ref\":\"ref1\",\"status\":\"online\"}]}},\"leaves\":{}}"),
                diff.toJson());
    }

    @Test
    void trackingAgainWithADifferentPayloadIsALeaveOfTheOldMetaAndAJoinThatPointsBackToIt() throws Exception {
        state.track(alice, "a", json("{\"status\":\"online\"}"));
        PresenceState.PresenceDiff update = state.track(alice, "a", json("{\"status\":\"away\"}"));
        assertEquals(json("{\"joins\":{\"a\":{\"metas\":[{\"phx_ref\":\"ref2\",\"phx_ref_prev\":\"ref1\",\"status\":\"away\"}]}},"
                + "\"leaves\":{\"a\":{\"metas\":[{\"phx_ref\":\"ref1\",\"status\":\"online\"}]}}}"), update.toJson());
        assertEquals(json("{\"a\":{\"metas\":[{\"phx_ref\":\"ref2\",\"phx_ref_prev\":\"ref1\",\"status\":\"away\"}]}}"),
                state.state());
    }

    @Test
    void trackingAgainWithTheSamePayloadChangesNothing() throws Exception {
        state.track(alice, "a", json("{\"status\":\"online\"}"));
        assertTrue(state.track(alice, "a", json("{\"status\":\"online\"}")).isEmpty());
        assertEquals(1, refs.get(), "no new phx_ref");
    }

    @Test
    void untrackIsALeaveAndUntrackingNothingIsNoDiff() throws Exception {
        state.track(alice, "a", json("{\"x\":1}"));
        assertEquals(json("{\"joins\":{},\"leaves\":{\"a\":{\"metas\":[{\"phx_ref\":\"ref1\",\"x\":1}]}}}"),
                state.untrack(alice).toJson());
        assertTrue(state.untrack(alice).isEmpty());
        assertTrue(state.isEmpty());
    }

    @Test
    void channelsSharingAKeyAreMetasOfOnePresence() throws Exception {
        state.track(alice, "same", json("{\"device\":\"phone\"}"));
        state.track(bob, "same", json("{\"device\":\"laptop\"}"));
        assertEquals(json("{\"same\":{\"metas\":[{\"phx_ref\":\"ref1\",\"device\":\"phone\"},"
                + "{\"phx_ref\":\"ref2\",\"device\":\"laptop\"}]}}"), state.state());
        state.untrack(alice);
        assertEquals(json("{\"same\":{\"metas\":[{\"phx_ref\":\"ref2\",\"device\":\"laptop\"}]}}"), state.state());
    }

    @Test
    void theClientCannotForgeRefs() throws Exception {
        PresenceState.PresenceDiff diff = state.track(alice, "a", json("{\"phx_ref\":\"mine\",\"phx_ref_prev\":\"old\"}"));
        assertEquals(json("{\"joins\":{\"a\":{\"metas\":[{\"phx_ref\":\"ref1\"}]}},\"leaves\":{}}"), diff.toJson());
    }

    @Test
    void trackedPayloadsAreCopiedSoLaterChangesToTheClientsObjectDoNotLeak() throws Exception {
        ObjectNode payload = json("{\"n\":1}");
        state.track(alice, "a", payload);
        payload.put("n", 2);
        assertEquals(json("{\"a\":{\"metas\":[{\"phx_ref\":\"ref1\",\"n\":1}]}}"), state.state());
    }

    @Test
    void aTopicHoldsAtMostItsEntriesAndBytesButAnOwnerMayAlwaysReplaceItsOwn() throws Exception {
        PresenceState small = new PresenceState(() -> "r" + refs.incrementAndGet(), 2, 40);
        Object alice = new Object();
        Object bob = new Object();
        Object carol = new Object();
        com.fasterxml.jackson.databind.node.ObjectNode meta = json("{\"s\":1}");
        int size = PresenceState.entryBytes("a", meta);
        assertEquals(1 + 7, size, "key and JSON, in UTF-8 bytes");
        assertTrue(small.fits(alice, size));
        small.track(alice, "a", meta);
        small.track(bob, "a", meta);
        assertFalse(small.fits(carol, size), "two entries: full");
        assertTrue(small.fits(alice, size), "an update replaces the owner's entry");
        com.fasterxml.jackson.databind.node.ObjectNode fat = json("{\"s\":\"" + "x".repeat(30) + "\"}");
        assertFalse(small.fits(alice, PresenceState.entryBytes("a", fat)), "over the topic's bytes");
        small.untrack(bob);
        assertTrue(small.fits(carol, size), "a leave makes room");
    }
}
