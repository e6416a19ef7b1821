package io.mudrock.realtime.changes.pgoutput;

import java.nio.BufferUnderflowException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

/**
 * Decodes pgoutput logical replication messages (protocol version 1, text tuples) into
 * {@link WalMessage}s.
 *
 * <p>One pass over the buffer; values are decoded straight from the buffer's backing array into
 * strings (heap buffers, as pgjdbc's replication stream returns, need no copy at all). Streamed
 * (protocol 2+) and two-phase messages are rejected as unknown because this decoder does not expect
 * their extra transaction id fields. Strings are decoded as UTF-8, which holds when the walsender
 * session uses {@code client_encoding=UTF8} (pgjdbc always sets it).
 *
 * <p>Instances keep a scratch array for direct buffers and are not thread-safe: use one per stream.
 */
public final class PgOutputDecoder {

    private byte[] scratch = new byte[256];

    /**
     * Decodes the message between the buffer's position and limit. The buffer's position is left
     * after the message; its content is not modified.
     *
     * @throws PgOutputDecodeException for an unknown message type or malformed content
     */
    public WalMessage decode(ByteBuffer buffer) {
        if (!buffer.hasRemaining()) {
            throw new PgOutputDecodeException(-1, "empty pgoutput message", null);
        }
        int start = buffer.position();
        int type = buffer.get() & 0xFF;
        try {
            WalMessage message = switch (type) {
                case 'B' -> new WalMessage.Begin(buffer.getLong(), buffer.getLong(), buffer.getInt());
                case 'C' -> new WalMessage.Commit(buffer.get() & 0xFF, buffer.getLong(), buffer.getLong(), buffer.getLong());
                case 'O' -> new WalMessage.Origin(buffer.getLong(), readString(buffer));
                case 'R' -> readRelation(buffer);
                case 'Y' -> new WalMessage.Type(buffer.getInt(), readString(buffer), readString(buffer));
                case 'I' -> readInsert(buffer);
                case 'U' -> readUpdate(buffer);
                case 'D' -> readDelete(buffer);
                case 'T' -> readTruncate(buffer);
                case 'M' -> readMessage(buffer);
                default -> throw new PgOutputDecodeException(type, "unknown pgoutput message type " + describe(type)
                        + " (" + (buffer.limit() - start) + " bytes); only protocol version 1 is supported", null);
            };
            if (buffer.hasRemaining()) {
                throw malformed(type, buffer.remaining() + " unexpected trailing bytes", null);
            }
            return message;
        } catch (BufferUnderflowException | IndexOutOfBoundsException | IllegalArgumentException e) {
            throw malformed(type, "truncated or malformed message", e);
        }
    }

    private WalMessage.Relation readRelation(ByteBuffer buffer) {
        int oid = buffer.getInt();
        String namespace = readString(buffer);
        String name = readString(buffer);
        ReplicaIdentity identity = ReplicaIdentity.fromCode((char) (buffer.get() & 0xFF));
        int count = buffer.getShort() & 0xFFFF;
        List<WalMessage.Relation.Column> columns = new ArrayList<>(count);
        for (int i = 0; i < count; i++) {
            int flags = buffer.get() & 0xFF;
            String columnName = readString(buffer);
            columns.add(new WalMessage.Relation.Column(flags, columnName, buffer.getInt(), buffer.getInt()));
        }
        return new WalMessage.Relation(oid, namespace, name, identity, columns);
    }

    private WalMessage.Insert readInsert(ByteBuffer buffer) {
        int oid = buffer.getInt();
        expect(buffer, 'N', 'I');
        return new WalMessage.Insert(oid, readTuple(buffer, 'I'));
    }

    private WalMessage.Update readUpdate(ByteBuffer buffer) {
        int oid = buffer.getInt();
        TupleData oldKey = null;
        TupleData oldTuple = null;
        int marker = buffer.get();
        if (marker == 'K') {
            oldKey = readTuple(buffer, 'U');
            marker = buffer.get();
        } else if (marker == 'O') {
            oldTuple = readTuple(buffer, 'U');
            marker = buffer.get();
        }
        if (marker != 'N') {
            throw malformed('U', "expected new tuple marker 'N' but found " + describe(marker & 0xFF), null);
        }
        return new WalMessage.Update(oid, oldKey, oldTuple, readTuple(buffer, 'U'));
    }

    private WalMessage.Delete readDelete(ByteBuffer buffer) {
        int oid = buffer.getInt();
        int marker = buffer.get();
        return switch (marker) {
            case 'K' -> new WalMessage.Delete(oid, readTuple(buffer, 'D'), null);
            case 'O' -> new WalMessage.Delete(oid, null, readTuple(buffer, 'D'));
            default -> throw malformed('D', "expected old tuple marker 'K' or 'O' but found " + describe(marker & 0xFF), null);
        };
    }

    private static WalMessage.Truncate readTruncate(ByteBuffer buffer) {
        int count = buffer.getInt();
        int options = buffer.get() & 0xFF;
        if (count < 0 || count > buffer.remaining() / 4) {
            throw malformed('T', "relation count " + count + " does not fit the message", null);
        }
        List<Integer> oids = new ArrayList<>(count);
        for (int i = 0; i < count; i++) {
            oids.add(buffer.getInt());
        }
        return new WalMessage.Truncate(oids, (options & 1) != 0, (options & 2) != 0);
    }

    private WalMessage.LogicalMessage readMessage(ByteBuffer buffer) {
        boolean transactional = (buffer.get() & 1) != 0;
        long lsn = buffer.getLong();
        String prefix = readString(buffer);
        int length = buffer.getInt();
        if (length < 0) {
            throw malformed('M', "negative content length " + length, null);
        }
        byte[] content = new byte[length];
        buffer.get(content);
        return new WalMessage.LogicalMessage(transactional, lsn, prefix, content);
    }

    private TupleData readTuple(ByteBuffer buffer, int type) {
        int count = buffer.getShort() & 0xFFFF;
        TupleData.Builder tuple = TupleData.builder(count);
        for (int i = 0; i < count; i++) {
            int kind = buffer.get();
            switch (kind) {
                case 'n' -> tuple.nullValue(i);
                case 'u' -> tuple.unchangedToast(i);
                case 't' -> tuple.text(i, readCountedString(buffer));
                case 'b' -> {
                    byte[] value = new byte[readLength(buffer)];
                    buffer.get(value);
                    tuple.binary(i, value);
                }
                default -> throw malformed(type, "unknown tuple value kind " + describe(kind & 0xFF)
                        + " for column " + (i + 1), null);
            }
        }
        return tuple.build();
    }

    private static int readLength(ByteBuffer buffer) {
        int length = buffer.getInt();
        if (length < 0 || length > buffer.remaining()) {
            throw new BufferUnderflowException();
        }
        return length;
    }

    private String readCountedString(ByteBuffer buffer) {
        int length = readLength(buffer);
        return decodeUtf8(buffer, buffer.position(), length, length);
    }

    /** Reads a NUL-terminated string. */
    private String readString(ByteBuffer buffer) {
        int start = buffer.position();
        int limit = buffer.limit();
        int end = start;
        while (end < limit && buffer.get(end) != 0) {
            end++;
        }
        if (end == limit) {
            throw new BufferUnderflowException();
        }
        return decodeUtf8(buffer, start, end - start, end - start + 1);
    }

    /** Decodes {@code length} bytes at {@code offset} and advances the position by {@code consumed}. */
    private String decodeUtf8(ByteBuffer buffer, int offset, int length, int consumed) {
        String value;
        if (buffer.hasArray()) {
            value = new String(buffer.array(), buffer.arrayOffset() + offset, length, StandardCharsets.UTF_8);
        } else {
            if (scratch.length < length) {
                scratch = new byte[Math.max(length, scratch.length * 2)];
            }
            buffer.get(offset, scratch, 0, length);
            value = new String(scratch, 0, length, StandardCharsets.UTF_8);
        }
        buffer.position(offset + consumed);
        return value;
    }

    private static void expect(ByteBuffer buffer, char marker, int type) {
        int found = buffer.get();
        if (found != marker) {
            throw malformed(type, "expected '" + marker + "' but found " + describe(found & 0xFF), null);
        }
    }

    private static PgOutputDecodeException malformed(int type, String detail, Throwable cause) {
        return new PgOutputDecodeException(type, "malformed pgoutput message " + describe(type) + ": " + detail, cause);
    }

    private static String describe(int type) {
        return type >= 0x20 && type < 0x7F ? "'" + (char) type + "' (0x" + Integer.toHexString(type) + ")"
                : "0x" + Integer.toHexString(type);
    }
}
