package io.mudrock.realtime.it;

import java.io.ByteArrayOutputStream;
import java.io.DataInputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.nio.charset.StandardCharsets;
import java.util.Random;

/**
 * A WebSocket client on a plain TCP socket that writes whatever bytes a test chooses: frames
 * with any header, truncated frames, garbage. It reads server frames on demand, so a test can
 * wait for a reply or for the close frame and its status.
 */
final class RawWebSocket implements AutoCloseable {

    private final Socket socket = new Socket();
    private final DataInputStream in;
    private final OutputStream out;

    /**
     * What the server sent last: a text frame, or the close frame.
     *
     * @param opcode the frame's opcode
     * @param text its payload as UTF-8 (for a close frame: the reason)
     * @param closeCode the close code, -1 for other frames
     */
    record Frame(int opcode, String text, int closeCode) {
    }

    /**
     * Completes the opening handshake.
     *
     * @param host the Host header, which selects the tenant
     * @param pathAndQuery e.g. {@code /realtime/v1/websocket?vsn=2.0.0&apikey=...}
     */
    RawWebSocket(String host, String pathAndQuery) throws IOException {
        socket.connect(new InetSocketAddress("localhost", TestServer.HTTP_PORT), 10_000);
        socket.setSoTimeout(20_000);
        socket.setTcpNoDelay(true);
        out = socket.getOutputStream();
        in = new DataInputStream(socket.getInputStream());
        out.write(("GET " + pathAndQuery + " HTTP/1.1\r\nHost: " + host + "\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n"
                + "Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nSec-WebSocket-Version: 13\r\n\r\n")
                .getBytes(StandardCharsets.ISO_8859_1));
        out.flush();
        StringBuilder head = new StringBuilder();
        while (!head.toString().endsWith("\r\n\r\n")) {
            head.append((char) in.readUnsignedByte());
        }
        if (!head.toString().startsWith("HTTP/1.1 101")) {
            throw new IOException("handshake refused: " + head);
        }
    }

    /**
     * A masked client frame header (RFC 6455 5.2) for a payload of {@code length} bytes, the
     * shortest length form, mask key 0 so payload bytes go out as they are.
     */
    static byte[] header(boolean fin, int opcode, long length) {
        ByteArrayOutputStream frame = new ByteArrayOutputStream();
        frame.write((fin ? 0x80 : 0) | opcode);
        if (length < 126) {
            frame.write(0x80 | (int) length);
        } else if (length <= 0xFFFF) {
            frame.write(0x80 | 126);
            frame.write((int) (length >> 8));
            frame.write((int) (length & 0xFF));
        } else {
            frame.write(0x80 | 127);
            for (int shift = 56; shift >= 0; shift -= 8) {
                frame.write((int) (length >>> shift) & 0xFF);
            }
        }
        frame.write(0);
        frame.write(0);
        frame.write(0);
        frame.write(0);
        return frame.toByteArray();
    }

    /** A whole masked frame (mask key 0). */
    static byte[] frame(boolean fin, int opcode, byte[] payload) {
        byte[] head = header(fin, opcode, payload.length);
        byte[] all = new byte[head.length + payload.length];
        System.arraycopy(head, 0, all, 0, head.length);
        System.arraycopy(payload, 0, all, head.length, payload.length);
        return all;
    }

    /** A whole masked text frame. */
    static byte[] text(String text) {
        return frame(true, 1, text.getBytes(StandardCharsets.UTF_8));
    }

    /** A masked frame with a random mask key, to exercise unmasking. */
    static byte[] maskedFrame(Random random, boolean fin, int opcode, byte[] payload) {
        byte[] frame = frame(fin, opcode, payload);
        int maskAt = frame.length - payload.length - 4;
        byte[] mask = new byte[4];
        random.nextBytes(mask);
        System.arraycopy(mask, 0, frame, maskAt, 4);
        for (int i = 0; i < payload.length; i++) {
            frame[maskAt + 4 + i] = (byte) (payload[i] ^ mask[i & 3]);
        }
        return frame;
    }

    /** Writes bytes as they are. */
    void write(byte[] bytes) throws IOException {
        out.write(bytes);
        out.flush();
    }

    /**
     * Reads server frames until a text frame containing {@code fragment}, or the close frame.
     *
     * @return that frame, or null when the connection ended (or the wait passed) without either
     */
    Frame await(String fragment, int timeoutMillis) throws IOException {
        socket.setSoTimeout(timeoutMillis);
        try {
            while (true) {
                int first = in.readUnsignedByte();
                int second = in.readUnsignedByte();
                long length = second & 0x7F;
                if (length == 126) {
                    length = in.readUnsignedShort();
                } else if (length == 127) {
                    length = in.readLong();
                }
                byte[] body = in.readNBytes((int) length);
                int opcode = first & 0x0F;
                if (opcode == 8) {
                    int code = body.length >= 2 ? ((body[0] & 0xFF) << 8) | (body[1] & 0xFF) : -1;
                    String reason = body.length > 2 ? new String(body, 2, body.length - 2, StandardCharsets.UTF_8) : "";
                    return new Frame(8, reason, code);
                }
                String text = new String(body, StandardCharsets.UTF_8);
                if (opcode == 1 && text.contains(fragment)) {
                    return new Frame(1, text, -1);
                }
            }
        } catch (SocketTimeoutException | EOFException e) {
            return null;
        } catch (IOException e) {
            return null; // reset by the server: it ended the connection without a close frame
        }
    }

    /** Waits for the close frame, ignoring other frames. */
    Frame awaitClose(int timeoutMillis) throws IOException {
        return await("\u0000never\u0000", timeoutMillis);
    }

    @Override
    public void close() {
        try {
            socket.close();
        } catch (IOException e) {
            // already gone
        }
    }
}
