package io.mudrock.realtime.protocol;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.HexFormat;
import java.util.Random;
import org.junit.jupiter.api.Test;

/** Seeded, reproducible garbage: the decoder must answer, never throw. */
class FrameDecoderFuzzTest {

    private static final int ROUNDS = 10_000;
    private static final String[] TOKENS = {
        "[", "]", "{", "}", ",", ":", "null", "true", "1", "-0.5e3", "\"", "\"topic\"", "\"event\"",
        "\"payload\"", "\"ref\"", "\"join_ref\"", "\"broadcast\"", "\"type\"", "\\", "\\u00", " ", "é", "\u0000",
    };

    private static void check(DecodeResult result, String input) {
        assertNotNull(result, input);
        if (result instanceof MalformedFrame m) {
            assertFalse(m.reason().isBlank(), input);
        } else if (result instanceof InboundMessage msg) {
            assertNotNull(msg.topic(), input);
            assertNotNull(msg.json(), input);
            msg.userBroadcast(); // must not throw either
        }
    }

    private static DecodeResult decodeBinary(Serializer s, byte[] bytes) {
        try {
            return FrameDecoder.decodeBinary(s, ByteBuffer.wrap(bytes));
        } catch (RuntimeException e) {
            throw new AssertionError("threw on " + HexFormat.of().formatHex(bytes), e);
        }
    }

    private static DecodeResult decodeText(Serializer s, String text) {
        try {
            return FrameDecoder.decodeText(s, text);
        } catch (RuntimeException e) {
            throw new AssertionError("threw on " + text, e);
        }
    }

    @Test
    void randomBytesNeverThrow() {
        Random random = new Random(20260821L);
        int decoded = 0;
        for (int i = 0; i < ROUNDS; i++) {
            byte[] bytes = new byte[random.nextInt(48)];
            random.nextBytes(bytes);
            // Start half of them with kind 3 and small lengths so the field parsing is exercised.
            if (bytes.length > 0 && random.nextBoolean()) {
                bytes[0] = 3;
                for (int j = 1; j < Math.min(6, bytes.length); j++) {
                    bytes[j] = (byte) random.nextInt(8);
                }
                if (bytes.length > 6) {
                    bytes[6] = (byte) random.nextInt(3);
                }
            }
            for (Serializer s : Serializer.values()) {
                DecodeResult result = decodeBinary(s, bytes);
                check(result, HexFormat.of().formatHex(bytes));
                if (result instanceof InboundMessage) {
                    decoded++;
                }
            }
        }
        assertTrue(decoded > 0, "the generator should also produce some valid frames");
    }

    @Test
    void mutatedValidFramesNeverThrow() {
        Random random = new Random(42L);
        byte[] valid = Frames.kind3("1", "4", "realtime:room1", "hello", "{\"id\":1}", 1,
                "{\"x\":[1,\"é\"]}".getBytes(StandardCharsets.UTF_8));
        for (int i = 0; i < ROUNDS; i++) {
            byte[] bytes = valid.clone();
            for (int flips = 1 + random.nextInt(3); flips > 0; flips--) {
                bytes[random.nextInt(bytes.length)] = (byte) random.nextInt(256);
            }
            check(decodeBinary(Serializer.V2, bytes), HexFormat.of().formatHex(bytes));
        }
    }

    @Test
    void randomStringsNeverThrow() {
        Random random = new Random(1234L);
        for (int i = 0; i < ROUNDS; i++) {
            String text = i % 2 == 0 ? tokenSoup(random) : randomChars(random);
            for (Serializer s : Serializer.values()) {
                check(decodeText(s, text), text);
            }
        }
    }

    @Test
    void deepNestingIsMalformedNotAStackOverflow() {
        String deep = "[null,null,\"t\",\"e\"," + "[".repeat(100_000) + "]".repeat(100_000) + "]";
        assertInstanceOf(MalformedFrame.class, decodeText(Serializer.V2, deep));
    }

    private static String tokenSoup(Random random) {
        StringBuilder out = new StringBuilder();
        for (int n = random.nextInt(30); n > 0; n--) {
            out.append(TOKENS[random.nextInt(TOKENS.length)]);
        }
        return out.toString();
    }

    private static String randomChars(Random random) {
        char[] chars = new char[random.nextInt(40)];
        for (int j = 0; j < chars.length; j++) {
            chars[j] = (char) random.nextInt(random.nextBoolean() ? 0x80 : 0x10000);
        }
        return new String(chars);
    }
}
