package io.mudrock.realtime.cluster;

import io.mudrock.realtime.protocol.UserBroadcast;
import java.nio.BufferUnderflowException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.Optional;

/**
 * A broadcast as it travels between nodes: the node that published it, and the broadcast with
 * everything receivers need (event, encoding, payload bytes, meta, how vsn 2.0.0 receivers get
 * it). One message on the bus per broadcast, whatever the number of receivers.
 *
 * <p>Layout: version byte, flags byte (1 binary-framed, 2 JSON payload, 4 has meta, 8 stored),
 * then length-prefixed UTF-8 origin, event, (if flagged) meta and stored id, then the payload
 * bytes to the end.
 *
 * @param origin the publishing node's id, so it skips its own message
 * @param broadcast the broadcast
 * @param storedId the stored message's id (Broadcast from Database), or {@code null}
 */
public record RelayedBroadcast(String origin, UserBroadcast broadcast, String storedId) {

    private static final byte VERSION = 1;
    private static final int BINARY_FRAMED = 1;
    private static final int JSON_PAYLOAD = 2;
    private static final int HAS_META = 4;
    private static final int STORED = 8;

    /** @return the message bytes */
    public byte[] encode() {
        byte[] originBytes = origin.getBytes(StandardCharsets.UTF_8);
        byte[] eventBytes = broadcast.event().getBytes(StandardCharsets.UTF_8);
        String meta = broadcast.metaJson();
        byte[] metaBytes = meta == null ? null : meta.getBytes(StandardCharsets.UTF_8);
        byte[] storedBytes = storedId == null ? null : storedId.getBytes(StandardCharsets.UTF_8);
        ByteBuffer payload = broadcast.payload();
        int flags = (broadcast.binaryFramed() ? BINARY_FRAMED : 0)
                | (broadcast.encoding() == UserBroadcast.Encoding.JSON ? JSON_PAYLOAD : 0)
                | (metaBytes != null ? HAS_META : 0)
                | (storedBytes != null ? STORED : 0);
        ByteBuffer out = ByteBuffer.allocate(2 + 4 + originBytes.length + 4 + eventBytes.length
                + (metaBytes == null ? 0 : 4 + metaBytes.length) + (storedBytes == null ? 0 : 4 + storedBytes.length)
                + payload.remaining());
        out.put(VERSION).put((byte) flags);
        out.putInt(originBytes.length).put(originBytes);
        out.putInt(eventBytes.length).put(eventBytes);
        if (metaBytes != null) {
            out.putInt(metaBytes.length).put(metaBytes);
        }
        if (storedBytes != null) {
            out.putInt(storedBytes.length).put(storedBytes);
        }
        out.put(payload);
        return out.array();
    }

    /**
     * Tells whether a message was published by a node, without decoding the rest: a node hears
     * its own publishes back on every topic it has members for, and skips them.
     *
     * @param message the bytes as published
     * @param originUtf8 the node's id in UTF-8
     * @return true if the message names that origin
     */
    public static boolean publishedBy(byte[] message, byte[] originUtf8) {
        int start = 2 + 4;
        if (message.length < start + originUtf8.length) {
            return false;
        }
        int length = ByteBuffer.wrap(message, 2, 4).getInt();
        return length == originUtf8.length
                && Arrays.equals(message, start, start + length, originUtf8, 0, length);
    }

    /**
     * Reads a message of the bus.
     *
     * @param message the bytes as published
     * @return the broadcast, or empty if the bytes are not a message of this version (a node of
     *         another release, or something else publishing on our channel)
     */
    public static Optional<RelayedBroadcast> decode(byte[] message) {
        try {
            ByteBuffer in = ByteBuffer.wrap(message);
            if (in.get() != VERSION) {
                return Optional.empty();
            }
            int flags = in.get();
            String origin = string(in);
            String event = string(in);
            String meta = (flags & HAS_META) != 0 ? string(in) : null;
            String stored = (flags & STORED) != 0 ? string(in) : null;
            byte[] payload = new byte[in.remaining()];
            in.get(payload);
            UserBroadcast broadcast;
            if ((flags & BINARY_FRAMED) != 0) {
                UserBroadcast.Encoding encoding = (flags & JSON_PAYLOAD) != 0
                        ? UserBroadcast.Encoding.JSON : UserBroadcast.Encoding.BINARY;
                broadcast = UserBroadcast.binaryFramed(event, encoding, payload, meta);
            } else {
                broadcast = UserBroadcast.textFramed(event, new String(payload, StandardCharsets.UTF_8), meta);
            }
            return Optional.of(new RelayedBroadcast(origin, broadcast, stored));
        } catch (BufferUnderflowException | IllegalArgumentException | NegativeArraySizeException e) {
            return Optional.empty();
        }
    }

    private static String string(ByteBuffer in) {
        int length = in.getInt();
        if (length < 0 || length > in.remaining()) {
            throw new IllegalArgumentException("bad length " + length);
        }
        String value = new String(in.array(), in.position(), length, StandardCharsets.UTF_8);
        in.position(in.position() + length);
        return value;
    }
}
