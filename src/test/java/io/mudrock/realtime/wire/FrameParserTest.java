package io.mudrock.realtime.wire;

import org.junit.jupiter.api.Test;

import java.io.ByteArrayOutputStream;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Random;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

class FrameParserTest {

    private static final int LIMIT = 5_000_000;

    /** Records what the parser reports, one string per event. */
    private static final class Events implements FrameParser.Listener {
        final List<String> seen = new ArrayList<>();

        @Override
        public void onText(String text) {
            seen.add("text:" + text);
        }

        @Override
        public void onBinary(ByteBuffer bytes) {
            byte[] copy = new byte[bytes.remaining()];
            bytes.get(copy);
            seen.add("binary:" + copy.length + ":" + Arrays.hashCode(copy));
        }

        @Override
        public void onPing(byte[] payload) {
            seen.add("ping:" + new String(payload, StandardCharsets.UTF_8));
        }

        @Override
        public void onPong() {
            seen.add("pong");
        }

        @Override
        public void onClose(CloseStatus status) {
            seen.add("close:" + status.code() + " " + status.reason());
        }

        @Override
        public void onError(CloseStatus status) {
            seen.add("error:" + status.code());
        }
    }

    private static final Random RANDOM = new Random(6455);

    /** A client frame: masked with a random key unless told otherwise. */
    private static byte[] frame(boolean fin, int rsv, int opcode, byte[] payload, boolean masked) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        out.write((fin ? 0x80 : 0) | (rsv << 4) | opcode);
        int maskBit = masked ? 0x80 : 0;
        int n = payload.length;
        if (n < 126) {
            out.write(maskBit | n);
        } else if (n <= 0xFFFF) {
            out.write(maskBit | 126);
            out.write(n >>> 8);
            out.write(n & 0xFF);
        } else {
            out.write(maskBit | 127);
            for (int shift = 56; shift >= 0; shift -= 8) {
                out.write((int) ((long) n >>> shift) & 0xFF);
            }
        }
        byte[] mask = new byte[4];
        RANDOM.nextBytes(mask);
        if (masked) {
            out.write(mask, 0, 4);
        }
        for (int i = 0; i < n; i++) {
            out.write(masked ? payload[i] ^ mask[i & 3] : payload[i]);
        }
        return out.toByteArray();
    }

    private static byte[] frame(int opcode, byte[] payload) {
        return frame(true, 0, opcode, payload, true);
    }

    private static byte[] text(String s) {
        return frame(Opcode.TEXT, s.getBytes(StandardCharsets.UTF_8));
    }

    private static byte[] concat(byte[]... parts) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        for (byte[] part : parts) {
            out.write(part, 0, part.length);
        }
        return out.toByteArray();
    }

    private static byte[] close(int code, String reason) {
        return frame(Opcode.CLOSE, FrameWriter.closePayload(new CloseStatus(code, reason)));
    }

    private static List<String> parse(byte[] stream, int limit) {
        Events events = new Events();
        new FrameParser(limit, events).feed(stream, 0, stream.length);
        return events.seen;
    }

    private static List<String> parse(byte[] stream) {
        return parse(stream, LIMIT);
    }

    private static List<String> parseByteByByte(byte[] stream) {
        Events events = new Events();
        FrameParser parser = new FrameParser(LIMIT, events);
        for (int i = 0; i < stream.length; i++) {
            parser.feed(stream, i, 1);
        }
        return events.seen;
    }

    @Test
    void everyLengthFormIsRead() {
        for (int n : new int[] {0, 1, 125, 126, 127, 65535, 65536, 300_000}) {
            String s = "é".repeat(n / 2) + "x".repeat(n % 2);
            assertEquals(List.of("text:" + s), parse(text(s)), "length " + n);
            byte[] bytes = new byte[n];
            RANDOM.nextBytes(bytes);
            assertEquals(List.of("binary:" + n + ":" + Arrays.hashCode(bytes)), parse(frame(Opcode.BINARY, bytes)), "binary " + n);
        }
    }

    private static byte[] mixedStream() {
        byte[] big = new byte[70_000];
        RANDOM.nextBytes(big);
        return concat(
                text("[\"1\",\"1\",\"realtime:a\",\"phx_join\",{}]"),
                frame(Opcode.PING, "p1".getBytes(StandardCharsets.UTF_8)),
                frame(false, 0, Opcode.TEXT, "hel".getBytes(StandardCharsets.UTF_8), true),
                frame(Opcode.PONG, new byte[0]),
                frame(false, 0, Opcode.CONTINUATION, new byte[0], true),
                frame(true, 0, Opcode.CONTINUATION, "lo".getBytes(StandardCharsets.UTF_8), true),
                frame(Opcode.BINARY, big),
                text(""),
                close(1000, "done"));
    }

    private static List<String> expectedMixed(byte[] stream) {
        return parse(stream);
    }

    @Test
    void aStreamOfFramesIsReadWholeByteByByteAndInRandomChunks() {
        byte[] stream = mixedStream();
        List<String> whole = expectedMixed(stream);
        assertEquals(9 - 2, whole.size(), whole.toString());
        assertEquals("ping:p1", whole.get(1));
        assertEquals("pong", whole.get(2));
        assertEquals("text:hello", whole.get(3));
        assertEquals("close:1000 done", whole.get(6));
        assertEquals(whole, parseByteByByte(stream));
        for (int round = 0; round < 200; round++) {
            Events events = new Events();
            FrameParser parser = new FrameParser(LIMIT, events);
            int at = 0;
            while (at < stream.length) {
                int n = Math.min(stream.length - at, 1 + RANDOM.nextInt(round % 2 == 0 ? 16 : 20_000));
                parser.feed(stream, at, n);
                at += n;
            }
            assertEquals(whole, events.seen, "round " + round);
        }
    }

    @Test
    void clientFramesMustBeMasked() {
        assertEquals(List.of("error:1002"), parse(frame(true, 0, Opcode.TEXT, "hi".getBytes(StandardCharsets.UTF_8), false)));
    }

    @Test
    void rsvBitsAreAProtocolError() {
        for (int rsv = 1; rsv <= 7; rsv++) {
            assertEquals(List.of("error:1002"), parse(frame(true, rsv, Opcode.TEXT, new byte[] {'a'}, true)), "rsv " + rsv);
        }
    }

    @Test
    void unknownOpcodesAreAProtocolError() {
        for (int opcode : new int[] {3, 4, 5, 6, 7, 0xB, 0xC, 0xD, 0xE, 0xF}) {
            assertEquals(List.of("error:1002"), parse(frame(opcode, new byte[0])), "opcode " + opcode);
        }
    }

    @Test
    void controlFramesAreShortAndWhole() {
        assertEquals(List.of("ping:" + "p".repeat(125)), parse(frame(Opcode.PING, "p".repeat(125).getBytes(StandardCharsets.UTF_8))));
        assertEquals(List.of("error:1002"), parse(frame(Opcode.PING, new byte[126])));
        assertEquals(List.of("error:1002"), parse(frame(false, 0, Opcode.PING, new byte[1], true)));
    }

    @Test
    void fragmentationMustBeWellFormed() {
        assertEquals(List.of("error:1002"), parse(frame(true, 0, Opcode.CONTINUATION, new byte[] {'a'}, true)),
                "continuation without a start");
        assertEquals(List.of("error:1002"), parse(concat(frame(false, 0, Opcode.TEXT, new byte[] {'a'}, true),
                text("b"))), "a new message inside a fragmented one");
        assertEquals(List.of("ping:", "binary:2:" + Arrays.hashCode(new byte[] {1, 2})),
                parse(concat(frame(false, 0, Opcode.BINARY, new byte[] {1}, true), frame(Opcode.PING, new byte[0]),
                        frame(true, 0, Opcode.CONTINUATION, new byte[] {2}, true))));
    }

    @Test
    void messagesOverTheLimitAreClosedWith1009() {
        assertEquals(List.of("binary:100:" + Arrays.hashCode(new byte[100])), parse(frame(Opcode.BINARY, new byte[100]), 100));
        assertEquals(List.of("error:1009"), parse(frame(Opcode.BINARY, new byte[101]), 100));
        assertEquals(List.of("error:1009"), parse(concat(frame(false, 0, Opcode.TEXT, new byte[60], true),
                frame(true, 0, Opcode.CONTINUATION, new byte[60], true)), 100));
        assertEquals(List.of("error:1009"), parse(frame(Opcode.TEXT, new byte[5_000_001])), "the default limit");
    }

    @Test
    void aHugeDeclaredLengthIsRefusedBeforeAnythingIsAllocated() {
        byte[] header = {(byte) 0x82, (byte) 0xFF, 0, 0, 0, 1, 0, 0, 0, 0, 1, 2, 3, 4};
        assertEquals(List.of("error:1009"), parse(header));
        header[2] = (byte) 0x80;
        assertEquals(List.of("error:1002"), parse(header), "the top bit of a 64-bit length must be 0");
    }

    @Test
    void textMustBeValidUtf8EvenAcrossFragments() {
        assertEquals(List.of("error:1007"), parse(frame(Opcode.TEXT, new byte[] {(byte) 0xC3, (byte) 0x28})));
        assertEquals(List.of("error:1007"), parse(frame(Opcode.TEXT, new byte[] {(byte) 0xED, (byte) 0xA0, (byte) 0x80})),
                "no UTF-16 surrogates");
        byte[] e = "é".getBytes(StandardCharsets.UTF_8);
        assertEquals(List.of("text:é"), parse(concat(frame(false, 0, Opcode.TEXT, new byte[] {e[0]}, true),
                frame(true, 0, Opcode.CONTINUATION, new byte[] {e[1]}, true))));
    }

    @Test
    void closeFramesAreCheckedAndEndTheStream() {
        assertEquals(List.of("close:1005 "), parse(frame(Opcode.CLOSE, new byte[0])));
        assertEquals(List.of("close:4000 bye"), parse(concat(close(4000, "bye"), text("ignored"))));
        assertEquals(List.of("error:1002"), parse(frame(Opcode.CLOSE, new byte[] {3})));
        for (int code : new int[] {0, 999, 1004, 1005, 1006, 1015, 2999, 5000}) {
            byte[] payload = {(byte) (code >>> 8), (byte) code};
            assertEquals(List.of("error:1002"), parse(frame(Opcode.CLOSE, payload)), "code " + code);
        }
        assertEquals(List.of("error:1007"), parse(frame(Opcode.CLOSE, new byte[] {0x03, (byte) 0xE8, (byte) 0xFF})));
    }

    @Test
    void nothingIsReadAfterAnError() {
        Events events = new Events();
        FrameParser parser = new FrameParser(LIMIT, events);
        byte[] bad = concat(frame(true, 0, Opcode.TEXT, new byte[] {'a'}, false), text("later"));
        parser.feed(bad, 0, bad.length);
        parser.feed(bad, 0, bad.length);
        assertEquals(List.of("error:1002"), events.seen);
        assertTrue(parser.done());
    }

    /** A header declaring {@code length} bytes of a final text frame, and its mask: the bytes that would follow are missing. */
    private static byte[] hugeHeader(long length) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        out.write(0x81);
        out.write(0x80 | 127);
        for (int shift = 56; shift >= 0; shift -= 8) {
            out.write((int) (length >>> shift) & 0xFF);
        }
        out.write(new byte[4], 0, 4);
        return out.toByteArray();
    }

    @Test
    void aHeaderDeclaringAHugeFrameCostsOnlyWhatArrives() {
        InboundBudget budget = new InboundBudget(1L << 30);
        Events events = new Events();
        FrameParser parser = new FrameParser(LIMIT, budget.open(), events);
        byte[] header = hugeHeader(4_999_999);
        parser.feed(header, 0, header.length);
        assertEquals(0, parser.bufferCapacity(), "nothing is allocated for a bare header");
        parser.feed(new byte[10], 0, 10);
        assertTrue(parser.bufferCapacity() <= 4096, "capacity " + parser.bufferCapacity() + " after 10 bytes");
        assertEquals(parser.bufferCapacity(), budget.reservedBytes());
        byte[] chunk = new byte[100_000];
        parser.feed(chunk, 0, chunk.length);
        assertTrue(parser.bufferCapacity() <= 2 * 100_010, "capacity " + parser.bufferCapacity() + " after 100,010 bytes");
        assertEquals(List.of(), events.seen);
    }

    @Test
    void aSingleFrameMessageEndsInABufferOfExactlyItsSize() {
        InboundBudget budget = new InboundBudget(1L << 30);
        Events events = new Events();
        FrameParser parser = new FrameParser(LIMIT, budget.open(), events);
        byte[] payload = new byte[1_000_003];
        RANDOM.nextBytes(payload);
        byte[] stream = frame(Opcode.BINARY, payload);
        int header = stream.length - payload.length;
        parser.feed(stream, 0, header + payload.length - 1);
        assertTrue(parser.bufferCapacity() <= payload.length, "never past the declared end: " + parser.bufferCapacity());
        parser.feed(stream, header + payload.length - 1, 1);
        assertEquals(List.of("binary:" + payload.length + ":" + Arrays.hashCode(payload)), events.seen);
        assertEquals(0, budget.reservedBytes(), "a delivered message gives its buffer back");
    }

    /** Splits a payload into continuation fragments of {@code size} bytes, the first a text frame. */
    private static byte[] fragmented(byte[] payload, int size) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        for (int at = 0; at < payload.length; at += size) {
            int n = Math.min(size, payload.length - at);
            byte[] part = Arrays.copyOfRange(payload, at, at + n);
            out.writeBytes(frame(at + n == payload.length, 0, at == 0 ? Opcode.TEXT : Opcode.CONTINUATION, part, true));
        }
        return out.toByteArray();
    }

    @Test
    void reassemblingAMegabyteCopiesEachByteAFewTimesWhateverTheFragmentSize() {
        byte[] payload = "x".repeat(1 << 20).getBytes(StandardCharsets.US_ASCII);
        for (int size : new int[] {100, 1}) {
            Events events = new Events();
            FrameParser parser = new FrameParser(LIMIT, events);
            byte[] stream = fragmented(payload, size);
            for (int at = 0; at < stream.length; at += 16 * 1024) {
                parser.feed(stream, at, Math.min(16 * 1024, stream.length - at));
            }
            assertEquals(1, events.seen.size(), "fragments of " + size);
            assertEquals(payload.length + 5, events.seen.get(0).length(), "fragments of " + size);
            // Doubling: every outgrown buffer is copied once, and they sum to less than the final size.
            assertTrue(parser.copiedBytes() < payload.length, "fragments of " + size + ": copied " + parser.copiedBytes());
        }
    }

    @Test
    void aSocketThatWouldPassTheSharedBudgetIsClosedWith1009AndOthersKeepTheirs() {
        InboundBudget budget = new InboundBudget(64 * 1024);
        Events first = new Events();
        Events second = new Events();
        InboundBudget.Account firstAccount = budget.open();
        FrameParser hog = new FrameParser(LIMIT, firstAccount, first);
        FrameParser other = new FrameParser(LIMIT, budget.open(), second);
        byte[] header = hugeHeader(4_999_999);
        hog.feed(header, 0, header.length);
        byte[] chunk = new byte[40_000];
        hog.feed(chunk, 0, chunk.length);
        assertEquals(List.of(), first.seen, "40,000 bytes fit the budget");
        hog.feed(chunk, 0, chunk.length);
        assertEquals(List.of("error:1009"), first.seen, "80,000 bytes do not");
        assertTrue(hog.done());
        assertEquals(0, budget.reservedBytes(), "the failed socket's buffer is given back");
        byte[] small = text("still fine");
        other.feed(small, 0, small.length);
        assertEquals(List.of("text:still fine"), second.seen);
        firstAccount.close();
        assertFalse(firstAccount.reserve(1), "a closed account reserves nothing");
    }

    @Test
    void closingAnAccountGivesBackAPartialMessage() {
        InboundBudget budget = new InboundBudget(1L << 20);
        InboundBudget.Account account = budget.open();
        FrameParser parser = new FrameParser(LIMIT, account, new Events());
        byte[] header = hugeHeader(500_000);
        parser.feed(header, 0, header.length);
        parser.feed(new byte[20_000], 0, 20_000);
        assertTrue(budget.reservedBytes() >= 20_000);
        account.close();
        assertEquals(0, budget.reservedBytes());
    }
}
