package io.mudrock.realtime.channel;

import java.sql.Array;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.SQLTransientConnectionException;
import java.sql.Savepoint;
import java.sql.Statement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.UUID;

/**
 * Private-channel checks with the RLS policies on {@code realtime.messages}, probing as upstream
 * does (§10), all inside one transaction that is always rolled back:
 * <ol>
 * <li>as the pool's privileged user, insert one probe row per extension ({@code broadcast},
 *     {@code presence}) for the topic;</li>
 * <li>switch to the client's role and claims ({@code role}, {@code realtime.topic},
 *     {@code request.jwt.claims}, {@code request.jwt.claim.sub}/{@code role}) for the transaction;</li>
 * <li>read: which probe rows the SELECT policies let through;</li>
 * <li>write: insert a row per extension in a savepoint; {@code insufficient_privilege} (what an
 *     INSERT policy violation raises) means no.</li>
 * </ol>
 * A statement timeout bounds the whole check by the caller's deadline. It also reads stored
 * broadcasts back for replay, with the same connection handling.
 */
public final class RlsChannelAuthorizer implements ChannelAuthorizer, BroadcastReplay {

    private static final String INSUFFICIENT_PRIVILEGE = "42501";
    private static final String QUERY_CANCELED = "57014";
    private static final String[] EXTENSIONS = {"broadcast", "presence"};

    private final TenantDataSources databases;

    /** @param databases each tenant's database pool */
    public RlsChannelAuthorizer(TenantDataSources databases) {
        this.databases = databases;
    }

    @Override
    public TopicPermissions authorize(String tenantId, String subTopic, ClientClaims claims, Duration deadline)
            throws ChannelAuthorizationException {
        try (Connection connection = databases.dataSource(tenantId).getConnection()) {
            connection.setAutoCommit(false);
            try {
                return probe(connection, subTopic, claims, deadline);
            } finally {
                connection.rollback();
                connection.setAutoCommit(true);
            }
        } catch (SQLTransientConnectionException e) {
            throw new ChannelAuthorizationException(JoinError.INCREASE_CONNECTION_POOL.reason(),
                    ChannelAuthorizationException.UNABLE_TO_CONNECT, e);
        } catch (SQLException e) {
            if (QUERY_CANCELED.equals(e.getSQLState())) {
                throw new ChannelAuthorizationException(JoinError.UNABLE_TO_CONNECT.reason(),
                        "Query was cancelled, please try again", e);
            }
            String state = e.getSQLState();
            if (state == null || state.startsWith("08")) {
                throw new ChannelAuthorizationException(JoinError.UNABLE_TO_CONNECT.reason(),
                        ChannelAuthorizationException.UNABLE_TO_CONNECT, e);
            }
            throw new ChannelAuthorizationException(JoinError.UNKNOWN.reason(), JoinError.UNKNOWN.reason(), e);
        }
    }

    @Override
    public List<StoredBroadcast> replay(String tenantId, String subTopic, long sinceMillis, int limit,
            Duration deadline) throws ChannelAuthorizationException {
        try (Connection connection = databases.dataSource(tenantId).getConnection()) {
            connection.setAutoCommit(false);
            try {
                try (Statement statement = connection.createStatement()) {
                    statement.execute("SET LOCAL statement_timeout = " + Math.max(1, deadline.toMillis()));
                }
                // inserted_at is a timestamp without time zone written by now(), i.e. in the session's zone.
                try (PreparedStatement select = connection.prepareStatement(
                        "SELECT id::text, event, payload::text, binary_payload FROM realtime.messages"
                                + " WHERE topic = ? AND private IS TRUE AND extension = 'broadcast'"
                                + " AND inserted_at >= (to_timestamp(? / 1000.0) AT TIME ZONE current_setting('TimeZone'))"
                                + " ORDER BY inserted_at DESC LIMIT ?")) {
                    select.setString(1, subTopic);
                    select.setLong(2, sinceMillis);
                    select.setInt(3, limit);
                    List<StoredBroadcast> newestFirst = new ArrayList<>();
                    try (ResultSet rows = select.executeQuery()) {
                        while (rows.next()) {
                            String event = rows.getString(2);
                            newestFirst.add(new StoredBroadcast(rows.getString(1), event == null ? "" : event,
                                    rows.getString(3), rows.getBytes(4)));
                        }
                    }
                    java.util.Collections.reverse(newestFirst);
                    return newestFirst;
                }
            } finally {
                connection.rollback();
                connection.setAutoCommit(true);
            }
        } catch (SQLException e) {
            throw new ChannelAuthorizationException(JoinError.REPLAY_FAILED.reason(),
                    "Realtime was unable to replay messages", e);
        }
    }

    private static TopicPermissions probe(Connection connection, String subTopic, ClientClaims claims,
            Duration deadline) throws SQLException {
        try (Statement statement = connection.createStatement()) {
            statement.execute("SET LOCAL statement_timeout = " + Math.max(1, deadline.toMillis()));
        }
        List<UUID> probes = new ArrayList<>();
        try (PreparedStatement insert = connection.prepareStatement(
                "INSERT INTO realtime.messages (topic, extension) VALUES (?, 'broadcast'), (?, 'presence') RETURNING id")) {
            insert.setString(1, subTopic);
            insert.setString(2, subTopic);
            try (ResultSet rows = insert.executeQuery()) {
                while (rows.next()) {
                    probes.add(rows.getObject(1, UUID.class));
                }
            }
        }
        try (PreparedStatement settings = connection.prepareStatement(
                "SELECT set_config('role', ?, true), set_config('realtime.topic', ?, true),"
                        + " set_config('request.jwt.claims', ?, true), set_config('request.jwt.claim.sub', ?, true),"
                        + " set_config('request.jwt.claim.role', ?, true), set_config('request.headers', '{}', true)")) {
            settings.setString(1, claims.role());
            settings.setString(2, subTopic);
            settings.setString(3, claims.claimsJson());
            settings.setString(4, claims.subject() == null ? "" : claims.subject());
            settings.setString(5, claims.role());
            settings.execute();
        }
        Set<String> readable = new HashSet<>();
        try (PreparedStatement read = connection.prepareStatement(
                "SELECT extension FROM realtime.messages WHERE id = ANY (?)")) {
            Array ids = connection.createArrayOf("uuid", probes.toArray());
            read.setArray(1, ids);
            try (ResultSet rows = read.executeQuery()) {
                while (rows.next()) {
                    readable.add(rows.getString(1));
                }
            }
        }
        boolean broadcastWrite = canInsert(connection, subTopic, EXTENSIONS[0]);
        boolean presenceWrite = canInsert(connection, subTopic, EXTENSIONS[1]);
        return new TopicPermissions(readable.contains(EXTENSIONS[0]), broadcastWrite,
                readable.contains(EXTENSIONS[1]), presenceWrite);
    }

    private static boolean canInsert(Connection connection, String subTopic, String extension) throws SQLException {
        Savepoint savepoint = connection.setSavepoint();
        try (PreparedStatement insert = connection.prepareStatement(
                "INSERT INTO realtime.messages (topic, extension) VALUES (?, ?)")) {
            insert.setString(1, subTopic);
            insert.setString(2, extension);
            insert.executeUpdate();
            return true;
        } catch (SQLException e) {
            if (INSUFFICIENT_PRIVILEGE.equals(e.getSQLState())) {
                return false;
            }
            throw e;
        } finally {
            connection.rollback(savepoint);
        }
    }
}
