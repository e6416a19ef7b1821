package io.mudrock.realtime.socket;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

/** Reads back what the server wrote, for assertions: one string per (unmasked, final) frame. */
final class ServerFrames {

    private ServerFrames() {
    }

    /**
     * @param bytes whole server frames
     * @return text frames as their text, {@code binary:N}, {@code pong:payload}, {@code close:code reason}
     */
    static List<String> describe(byte[] bytes) {
        List<String> frames = new ArrayList<>();
        int at = 0;
        while (at < bytes.length) {
            int b0 = bytes[at] & 0xFF;
            int b1 = bytes[at + 1] & 0xFF;
            if ((b0 & 0x80) == 0 || (b1 & 0x80) != 0) {
                throw new AssertionError("server frames are final and unmasked");
            }
            long length = b1 & 0x7F;
            at += 2;
            if (length == 126) {
                length = ((bytes[at] & 0xFF) << 8) | (bytes[at + 1] & 0xFF);
                at += 2;
            } else if (length == 127) {
                length = 0;
                for (int i = 0; i < 8; i++) {
                    length = (length << 8) | (bytes[at + i] & 0xFF);
                }
                at += 8;
            }
            int n = (int) length;
            String payload = new String(bytes, at, n, StandardCharsets.UTF_8);
            frames.add(switch (b0 & 0x0F) {
                case 1 -> payload;
                case 2 -> "binary:" + n;
                case 0xA -> "pong:" + payload;
                case 8 -> "close:" + (((bytes[at] & 0xFF) << 8) | (bytes[at + 1] & 0xFF)) + " "
                        + new String(bytes, at + 2, n - 2, StandardCharsets.UTF_8);
                default -> throw new AssertionError("opcode " + (b0 & 0x0F));
            });
            at += n;
        }
        return frames;
    }
}
