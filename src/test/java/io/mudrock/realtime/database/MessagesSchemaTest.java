package io.mudrock.realtime.database;

import static io.mudrock.realtime.database.ScratchDatabases.single;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLWarning;
import java.sql.Statement;
import java.time.LocalDate;
import java.time.LocalDateTime;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import javax.sql.DataSource;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The tenant changelog's Broadcast from Database part on a real PostgreSQL: the partitioned
 * {@code realtime.messages}, {@code realtime.send}/{@code broadcast_changes}, the migration of our
 * earlier plain table, an upstream schema left as it is, and the partition maintenance.
 * Each test works in a database of its own.
 */
class MessagesSchemaTest {

    private static final ObjectMapper JSON = new ObjectMapper();
    private static ScratchDatabases databases;

    @BeforeAll
    static void start() throws Exception {
        databases = ScratchDatabases.start("schema");
    }

    @AfterAll
    static void stop() throws Exception {
        databases.close();
    }

    @Test
    void freshDatabaseGetsPartitionsAheadAndTheSqlApi() throws Exception {
        DataSource db = databases.fresh();
        MigrationRunner.migrateTenant(db, "supabase_realtime", false);
        MigrationRunner.migrateTenant(db, "supabase_realtime", false); // idempotent
        try (Connection c = db.getConnection(); Statement s = c.createStatement()) {
            assertEquals("p", single(s, "SELECT relkind::text FROM pg_class WHERE oid = 'realtime.messages'::regclass"));
            MessagePartitions.State state = MessagePartitions.state(c);
            assertTrue(state.missing(LocalDateTime.now(ZoneOffset.UTC)).isEmpty(), "missing: " + state.days());
            assertEquals("1", single(s, "SELECT count(*) FROM pg_publication_rel r JOIN pg_publication p"
                    + " ON p.oid = r.prpubid WHERE p.pubname = 'supabase_realtime_messages_publication'"
                    + " AND r.prrelid = 'realtime.messages'::regclass"));

            s.execute("SELECT realtime.send('{\"greeting\":\"grüß dich 🌍\"}'::jsonb, 'hello', 'room-1', false)");
            try (ResultSet rs = s.executeQuery("SELECT id::text, payload::text, event, topic, private, extension"
                    + " FROM realtime.messages")) {
                assertTrue(rs.next());
                JsonNode payload = JSON.readTree(rs.getString(2));
                assertEquals("grüß dich 🌍", payload.path("greeting").asText());
                assertEquals(rs.getString(1), payload.path("id").asText(), "payload.id is the message id");
                assertEquals("hello", rs.getString(3));
                assertEquals("room-1", rs.getString(4));
                assertFalse(rs.getBoolean(5));
                assertEquals("broadcast", rs.getString(6));
                assertFalse(rs.next());
            }
            s.execute("SELECT realtime.send('{\"id\":\"mine\"}'::jsonb, 'e', 'room-2')");
            assertEquals("mine|true", single(s, "SELECT payload->>'id' || '|' || private FROM realtime.messages"
                    + " WHERE topic = 'room-2'"));
        }
    }

    @Test
    void aFailedSendWarnsAndNeverFailsTheCallersTransaction() throws Exception {
        DataSource db = databases.fresh();
        MigrationRunner.migrateTenant(db, "supabase_realtime", false);
        try (Connection c = db.getConnection(); Statement s = c.createStatement()) {
            c.setAutoCommit(false);
            s.execute("CREATE TABLE public.kept (v int)");
            s.execute("INSERT INTO public.kept VALUES (1)");
            s.execute("SELECT realtime.send('{}'::jsonb, 'e', NULL)"); // topic NOT NULL: the insert fails
            SQLWarning warning = s.getWarnings();
            assertTrue(warning != null && warning.getMessage().startsWith("WarnSendingBroadcastMessage:"),
                    String.valueOf(warning));
            c.commit();
            assertEquals("1", single(s, "SELECT count(*) FROM public.kept"));
            assertEquals("0", single(s, "SELECT count(*) FROM realtime.messages"));
        }
    }

    @Test
    void broadcastChangesSendsUpstreamsPayloadFromATrigger() throws Exception {
        DataSource db = databases.fresh();
        MigrationRunner.migrateTenant(db, "supabase_realtime", false);
        try (Connection c = db.getConnection(); Statement s = c.createStatement()) {
            s.execute("CREATE TABLE public.notes (id int PRIMARY KEY, body text)");
            s.execute("CREATE FUNCTION public.notes_changed() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN"
                    + " PERFORM realtime.broadcast_changes('notes:' || coalesce(NEW.id, OLD.id)::text, TG_OP, TG_OP,"
                    + " TG_TABLE_NAME, TG_TABLE_SCHEMA, NEW, OLD); RETURN NULL; END $$");
            s.execute("CREATE TRIGGER notes_changed AFTER INSERT OR UPDATE OR DELETE ON public.notes"
                    + " FOR EACH ROW EXECUTE FUNCTION public.notes_changed()");
            s.execute("INSERT INTO public.notes VALUES (7, 'a')");
            s.execute("UPDATE public.notes SET body = 'b' WHERE id = 7");
            s.execute("DELETE FROM public.notes WHERE id = 7");
            List<JsonNode> payloads = new ArrayList<>();
            try (ResultSet rs = s.executeQuery("SELECT payload::text, event, topic, private FROM realtime.messages"
                    + " ORDER BY inserted_at")) {
                while (rs.next()) {
                    assertEquals("notes:7", rs.getString(3));
                    assertTrue(rs.getBoolean(4), "broadcast_changes sends privately");
                    JsonNode payload = JSON.readTree(rs.getString(1));
                    assertEquals(rs.getString(2), payload.path("operation").asText());
                    payloads.add(payload);
                }
            }
            assertEquals(3, payloads.size());
            assertEquals("a", payloads.get(0).path("record").path("body").asText());
            assertTrue(payloads.get(0).path("old_record").isNull());
            assertEquals("b", payloads.get(1).path("record").path("body").asText());
            assertEquals("a", payloads.get(1).path("old_record").path("body").asText());
            assertTrue(payloads.get(2).path("record").isNull());
            assertEquals(7, payloads.get(2).path("old_record").path("id").asInt());
            assertEquals("notes", payloads.get(2).path("table").asText());
            assertEquals("public", payloads.get(2).path("schema").asText());
        }
    }

    @Test
    void ourEarlierPlainTableIsMigratedWithItsRowsAndPolicies() throws Exception {
        DataSource db = databases.fresh();
        try (Connection c = db.getConnection(); Statement s = c.createStatement()) {
            s.execute("DO $$ BEGIN IF NOT EXISTS (SELECT 1 FROM pg_roles WHERE rolname = 'authenticated') THEN"
                    + " CREATE ROLE authenticated NOLOGIN NOINHERIT; END IF; END $$");
            s.execute("CREATE SCHEMA realtime");
            s.execute("CREATE TABLE realtime.messages (topic text NOT NULL, extension text NOT NULL, payload jsonb,"
                    + " event text, private boolean DEFAULT false,"
                    + " updated_at timestamp without time zone NOT NULL DEFAULT now(),"
                    + " inserted_at timestamp without time zone NOT NULL DEFAULT now(),"
                    + " id uuid NOT NULL DEFAULT gen_random_uuid(), binary_payload bytea, PRIMARY KEY (id, inserted_at))");
            s.execute("ALTER TABLE realtime.messages ENABLE ROW LEVEL SECURITY");
            s.execute("CREATE POLICY \"room readers\" ON realtime.messages FOR SELECT TO authenticated"
                    + " USING (topic = 'room-1' AND extension = 'broadcast')");
            s.execute("INSERT INTO realtime.messages (topic, extension, payload, event, private, inserted_at) VALUES"
                    + " ('room-1', 'broadcast', '{\"n\":1}', 'old', true, now() - interval '10 days'),"
                    + " ('room-1', 'broadcast', '{\"n\":2}', 'new', true, now())");
        }
        MigrationRunner.migrateTenant(db, "supabase_realtime", false);
        try (Connection c = db.getConnection(); Statement s = c.createStatement()) {
            assertEquals("p", single(s, "SELECT relkind::text FROM pg_class WHERE oid = 'realtime.messages'::regclass"));
            assertEquals("old,new", single(s, "SELECT string_agg(event, ',' ORDER BY inserted_at) FROM realtime.messages"));
            assertEquals("1", single(s, "SELECT count(*) FROM pg_policies WHERE schemaname = 'realtime'"
                    + " AND tablename = 'messages' AND policyname = 'room readers' AND cmd = 'SELECT'"));
            assertEquals("t", single(s, "SELECT relrowsecurity::text FROM pg_class WHERE oid = 'realtime.messages'::regclass")
                    .substring(0, 1));
            assertEquals(null, single(s, "SELECT to_regclass('realtime.messages_unpartitioned')::text"));
        }
    }

    @Test
    void anUpstreamSchemaIsUsedAsItIs() throws Exception {
        DataSource db = databases.fresh();
        try (Connection c = db.getConnection(); Statement s = c.createStatement()) {
            s.execute("CREATE SCHEMA realtime");
            s.execute("CREATE TABLE realtime.messages (topic text NOT NULL, extension text NOT NULL, payload jsonb,"
                    + " event text, private boolean DEFAULT false,"
                    + " updated_at timestamp without time zone NOT NULL DEFAULT now(),"
                    + " inserted_at timestamp without time zone NOT NULL DEFAULT now(),"
                    + " id uuid NOT NULL DEFAULT gen_random_uuid()) PARTITION BY RANGE (inserted_at)");
            s.execute("CREATE TABLE realtime.messages_default PARTITION OF realtime.messages DEFAULT");
            s.execute("CREATE FUNCTION realtime.send(payload jsonb, event text, topic text, private boolean DEFAULT true)"
                    + " RETURNS void LANGUAGE plpgsql AS $$ BEGIN RAISE NOTICE 'upstream send'; END $$");
            s.execute("INSERT INTO realtime.messages (topic, extension) VALUES ('kept', 'broadcast')");
        }
        String oidBefore;
        try (Connection c = db.getConnection(); Statement s = c.createStatement()) {
            oidBefore = single(s, "SELECT 'realtime.messages'::regclass::oid::text");
        }
        MigrationRunner.migrateTenant(db, "supabase_realtime", false);
        try (Connection c = db.getConnection(); Statement s = c.createStatement()) {
            assertEquals(oidBefore, single(s, "SELECT 'realtime.messages'::regclass::oid::text"));
            assertTrue(single(s, "SELECT prosrc FROM pg_proc WHERE oid = 'realtime.send(jsonb,text,text,boolean)'::regprocedure")
                    .contains("upstream send"));
            assertEquals("1", single(s, "SELECT count(*) FROM realtime.messages WHERE topic = 'kept'"));
            assertTrue(MessagePartitions.state(c).defaultPartition().isPresent());
        }
    }

    @Test
    void maintenanceCreatesTheComingDaysAndDropsExpiredOnes() throws Exception {
        DataSource db = databases.fresh();
        MigrationRunner.migrateTenant(db, "supabase_realtime", false);
        LocalDate today = LocalDate.of(2031, 5, 20);
        try (Connection c = db.getConnection(); Statement s = c.createStatement()) {
            s.execute("CREATE TABLE realtime.messages_2031_05_10 PARTITION OF realtime.messages"
                    + " FOR VALUES FROM ('2031-05-10') TO ('2031-05-11')");
            s.execute("CREATE TABLE realtime.messages_2031_05_17 PARTITION OF realtime.messages"
                    + " FOR VALUES FROM ('2031-05-17') TO ('2031-05-18')");
            s.execute("CREATE TABLE realtime.messages_2031_05_16 PARTITION OF realtime.messages"
                    + " FOR VALUES FROM ('2031-05-16') TO ('2031-05-17')");
            // 72 h before 2031-05-20 10:00 is 2031-05-17 10:00: the 17th stays, the 16th and older go.
            MessagePartitions.Maintenance done = MessagePartitions.maintain(c, today.atTime(10, 0));
            assertTrue(done.partitioned());
            assertEquals(List.of("messages_2031_05_19", "messages_2031_05_20", "messages_2031_05_21",
                    "messages_2031_05_22", "messages_2031_05_23"), done.created());
            assertTrue(done.dropped().containsAll(List.of("messages_2031_05_10", "messages_2031_05_16")), done.dropped()
                    .toString());
            assertFalse(done.dropped().contains("messages_2031_05_17"));
            MessagePartitions.State state = MessagePartitions.state(c);
            assertTrue(state.missing(today.atTime(10, 0)).isEmpty());
            assertTrue(state.expired(today.atTime(10, 0)).isEmpty());
            assertEquals(today.minusDays(3), state.days().get(0));
            // Run again: nothing left to do.
            MessagePartitions.Maintenance again = MessagePartitions.maintain(c, today.atTime(10, 0));
            assertTrue(again.created().isEmpty() && again.dropped().isEmpty());
            s.execute("INSERT INTO realtime.messages (topic, extension, inserted_at) VALUES ('t', 'broadcast',"
                    + " '2031-05-23 23:59:59')");
        }
    }

    @Test
    void rowsInADefaultPartitionMoveIntoTheirDay() throws Exception {
        DataSource db = databases.fresh();
        MigrationRunner.migrateTenant(db, "supabase_realtime", false);
        try (Connection c = db.getConnection(); Statement s = c.createStatement()) {
            assertEquals("messages_default", MessagePartitions.state(c).defaultPartition().orElseThrow());
            s.execute("INSERT INTO realtime.messages (topic, extension, event, inserted_at) VALUES"
                    + " ('t', 'broadcast', 'ahead', '2032-01-02 12:00'), ('t', 'broadcast', 'ancient', '2001-01-01')");
            MessagePartitions.Maintenance done = MessagePartitions.maintain(c, LocalDateTime.of(2032, 1, 1, 0, 0));
            assertEquals(1, done.moved());
            assertEquals(1, done.purged());
            assertEquals("ahead", single(s, "SELECT string_agg(event, ',') FROM realtime.messages_2032_01_02"));
            assertEquals("0", single(s, "SELECT count(*) FROM realtime.messages_default"));
            assertEquals("ahead", single(s, "SELECT string_agg(event, ',') FROM realtime.messages"));
        }
    }
}
