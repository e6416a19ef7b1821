package io.mudrock.realtime.changes;

import io.mudrock.realtime.changes.pgoutput.TupleData;
import io.mudrock.realtime.changes.pgoutput.WalMessage;
import java.util.HashMap;
import java.util.HexFormat;
import java.util.Map;
import java.util.Optional;

/**
 * Reads {@code realtime.messages} inserts from decoded pgoutput messages, pure: remembers the
 * column positions of each {@code Relation} of the table or one of its partitions (upstream's
 * rule: schema {@code realtime}, name starting with {@code messages}), and turns an
 * {@code Insert} into a {@link DatabaseBroadcast}. Expects text values in PostgreSQL's output
 * form with {@code bytea_output = hex}. One instance per replication session; not thread-safe.
 *
 * <p>As upstream, a row without an id, topic, event, private flag or payload is not delivered;
 * the caller logs it.
 */
public final class DatabaseBroadcastDecoder {

    private static final String SCHEMA = "realtime";
    private static final String TABLE = "messages";

    /** Column positions of one relation; -1 when the column is not published. */
    private record Layout(int id, int topic, int event, int privateFlag, int payload, int binaryPayload) {
    }

    private final Map<Integer, Layout> layouts = new HashMap<>();

    /**
     * Takes a relation's shape.
     *
     * @param relation the Relation message
     * @return true if it is {@code realtime.messages} or one of its partitions
     */
    public boolean relation(WalMessage.Relation relation) {
        if (!SCHEMA.equals(relation.namespace()) || !relation.name().startsWith(TABLE)) {
            layouts.remove(relation.oid());
            return false;
        }
        int id = -1;
        int topic = -1;
        int event = -1;
        int privateFlag = -1;
        int payload = -1;
        int binaryPayload = -1;
        for (int i = 0; i < relation.columns().size(); i++) {
            switch (relation.columns().get(i).name()) {
                case "id" -> id = i;
                case "topic" -> topic = i;
                case "event" -> event = i;
                case "private" -> privateFlag = i;
                case "payload" -> payload = i;
                case "binary_payload" -> binaryPayload = i;
                default -> {
                    // other columns (extension, timestamps) are not delivered
                }
            }
        }
        layouts.put(relation.oid(), new Layout(id, topic, event, privateFlag, payload, binaryPayload));
        return true;
    }

    /**
     * Reads one insert.
     *
     * @param insert the Insert message
     * @return the message, or empty when the relation is not {@code realtime.messages} or the row
     *     lacks a part a broadcast needs
     * @throws IllegalArgumentException if a value is not in the expected text form
     */
    public Optional<DatabaseBroadcast> insert(WalMessage.Insert insert) {
        Layout layout = layouts.get(insert.relationOid());
        if (layout == null) {
            return Optional.empty();
        }
        TupleData row = insert.newTuple();
        String id = text(row, layout.id());
        String topic = text(row, layout.topic());
        String event = text(row, layout.event());
        String privateFlag = text(row, layout.privateFlag());
        String payload = text(row, layout.payload());
        byte[] binary = bytes(row, layout.binaryPayload());
        if (id == null || topic == null || event == null || privateFlag == null || (payload == null && binary == null)) {
            return Optional.empty();
        }
        return Optional.of(new DatabaseBroadcast(id, topic, event, "t".equals(privateFlag),
                payload, payload == null ? binary : null));
    }

    private static String text(TupleData row, int index) {
        return index < 0 || index >= row.size() ? null : row.text(index);
    }

    /** A bytea in hex output form, {@code \x0a1b...}. */
    private static byte[] bytes(TupleData row, int index) {
        String hex = text(row, index);
        if (hex == null) {
            return null;
        }
        if (!hex.startsWith("\\x")) {
            throw new IllegalArgumentException("binary_payload is not in hex output form");
        }
        return HexFormat.of().parseHex(hex, 2, hex.length());
    }
}
