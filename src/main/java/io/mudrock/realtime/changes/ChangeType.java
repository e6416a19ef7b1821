package io.mudrock.realtime.changes;

/** The kind of row change, spelled as in the payload's {@code type} field. */
public enum ChangeType {
    /** A row was inserted. */
    INSERT,
    /** A row was updated. */
    UPDATE,
    /** A row was deleted. */
    DELETE
}
