package io.mudrock.realtime.protocol;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.ByteBuffer;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class UserBroadcastTest {

    private static Optional<UserBroadcast> fromText(String payload) throws Exception {
        return UserBroadcast.fromTextPayload(JsonText.MAPPER.readTree(payload));
    }

    @Test
    void textPayloadKeepsEventAndPayload() throws Exception {
        UserBroadcast b = fromText("{\"type\":\"broadcast\",\"event\":\"move\",\"payload\":{\"x\":1,\"s\":\"é\"}}")
                .orElseThrow();
        assertEquals("move", b.event());
        assertEquals(UserBroadcast.Encoding.JSON, b.encoding());
        assertFalse(b.binaryFramed());
        assertEquals("{\"x\":1,\"s\":\"é\"}", UTF_8.decode(b.payload()).toString());
        assertEquals("{\"x\":1,\"s\":\"é\"}".getBytes(UTF_8).length, b.payloadSize());
    }

    @Test
    void missingPayloadIsAnEmptyObjectAndNullStaysNull() throws Exception {
        assertEquals(UserBroadcast.textFramed("e", "{}", null), fromText("{\"event\":\"e\"}").orElseThrow());
        assertEquals(UserBroadcast.textFramed("e", "null", null),
                fromText("{\"event\":\"e\",\"payload\":null}").orElseThrow());
    }

    @ParameterizedTest
    @ValueSource(strings = {"[]", "\"broadcast\"", "{}", "{\"event\":1}", "{\"event\":null,\"payload\":{}}"})
    void unusableTextPayloads(String payload) throws Exception {
        assertTrue(fromText(payload).isEmpty());
    }

    @Test
    void nullPayloadIsUnusable() {
        assertTrue(UserBroadcast.fromTextPayload(null).isEmpty());
    }

    @Test
    void factoriesCopyAndValidate() {
        byte[] raw = {1, 2, 3};
        UserBroadcast b = UserBroadcast.binaryFramed("e", UserBroadcast.Encoding.BINARY, raw, null);
        raw[0] = 9;
        assertArrayEquals(new byte[] {1, 2, 3}, Frames.toArray(b.payload()));
        ByteBuffer view = b.payload();
        assertTrue(view.isReadOnly());

        assertThrows(IllegalArgumentException.class,
                () -> UserBroadcast.binaryFramed("e", UserBroadcast.Encoding.JSON, "{".getBytes(UTF_8), null));
        assertThrows(IllegalArgumentException.class, () -> UserBroadcast.textFramed("e", "1 2", null));
        assertThrows(IllegalArgumentException.class, () -> UserBroadcast.textFramed("e", "{}", "[1]"));
        assertThrows(IllegalArgumentException.class, () -> UserBroadcast.textFramed("e", "{}", "{bad"));
        assertThrows(NullPointerException.class, () -> UserBroadcast.textFramed(null, "{}", null));
    }

    @Test
    void equalityIsByContent() {
        UserBroadcast a = UserBroadcast.binaryFramed("e", UserBroadcast.Encoding.BINARY, new byte[] {1}, "{\"id\":1}");
        assertEquals(a, UserBroadcast.binaryFramed("e", UserBroadcast.Encoding.BINARY, new byte[] {1}, "{\"id\":1}"));
        assertEquals(a.hashCode(),
                UserBroadcast.binaryFramed("e", UserBroadcast.Encoding.BINARY, new byte[] {1}, "{\"id\":1}").hashCode());
        assertNotEquals(a, UserBroadcast.binaryFramed("e", UserBroadcast.Encoding.BINARY, new byte[] {2}, "{\"id\":1}"));
        assertNotEquals(UserBroadcast.textFramed("e", "1", null),
                UserBroadcast.binaryFramed("e", UserBroadcast.Encoding.JSON, "1".getBytes(UTF_8), null));
    }
}
