package io.mudrock.realtime.changes;

/**
 * A row change with every value already converted to JSON, ready to be serialized for any number
 * of column masks without converting again. Created by {@link ChangePayloadSerializer#prepare}.
 * Immutable.
 */
public final class PreparedChange {

    private final RowChange change;
    private final String commitTimestamp;
    private final String fragments;
    private final int[] recordBounds;
    private final int[] oldBounds;
    private final boolean oversized;

    /**
     * @param fragments    every converted value, back to back
     * @param recordBounds start and end in {@code fragments} of each column's record value
     *                     ({@code [2i]}, {@code [2i+1]}); start -1 when the record lacks it
     * @param oldBounds    likewise for the old record
     */
    PreparedChange(RowChange change, String commitTimestamp, String fragments, int[] recordBounds, int[] oldBounds,
                   boolean oversized) {
        this.change = change;
        this.commitTimestamp = commitTimestamp;
        this.fragments = fragments;
        this.recordBounds = recordBounds;
        this.oldBounds = oldBounds;
        this.oversized = oversized;
    }

    /** The change this was prepared from. */
    public RowChange change() {
        return change;
    }

    /**
     * Whether the change exceeded the record size limit, so payloads keep only fields whose JSON
     * is at most 64 bytes and report {@code Error 413: Payload Too Large}.
     */
    public boolean oversized() {
        return oversized;
    }

    String commitTimestamp() {
        return commitTimestamp;
    }

    String fragments() {
        return fragments;
    }

    int[] recordBounds() {
        return recordBounds;
    }

    int[] oldBounds() {
        return oldBounds;
    }
}
