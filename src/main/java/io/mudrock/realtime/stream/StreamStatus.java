package io.mudrock.realtime.stream;

import java.time.Duration;
import java.time.Instant;
import java.util.Optional;

/**
 * The state of one tenant's change stream, for readiness, the tenant health endpoint and the
 * setup doctor.
 *
 * @param tenantId      the tenant's external id
 * @param state         what the stream is doing
 * @param slot          the replication slot in use, or null
 * @param subscriptions channels with registered bindings
 * @param since         when the stream entered this state
 * @param problem       why it is reconnecting (or last failed), or null
 * @param confirmedLsn  the last WAL position confirmed to PostgreSQL (0 before any)
 * @param receivedLsn   the last WAL position received (0 before any)
 * @param rlsChecks     RLS round trips made since the stream was created
 */
public record StreamStatus(String tenantId, State state, String slot, int subscriptions, Instant since, String problem,
                           long confirmedLsn, long receivedLsn, long rlsChecks) {

    /** How long starting may take before readiness calls it a problem. */
    static final Duration START_GRACE = Duration.ofSeconds(15);

    /** What a tenant's stream is doing. */
    public enum State {
        /** No bindings: no replication connection is held. */
        IDLE,
        /** Opening the replication connection and slot. */
        STARTING,
        /** Streaming: bindings receive changes. */
        STREAMING,
        /** The connection was lost or could not be opened; retried with back-off. */
        RECONNECTING
    }

    /** Whether the stream is connected and streaming. */
    public boolean connected() {
        return state == State.STREAMING;
    }

    /**
     * What keeps changes from this tenant's subscribers: bindings are live but the stream is
     * reconnecting, or still not started after {@link #START_GRACE}. Shown in readiness data, never as
     * DOWN, since one tenant's database must not take the server out of service.
     */
    public Optional<String> readinessProblem(Instant now) {
        if (subscriptions == 0) {
            return Optional.empty();
        }
        if (state == State.RECONNECTING
                || (state == State.STARTING && since.plus(START_GRACE).isBefore(now))) {
            return Optional.of("tenant " + tenantId + ": replication stream " + (state == State.STARTING ? "not started"
                    : "disconnected") + " since " + since + (problem == null ? "" : ": " + problem));
        }
        return Optional.empty();
    }

    /** WAL bytes received but not yet confirmed (being handed on). */
    public long pendingBytes() {
        return Math.max(0, receivedLsn - confirmedLsn);
    }

    /** An LSN as PostgreSQL prints it. */
    public static String lsn(long value) {
        return ReplicationSession.lsn(value);
    }
}
