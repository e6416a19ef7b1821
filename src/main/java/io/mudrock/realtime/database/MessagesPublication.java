package io.mudrock.realtime.database;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;

/**
 * The state of the publication Broadcast from Database streams {@code realtime.messages} through,
 * as the stream that creates it and the doctor that reports it both read it.
 *
 * @param exists        the publication exists
 * @param holdsMessages it holds {@code realtime.messages}
 */
public record MessagesPublication(boolean exists, boolean holdsMessages) {

    /** Upstream's publication name, so that SQL written for Supabase finds it. */
    public static final String NAME = "supabase_realtime_messages_publication";

    /** Reads the publication's state in one query. */
    public static MessagesPublication read(Connection db) throws SQLException {
        try (PreparedStatement statement = db.prepareStatement(
                "SELECT EXISTS (SELECT 1 FROM pg_catalog.pg_publication WHERE pubname = ?),"
                        + " EXISTS (SELECT 1 FROM pg_catalog.pg_publication_rel r JOIN pg_catalog.pg_publication p"
                        + " ON p.oid = r.prpubid WHERE p.pubname = ? AND r.prrelid = 'realtime.messages'::regclass)")) {
            statement.setString(1, NAME);
            statement.setString(2, NAME);
            try (ResultSet rs = statement.executeQuery()) {
                rs.next();
                return new MessagesPublication(rs.getBoolean(1), rs.getBoolean(2));
            }
        }
    }
}
