package io.mudrock.realtime.demo;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.Optional;
import javax.sql.DataSource;

/**
 * {@code public.wells} read and written as the {@code anon} role with anon's JWT claims, so that
 * grants and row-level security decide what the page sees and may add exactly as they decide for
 * its realtime subscription, which is evaluated as the same role.
 */
final class AnonWells {

    /** Rows the page shows at most; the newest first. */
    static final int SNAPSHOT_LIMIT = 500;

    private static final String ANON_CLAIMS = "{\"role\":\"anon\"}";

    private AnonWells() {
    }

    /**
     * The newest rows as a JSON array, each row as PostgreSQL's {@code row_to_json} writes it:
     * the same value forms (numbers, ISO timestamps) the realtime payloads carry.
     */
    static String snapshotJson(DataSource dataSource) throws SQLException {
        return asAnon(dataSource, connection -> {
            try (PreparedStatement st = connection.prepareStatement(
                    "select coalesce(json_agg(w order by w.id desc), '[]')::text"
                            + " from (select * from public.wells order by id desc limit ?) w")) {
                st.setInt(1, SNAPSHOT_LIMIT);
                try (ResultSet rs = st.executeQuery()) {
                    rs.next();
                    return rs.getString(1);
                }
            }
        });
    }

    /**
     * Inserts a well.
     *
     * @return the new row as JSON, or empty when its UWI is taken
     */
    static Optional<String> insertJson(DataSource dataSource, SampleWell well) throws SQLException {
        return asAnon(dataSource, connection -> {
            try (PreparedStatement st = connection.prepareStatement(
                    "insert into public.wells (name, uwi, latitude, longitude, total_depth_m, status)"
                            + " values (?, ?, ?, ?, ?, ?) on conflict (uwi) do nothing returning row_to_json(wells)::text")) {
                st.setString(1, well.name());
                st.setString(2, well.uwi());
                st.setDouble(3, well.latitude());
                st.setDouble(4, well.longitude());
                st.setBigDecimal(5, well.totalDepthM());
                st.setString(6, well.status());
                try (ResultSet rs = st.executeQuery()) {
                    return rs.next() ? Optional.of(rs.getString(1)) : Optional.empty();
                }
            }
        });
    }

    private interface Work<T> {
        T run(Connection connection) throws SQLException;
    }

    /** Runs {@code work} in a transaction whose role and claims are anon's; both end with it. */
    private static <T> T asAnon(DataSource dataSource, Work<T> work) throws SQLException {
        try (Connection connection = dataSource.getConnection()) {
            connection.setAutoCommit(false);
            try {
                try (PreparedStatement st = connection.prepareStatement(
                        "select set_config('role', 'anon', true), set_config('request.jwt.claims', ?, true)")) {
                    st.setString(1, ANON_CLAIMS);
                    st.execute();
                }
                T result = work.run(connection);
                connection.commit();
                return result;
            } catch (SQLException | RuntimeException e) {
                connection.rollback();
                throw e;
            } finally {
                connection.setAutoCommit(true);
            }
        }
    }
}
