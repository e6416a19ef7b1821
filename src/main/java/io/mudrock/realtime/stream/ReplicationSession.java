package io.mudrock.realtime.stream;

import java.nio.ByteBuffer;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.concurrent.TimeUnit;
import org.postgresql.PGConnection;
import org.postgresql.replication.LogSequenceNumber;
import org.postgresql.replication.PGReplicationStream;

/**
 * One replication connection streaming one slot with pgoutput (protocol version 1, the tenant's
 * publication). Ends with its connection; a temporary slot ends with it too, by PostgreSQL's own
 * doing, so a crash cannot leak it. Used by its stream thread only, except {@link #abort} on
 * shutdown.
 */
final class ReplicationSession implements AutoCloseable {

    private static final int STATUS_INTERVAL_SECONDS = 5;

    private final Connection connection;
    private final PGReplicationStream stream;
    private final String slot;
    private final int backendPid;
    private long confirmed;

    private ReplicationSession(Connection connection, PGReplicationStream stream, String slot, int backendPid,
                               long confirmed) {
        this.connection = connection;
        this.stream = stream;
        this.slot = slot;
        this.backendPid = backendPid;
        this.confirmed = confirmed;
    }

    /**
     * Opens a replication connection and starts streaming.
     *
     * @param slot        the slot name
     * @param temporary   create a temporary slot (dropped with the connection)
     * @param fresh       for a permanent slot: start from now, dropping what it kept from an earlier
     *                    run (whose subscribers are gone); false resumes where it was confirmed
     * @param publication the publication to stream
     */
    static ReplicationSession open(StreamDatabase database, String applicationName, String slot, boolean temporary,
                                   boolean fresh, String publication) throws SQLException {
        Connection connection = database.openReplication(applicationName);
        try {
            PGConnection pg = connection.unwrap(PGConnection.class);
            int pid;
            try (Statement statement = connection.createStatement();
                 ResultSet rs = statement.executeQuery("select pg_backend_pid()")) {
                rs.next();
                pid = rs.getInt(1);
            }
            long start = 0;
            if (temporary) {
                start = pg.getReplicationAPI().createReplicationSlot().logical().withSlotName(slot)
                        .withOutputPlugin("pgoutput").withTemporaryOption().make().getConsistentPoint().asLong();
            } else {
                boolean exists = slotExists(connection, slot);
                if (exists && fresh) {
                    try (PreparedStatement drop = connection.prepareStatement("select pg_drop_replication_slot(?)")) {
                        drop.setString(1, slot);
                        drop.execute();
                    }
                    exists = false;
                }
                if (!exists) {
                    start = pg.getReplicationAPI().createReplicationSlot().logical().withSlotName(slot)
                            .withOutputPlugin("pgoutput").make().getConsistentPoint().asLong();
                }
            }
            PGReplicationStream stream = pg.getReplicationAPI().replicationStream().logical().withSlotName(slot)
                    .withSlotOption("proto_version", 1)
                    .withSlotOption("publication_names", Sql.ident(publication))
                    .withStatusInterval(STATUS_INTERVAL_SECONDS, TimeUnit.SECONDS)
                    .start();
            return new ReplicationSession(connection, stream, slot, pid, start);
        } catch (SQLException | RuntimeException e) {
            closeQuietly(connection);
            throw e;
        }
    }

    /** Whether the replication slot exists, whoever holds it. */
    static boolean slotExists(Connection connection, String slot) throws SQLException {
        try (PreparedStatement statement = connection.prepareStatement(
                "select 1 from pg_catalog.pg_replication_slots where slot_name = ?")) {
            statement.setString(1, slot);
            try (ResultSet rs = statement.executeQuery()) {
                return rs.next();
            }
        }
    }

    /**
     * A connection that broke without a reset reads nothing forever: checks through another
     * connection that the slot is still held by this session's walsender.
     *
     * @param connection a pooled connection to the same database
     * @throws SQLException (state 08006) if the slot is gone or held by another process
     */
    void checkStillHeld(Connection connection) throws SQLException {
        try (PreparedStatement statement = connection.prepareStatement(
                "select active_pid from pg_catalog.pg_replication_slots where slot_name = ?")) {
            statement.setString(1, slot);
            try (ResultSet rs = statement.executeQuery()) {
                if (!rs.next() || rs.getInt(1) != backendPid) {
                    throw new SQLException("replication slot " + slot + " is no longer held by this stream", "08006");
                }
            }
        }
    }

    /** @return the slot streamed */
    String slot() {
        return slot;
    }

    /** @return the walsender's process id, to recognize the slot's holder */
    int backendPid() {
        return backendPid;
    }

    /** The next message, or null when none is waiting; never blocks. */
    ByteBuffer readPending() throws SQLException {
        return stream.readPending();
    }

    /** The last WAL position received (data or keepalive). */
    long received() {
        return stream.getLastReceiveLSN().asLong();
    }

    /** The last position confirmed to PostgreSQL. */
    long confirmed() {
        return confirmed;
    }

    /**
     * Confirms that everything up to {@code lsn} was handed on: the slot may release that WAL.
     * Sent with the next status update.
     */
    void confirm(long lsn) {
        if (lsn > confirmed) {
            confirmed = lsn;
            LogSequenceNumber position = LogSequenceNumber.valueOf(lsn);
            stream.setFlushedLSN(position);
            stream.setAppliedLSN(position);
        }
    }

    /** Sends a status update now, so PostgreSQL learns at once that WAL was released. */
    void statusUpdate() throws SQLException {
        stream.forceUpdateStatus();
    }

    /** Closes the connection from another thread, to unblock the stream thread on shutdown. */
    void abort() {
        closeQuietly(connection);
    }

    @Override
    public void close() {
        try {
            if (!stream.isClosed()) {
                stream.close();
            }
        } catch (SQLException | RuntimeException e) {
            // the connection is going anyway
        }
        closeQuietly(connection);
    }

    private static void closeQuietly(Connection connection) {
        try {
            connection.close();
        } catch (SQLException | RuntimeException e) {
            // nothing left to release
        }
    }

    /** Renders an LSN the way PostgreSQL does, e.g. {@code 0/16B3748}. */
    static String lsn(long value) {
        return LogSequenceNumber.valueOf(value).asString();
    }
}
