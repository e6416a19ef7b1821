package io.mudrock.realtime.cluster;

import io.mudrock.realtime.protocol.UserBroadcast;
import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;
import java.util.Optional;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The bus message keeps every property of a broadcast that receivers see. */
class RelayedBroadcastTest {

    private static UserBroadcast roundTrip(UserBroadcast broadcast) {
        Optional<RelayedBroadcast> back = RelayedBroadcast.decode(new RelayedBroadcast("node-ä", broadcast, null).encode());
        assertTrue(back.isPresent());
        assertEquals("node-ä", back.get().origin());
        assertEquals(null, back.get().storedId());
        return back.get().broadcast();
    }

    @Test
    void aStoredMessageKeepsItsId() {
        UserBroadcast stored = UserBroadcast.binaryFramed("insert", UserBroadcast.Encoding.JSON,
                "{\"n\":1}".getBytes(StandardCharsets.UTF_8), "{\"id\":\"7f\"}");
        RelayedBroadcast relayed = new RelayedBroadcast("n", stored, "7f");
        assertEquals(Optional.of(relayed), RelayedBroadcast.decode(relayed.encode()));
    }

    @Test
    void textBinaryAndJsonInBinaryFramesSurviveTheBus() {
        UserBroadcast text = UserBroadcast.textFramed("grüße", "{\"msg\":\"Bohrloch ✓\"}", null);
        assertEquals(text, roundTrip(text));
        UserBroadcast withMeta = UserBroadcast.textFramed("e", "[1,2]", "{\"id\":\"abc\"}");
        assertEquals(withMeta, roundTrip(withMeta));
        UserBroadcast binary = UserBroadcast.binaryFramed("bin", UserBroadcast.Encoding.BINARY,
                new byte[] {0, (byte) 0xff, 7, 0}, null);
        assertEquals(binary, roundTrip(binary));
        UserBroadcast jsonBinary = UserBroadcast.binaryFramed("j", UserBroadcast.Encoding.JSON,
                "{\"a\":1}".getBytes(StandardCharsets.UTF_8), "{\"id\":\"m\"}");
        assertEquals(jsonBinary, roundTrip(jsonBinary));
        UserBroadcast empty = UserBroadcast.binaryFramed("", UserBroadcast.Encoding.BINARY, new byte[0], null);
        assertEquals(empty, roundTrip(empty));
    }

    @Test
    void bytesThatAreNotOurMessageAreRefusedNotThrown() {
        assertEquals(Optional.empty(), RelayedBroadcast.decode(new byte[0]));
        assertEquals(Optional.empty(), RelayedBroadcast.decode(new byte[] {9, 0}));
        assertEquals(Optional.empty(), RelayedBroadcast.decode(new byte[] {1, 0, 0, 0, 0, 100}));
        assertEquals(Optional.empty(), RelayedBroadcast.decode(new byte[] {1, 0, (byte) 0xff, (byte) 0xff, (byte) 0xff, (byte) 0xff}));
        byte[] good = new RelayedBroadcast("n", UserBroadcast.textFramed("e", "{}", null), null).encode();
        good[good.length - 1] = '['; // the JSON payload no longer parses
        assertEquals(Optional.empty(), RelayedBroadcast.decode(good));
    }

    @Test
    void aNodeRecognisesItsOwnPublishWithoutDecodingIt() {
        byte[] message = new RelayedBroadcast("node-ä", UserBroadcast.textFramed("e", "{}", null), null).encode();
        assertTrue(RelayedBroadcast.publishedBy(message, "node-ä".getBytes(StandardCharsets.UTF_8)));
        assertEquals(false, RelayedBroadcast.publishedBy(message, "node-a".getBytes(StandardCharsets.UTF_8)));
        assertEquals(false, RelayedBroadcast.publishedBy(message, "node-äx".getBytes(StandardCharsets.UTF_8)));
        assertEquals(false, RelayedBroadcast.publishedBy(new byte[] {1, 0, 0}, "n".getBytes(StandardCharsets.UTF_8)));
    }
}
