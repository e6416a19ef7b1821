package io.mudrock.realtime.wire;

import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

class FrameWriterTest {

    @Test
    void shortFramesHaveATwoByteHeader() {
        assertArrayEquals(new byte[] {(byte) 0x81, 2, 'h', 'i'}, FrameWriter.frame(Opcode.TEXT, "hi".getBytes(StandardCharsets.UTF_8)));
        assertArrayEquals(new byte[] {(byte) 0x8A, 0}, FrameWriter.frame(Opcode.PONG, new byte[0]));
        assertEquals(2 + 125, FrameWriter.frame(Opcode.BINARY, new byte[125]).length);
    }

    @Test
    void lengthsUpTo65535UseSixteenBits() {
        byte[] frame = FrameWriter.frame(Opcode.BINARY, new byte[126]);
        assertEquals(4 + 126, frame.length);
        assertEquals((byte) 0x82, frame[0]);
        assertEquals(126, frame[1]);
        assertEquals(0, frame[2]);
        assertEquals(126, frame[3]);
        byte[] max = FrameWriter.frame(Opcode.BINARY, new byte[65535]);
        assertEquals((byte) 0xFF, max[2]);
        assertEquals((byte) 0xFF, max[3]);
    }

    @Test
    void longerOnesUseSixtyFourBits() {
        byte[] frame = FrameWriter.frame(Opcode.TEXT, new byte[65536]);
        assertEquals(10 + 65536, frame.length);
        assertEquals(127, frame[1]);
        assertArrayEquals(new byte[] {0, 0, 0, 0, 0, 1, 0, 0}, java.util.Arrays.copyOfRange(frame, 2, 10));
    }

    @Test
    void framesAreConcatenatedIntoOneBatch() {
        byte[] pong = FrameWriter.frame(Opcode.PONG, new byte[] {7});
        byte[] batch = new FrameWriter(FrameWriter.frameLength(1) + pong.length + FrameWriter.frameLength(2))
                .add(Opcode.TEXT, new byte[] {'a'}).append(pong).add(Opcode.CLOSE, FrameWriter.closePayload(new CloseStatus(1000, "")))
                .bytes();
        assertArrayEquals(new byte[] {(byte) 0x81, 1, 'a', (byte) 0x8A, 1, 7, (byte) 0x88, 2, 0x03, (byte) 0xE8}, batch);
        assertThrows(IllegalStateException.class, () -> new FrameWriter(3).bytes(), "a short batch is a bug");
    }

    @Test
    void closePayloadsCarryTheCodeAndReason() {
        assertArrayEquals(new byte[] {0x03, (byte) 0xF5, 'b', 'y', 'e'}, FrameWriter.closePayload(new CloseStatus(1013, "bye")));
        assertArrayEquals(new byte[0], FrameWriter.closePayload(new CloseStatus(CloseStatus.NO_STATUS, "")));
    }
}
