package io.mudrock.realtime.database;

import static io.mudrock.realtime.database.ScratchDatabases.single;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;
import javax.sql.DataSource;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The {@code wells} context's Broadcast from Database part on a real PostgreSQL: the trigger on
 * {@code public.wells} and the read policy for the topic {@code wells} exist only with that
 * context, the trigger sends upstream's payload even when {@code anon} writes the row, and the
 * policy opens that one topic's broadcasts and nothing else. Each test works in a database of its own.
 */
class WellsBroadcastSchemaTest {

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final String POLICY = "Allow reading wells broadcasts";
    private static ScratchDatabases databases;

    @BeforeAll
    static void start() throws Exception {
        databases = ScratchDatabases.start("wells");
    }

    @AfterAll
    static void stop() throws Exception {
        databases.close();
    }

    @Test
    void withoutTheWellsContextThereIsNoTriggerAndNoPolicy() throws Exception {
        DataSource db = databases.fresh();
        MigrationRunner.migrateTenant(db, "supabase_realtime", false);
        try (Connection c = db.getConnection(); Statement s = c.createStatement()) {
            assertEquals(null, single(s, "SELECT to_regclass('public.wells')::text"));
            assertEquals(null, single(s, "SELECT to_regprocedure('public.wells_broadcast_changes()')::text"));
            assertEquals("0", single(s, "SELECT count(*) FROM pg_trigger WHERE tgname = 'wells_broadcast_changes'"));
            assertEquals("0", single(s, "SELECT count(*) FROM pg_policies WHERE schemaname = 'realtime'"
                    + " AND tablename = 'messages'"), "no policy on realtime.messages at all");
        }
    }

    @Test
    void theWellsContextInstallsTheTriggerOnceAndItSendsEveryChangeToTheWellsTopic() throws Exception {
        DataSource db = databases.fresh();
        MigrationRunner.migrateTenant(db, "supabase_realtime", true);
        MigrationRunner.migrateTenant(db, "supabase_realtime", true); // idempotent
        try (Connection c = db.getConnection(); Statement s = c.createStatement()) {
            assertEquals("1", single(s, "SELECT count(*) FROM pg_trigger WHERE tgrelid = 'public.wells'::regclass"
                    + " AND tgname = 'wells_broadcast_changes' AND tgenabled = 'O'"));
            assertEquals("1", single(s, "SELECT count(*) FROM pg_policies WHERE schemaname = 'realtime'"
                    + " AND tablename = 'messages' AND policyname = '" + POLICY + "' AND cmd = 'SELECT'"
                    + " AND roles = '{anon,authenticated}'"));

            // anon may insert wells but not into realtime.messages: the trigger must send anyway.
            c.setAutoCommit(false);
            s.execute("SET LOCAL ROLE anon");
            s.execute("INSERT INTO public.wells (name, status, total_depth_m) VALUES ('Anon 1', 'planned', 1200.5)");
            c.commit();
            c.setAutoCommit(true);
            s.execute("UPDATE public.wells SET status = 'drilling' WHERE name = 'Anon 1'");
            s.execute("DELETE FROM public.wells WHERE name = 'Anon 1'");

            List<JsonNode> payloads = new ArrayList<>();
            List<String> events = new ArrayList<>();
            try (ResultSet rs = s.executeQuery("SELECT payload::text, event, topic, private, extension"
                    + " FROM realtime.messages ORDER BY inserted_at")) {
                while (rs.next()) {
                    assertEquals("wells", rs.getString(3));
                    assertTrue(rs.getBoolean(4), "sent privately, as broadcast_changes does");
                    assertEquals("broadcast", rs.getString(5));
                    events.add(rs.getString(2));
                    payloads.add(JSON.readTree(rs.getString(1)));
                }
            }
            assertEquals(List.of("INSERT", "UPDATE", "DELETE"), events);
            assertEquals("Anon 1", payloads.get(0).path("record").path("name").asText());
            assertTrue(payloads.get(0).path("record").path("total_depth_m").isNumber());
            assertEquals("drilling", payloads.get(1).path("record").path("status").asText());
            assertEquals("planned", payloads.get(1).path("old_record").path("status").asText());
            assertTrue(payloads.get(2).path("record").isNull());
            assertEquals(payloads.get(0).path("record").path("id").asLong(),
                    payloads.get(2).path("old_record").path("id").asLong(), "a delete carries the whole old row");
            assertEquals("wells", payloads.get(2).path("table").asText());
            assertEquals("public", payloads.get(2).path("schema").asText());
        }
    }

    @Test
    void thePolicyLetsAnonReadTheWellsTopicsBroadcastsAndNothingElse() throws Exception {
        DataSource db = databases.fresh();
        MigrationRunner.migrateTenant(db, "supabase_realtime", true);
        try (Connection c = db.getConnection(); Statement s = c.createStatement()) {
            s.execute("INSERT INTO realtime.messages (topic, extension, event, private) VALUES"
                    + " ('wells', 'broadcast', 'probe', true), ('wells', 'presence', 'probe', true),"
                    + " ('wells:1', 'broadcast', 'probe', true), ('room-1', 'broadcast', 'probe', true)");
            assertEquals("wells/broadcast", visible(c, "anon", "wells"));
            assertEquals("wells/broadcast", visible(c, "authenticated", "wells"));
            assertEquals("", visible(c, "anon", "room-1"), "joining another topic finds nothing to read");
            assertEquals("", visible(c, "anon", "wells:1"), "nor does one that only starts like it");
            assertEquals("", visible(c, "anon", null), "nor a read without a topic");
        }
    }

    /** What {@code role} may read of the probe rows with {@code realtime.topic} set as a join sets it. */
    private static String visible(Connection c, String role, String topic) throws SQLException {
        c.setAutoCommit(false);
        try (Statement s = c.createStatement()) {
            s.execute("SET LOCAL ROLE " + role);
            if (topic != null) {
                s.execute("SELECT set_config('realtime.topic', '" + topic + "', true)");
            }
            return single(s, "SELECT coalesce(string_agg(topic || '/' || extension, ',' ORDER BY topic, extension), '')"
                    + " FROM realtime.messages WHERE event = 'probe'");
        } finally {
            c.rollback();
            c.setAutoCommit(true);
        }
    }
}
