package io.mudrock.realtime.admin;

import io.mudrock.realtime.database.MessagePartitions;
import io.mudrock.realtime.database.MessagesPublication;
import java.sql.Connection;
import java.sql.SQLException;
import java.time.LocalDate;
import java.time.LocalDateTime;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;

/**
 * The setup doctor's Broadcast from Database rows: the day partitions of {@code realtime.messages}
 * and their retention, and the publication the server streams them through. Reads the catalog only.
 */
final class MessagesDoctor {

    /** Upstream's publication for {@code realtime.messages}, the one the server streams. */
    static final String PUBLICATION = MessagesPublication.NAME;

    private MessagesDoctor() {
    }

    /**
     * @param db a connection to the tenant database
     * @param nowUtc the current UTC time
     * @return the findings
     * @throws SQLException if the catalog cannot be read
     */
    static List<DoctorFinding> examine(Connection db, LocalDateTime nowUtc) throws SQLException {
        List<DoctorFinding> findings = new ArrayList<>();
        MessagePartitions.State state = MessagePartitions.state(db);
        String check = "realtime.messages partitions";
        if (!state.partitioned()) {
            findings.add(DoctorFinding.fail(check, "realtime.messages is missing or not partitioned by day:"
                    + " realtime.send cannot store broadcasts", "run the tenant changelog (docs: Database setup)"));
            return findings;
        }
        List<LocalDate> missing = state.missing(nowUtc);
        List<LocalDate> expired = state.expired(nowUtc);
        String days = state.days().isEmpty() ? "none" : state.days().get(0) + " to " + state.days().get(state.days().size() - 1)
                + " (" + state.days().size() + ")";
        String found = "day partitions " + days + ", default partition "
                + state.defaultPartition().orElse("none") + "; retention " + MessagePartitions.RETENTION.toHours() + " h";
        if (!missing.isEmpty()) {
            findings.add(state.defaultPartition().isPresent()
                    ? DoctorFinding.warn(check, found + "; no partition yet for " + missing + " (rows go to the default"
                            + " partition until the server's janitor creates them)", "join a channel of the tenant: its"
                            + " stream creates the partitions, or run the tenant changelog")
                    : DoctorFinding.fail(check, found + "; no partition for " + missing + ": sends on those days fail",
                            "run the tenant changelog, or join a channel of the tenant so its stream creates them"));
        } else if (!expired.isEmpty()) {
            findings.add(DoctorFinding.warn(check, found + "; " + expired.size() + " partition(s) past the retention",
                    "the janitor drops them while the tenant has channels; or DROP TABLE realtime.messages_"
                            + expired.get(0).toString().replace('-', '_') + ";"));
        } else {
            findings.add(DoctorFinding.ok(check, found));
        }
        findings.add(publication(db));
        return findings;
    }

    private static DoctorFinding publication(Connection db) throws SQLException {
        MessagesPublication state = MessagesPublication.read(db);
        if (state.holdsMessages()) {
            return DoctorFinding.ok("broadcast publication", PUBLICATION + " holds realtime.messages");
        }
        return DoctorFinding.warn("broadcast publication", state.exists()
                        ? PUBLICATION + " does not hold realtime.messages"
                        : PUBLICATION + " does not exist (the server creates it when a channel joins)",
                state.exists() ? "ALTER PUBLICATION " + PUBLICATION + " ADD TABLE realtime.messages;"
                        : "CREATE PUBLICATION " + PUBLICATION + " FOR TABLE realtime.messages;");
    }
}
