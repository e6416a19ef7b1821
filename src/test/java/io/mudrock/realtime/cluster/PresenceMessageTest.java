package io.mudrock.realtime.cluster;

import io.mudrock.realtime.channel.PresenceChange;
import io.mudrock.realtime.channel.PresenceMeta;
import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.Optional;

import static org.junit.jupiter.api.Assertions.assertEquals;

/** Presence messages between nodes keep every field, and garbage is refused. */
class PresenceMessageTest {

    private static PresenceMessage roundTrip(PresenceMessage message) {
        return PresenceMessage.decode(message.encode()).orElseThrow();
    }

    @Test
    void changeStateAndAskSurviveTheBus() {
        PresenceMeta updated = new PresenceMeta("user-ü", "ref2", "ref1", "{\"online_at\":\"2026\",\"n\":[1,{\"x\":null}]}");
        PresenceMeta plain = new PresenceMeta("k", "ref3", null, "{}");
        PresenceMessage change = PresenceMessage.change("node-a", new PresenceChange(List.of("ref1"), List.of(updated, plain)));
        assertEquals(change, roundTrip(change));
        PresenceMessage state = PresenceMessage.state("node-a", List.of(plain));
        assertEquals(state, roundTrip(state));
        PresenceMessage empty = PresenceMessage.state("node-a", List.of());
        assertEquals(empty, roundTrip(empty));
        assertEquals(PresenceMessage.ask("n"), roundTrip(PresenceMessage.ask("n")));
    }

    @Test
    void bytesThatAreNotAPresenceMessageAreRefused() {
        assertEquals(Optional.empty(), PresenceMessage.decode(new byte[] {2}));
        assertEquals(Optional.empty(), PresenceMessage.decode(new byte[] {9, '{', '}'}));
        assertEquals(Optional.empty(), PresenceMessage.decode(new byte[] {2, '{', '}'}));
        assertEquals(Optional.empty(), PresenceMessage.decode(new byte[] {3, '[', '1'}));
    }
}
