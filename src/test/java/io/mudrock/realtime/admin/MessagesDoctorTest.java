package io.mudrock.realtime.admin;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.mudrock.realtime.database.MigrationRunner;
import io.zonky.test.db.postgres.embedded.EmbeddedPostgres;
import java.sql.Connection;
import java.sql.Statement;
import java.time.LocalDateTime;
import java.time.ZoneOffset;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** The doctor's Broadcast from Database rows on a real PostgreSQL, with the time given. */
class MessagesDoctorTest {

    private static EmbeddedPostgres postgres;

    @BeforeAll
    static void start() throws Exception {
        postgres = EmbeddedPostgres.builder().start();
        MigrationRunner.migrateTenant(postgres.getPostgresDatabase(), "supabase_realtime", false);
    }

    @AfterAll
    static void stop() throws Exception {
        postgres.close();
    }

    private static DoctorFinding row(List<DoctorFinding> findings, String check) {
        return findings.stream().filter(f -> f.check().equals(check)).findFirst()
                .orElseThrow(() -> new AssertionError("no row " + check + " in " + findings));
    }

    @Test
    void reportsPartitionsRetentionAndThePublication() throws Exception {
        try (Connection db = postgres.getPostgresDatabase().getConnection(); Statement s = db.createStatement()) {
            List<DoctorFinding> now = MessagesDoctor.examine(db, LocalDateTime.now(ZoneOffset.UTC));
            DoctorFinding partitions = row(now, "realtime.messages partitions");
            assertEquals(DoctorFinding.Status.ok, partitions.status(), partitions.toString());
            assertTrue(partitions.found().contains("retention 72 h") && partitions.found().contains("messages_default"),
                    partitions.found());
            assertEquals(DoctorFinding.Status.ok, row(now, "broadcast publication").status());

            // A week on, the coming days are missing (rows would go to the default partition) ...
            DoctorFinding later = row(MessagesDoctor.examine(db, LocalDateTime.now(ZoneOffset.UTC).plusDays(7)),
                    "realtime.messages partitions");
            assertEquals(DoctorFinding.Status.warn, later.status());
            assertTrue(later.found().contains("no partition yet"), later.found());

            // ... and without the default partition, sends on those days would fail.
            s.execute("DROP TABLE realtime.messages_default");
            s.execute("ALTER PUBLICATION supabase_realtime_messages_publication DROP TABLE realtime.messages");
            List<DoctorFinding> broken = MessagesDoctor.examine(db, LocalDateTime.now(ZoneOffset.UTC).plusDays(7));
            assertEquals(DoctorFinding.Status.fail, row(broken, "realtime.messages partitions").status());
            DoctorFinding publication = row(broken, "broadcast publication");
            assertEquals(DoctorFinding.Status.warn, publication.status());
            assertEquals("ALTER PUBLICATION supabase_realtime_messages_publication ADD TABLE realtime.messages;",
                    publication.fix());
        }
    }
}
