package io.mudrock.realtime.stream;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.mudrock.realtime.channel.ClientClaims;
import io.mudrock.realtime.channel.PostgresBinding;
import io.mudrock.realtime.channel.PostgresChangesSubscription;
import io.mudrock.realtime.config.RealtimeConfig;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.UUID;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.locks.LockSupport;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * A tenant's stream end to end against a real PostgreSQL 17, without the server: bindings go
 * live, changes are routed, authorized, serialized and delivered in order, the slot is confirmed,
 * and the stream survives a database restart and publication changes.
 */
class TenantStreamTest {

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final Duration WAIT = Duration.ofSeconds(30);
    private static final AtomicInteger SEQ = new AtomicInteger();

    private static StreamDatabaseFixture db;
    private static ExecutorService executor;

    private final List<TenantStream> streams = new ArrayList<>();

    @BeforeAll
    static void start() throws Exception {
        db = StreamDatabaseFixture.start("tenant-stream");
        executor = Executors.newCachedThreadPool();
    }

    @AfterAll
    static void stop() throws Exception {
        executor.shutdownNow();
        db.close();
    }

    @AfterEach
    void stopStreams() throws Exception {
        streams.forEach(s -> s.stop(true, "test over"));
        db.awaitNoSlots(WAIT);
    }

    private TenantStream stream(RealtimeConfig.ReplicationSettings settings) {
        TenantStream stream = new TenantStream("t" + SEQ.incrementAndGet(), id -> Optional.of(db.tenant(id, 100)),
                executor, settings);
        streams.add(stream);
        return stream;
    }

    private TenantStream stream() {
        return stream(RealtimeConfig.ReplicationSettings.DEFAULT);
    }

    /** A fresh published table. */
    private static String table(String ddl, String... extra) throws Exception {
        String name = "t" + SEQ.incrementAndGet();
        db.execute("create table public." + name + " " + ddl, "grant select on public." + name + " to anon, authenticated",
                "alter publication supabase_realtime add table public." + name);
        for (String sql : extra) {
            db.execute(sql.replace("$T", name));
        }
        return name;
    }

    private static List<PostgresBinding> bindings(String... json) throws Exception {
        List<JsonNode> nodes = new ArrayList<>();
        for (String j : json) {
            nodes.add(JSON.readTree(j));
        }
        return PostgresBinding.assignIds(nodes);
    }

    private static ClientClaims claims(String role, String subject) {
        String json = "{\"role\":\"" + role + "\"" + (subject == null ? "" : ",\"sub\":\"" + subject + "\"") + "}";
        return new ClientClaims("token-" + role + subject, role, Long.MAX_VALUE, subject, json);
    }

    private static PostgresChangesSubscription join(TenantStream stream, RecordingTarget target,
                                                    List<PostgresBinding> bindings, ClientClaims claims) throws Exception {
        return stream.subscribe(target, bindings, claims).toCompletableFuture().get(WAIT.toSeconds(), TimeUnit.SECONDS);
    }

    @Test
    void aRowCommittedRightAfterTheSubscriptionCompletesIsDelivered() throws Exception {
        String t = table("(id int8 primary key, name text)");
        TenantStream stream = stream();
        RecordingTarget target = new RecordingTarget(stream.tenantId(), "room");
        List<PostgresBinding> bindings = bindings("{\"event\":\"*\",\"schema\":\"public\",\"table\":\"" + t + "\"}");
        join(stream, target, bindings, claims("anon", null));
        db.execute("insert into public." + t + " values (1, 'first')");

        JsonNode change = target.awaitChanges(1, WAIT).get(0);
        assertEquals("[" + bindings.get(0).id() + "]", change.get("ids").toString());
        JsonNode data = change.get("data");
        assertEquals("INSERT", data.get("type").asText());
        assertEquals("{\"id\":1,\"name\":\"first\"}", data.get("record").toString());
        assertEquals("[{\"name\":\"id\",\"type\":\"int8\"},{\"name\":\"name\",\"type\":\"text\"}]", data.get("columns").toString());
        assertTrue(data.get("errors").isNull());
        assertEquals(List.of("ok: Subscribed to PostgreSQL"), target.statuses());
        assertEquals(StreamStatus.State.STREAMING, stream.status().state());
    }

    @Test
    void aTenThousandRowTransactionArrivesCompleteAndInOrderAndIsConfirmed() throws Exception {
        String t = table("(id int4 primary key, payload text)");
        TenantStream stream = stream();
        RecordingTarget first = new RecordingTarget(stream.tenantId(), "a");
        RecordingTarget second = new RecordingTarget(stream.tenantId(), "b");
        String binding = "{\"event\":\"INSERT\",\"schema\":\"public\",\"table\":\"" + t + "\"}";
        join(stream, first, bindings(binding), claims("anon", null));
        join(stream, second, bindings(binding, "{\"event\":\"*\",\"schema\":\"public\",\"table\":\"" + t + "\",\"filter\":\"id=gte.5000\"}"),
                claims("anon", null));
        String walBefore = db.column("select pg_current_wal_lsn()::text").get(0);
        long before = System.nanoTime();
        db.execute("insert into public." + t + " select g, 'row ' || g from generate_series(1, 10000) g");

        long committed = System.nanoTime();
        first.awaitChanges(1, WAIT);
        long firstArrived = System.nanoTime();
        List<JsonNode> a = first.awaitChanges(10_000, WAIT);
        List<JsonNode> b = second.awaitChanges(10_000, WAIT);
        long done = System.nanoTime();
        System.out.printf("10,000-row transaction: insert %d ms, first change after %d ms, all 20,000 deliveries after %d ms%n",
                TimeUnit.NANOSECONDS.toMillis(committed - before), TimeUnit.NANOSECONDS.toMillis(firstArrived - committed),
                TimeUnit.NANOSECONDS.toMillis(done - committed));
        for (int i = 0; i < 10_000; i++) {
            assertEquals(i + 1, a.get(i).get("data").get("record").get("id").asInt());
            assertEquals(i + 1, b.get(i).get("data").get("record").get("id").asInt());
            assertEquals(i + 1 >= 5000 ? 2 : 1, b.get(i).get("ids").size(), "both bindings matched in one frame");
        }
        long end = System.nanoTime() + WAIT.toNanos();
        while (!db.column("select confirmed_flush_lsn > '" + walBefore + "'::pg_lsn from pg_replication_slots").equals(List.of("t"))) {
            assertTrue(System.nanoTime() < end, "the slot never confirmed the transaction");
            LockSupport.parkNanos(20_000_000);
        }
    }

    @Test
    void aHundredThousandRowTransactionReachesAChannelCompleteAndInOrderOnTheDefaultBudget() throws Exception {
        String t = table("(id int4 primary key)");
        TenantStream stream = stream();
        RecordingTarget target = new RecordingTarget(stream.tenantId(), "huge");
        join(stream, target, bindings("{\"event\":\"INSERT\",\"schema\":\"public\",\"table\":\"" + t + "\"}"),
                claims("anon", null));
        com.sun.management.OperatingSystemMXBean os =
                (com.sun.management.OperatingSystemMXBean) java.lang.management.ManagementFactory.getOperatingSystemMXBean();
        java.lang.management.ThreadMXBean threads = java.lang.management.ManagementFactory.getThreadMXBean();
        // The stream's CPU: the process's, less this (polling) test thread's.
        long cpuBefore = os.getProcessCpuTime() - threads.getCurrentThreadCpuTime();
        db.execute("insert into public." + t + " select g from generate_series(1, 100000) g");
        // The tenant's max_events_per_second (100) paces nothing here: budgets are per socket, in the channel layer.
        List<JsonNode> all = target.awaitChanges(100_000, Duration.ofMinutes(3));
        long cpu = os.getProcessCpuTime() - threads.getCurrentThreadCpuTime() - cpuBefore;
        System.out.printf("100,000-row transaction: %.1f µs of CPU per change (stream, decoding to queuing; JIT and GC included)%n",
                cpu / 1000.0 / 100_000);
        for (int i = 0; i < all.size(); i++) {
            assertEquals(i + 1, all.get(i).get("data").get("record").get("id").asInt());
        }
    }

    @Test
    void rowLevelSecurityIsCheckedOncePerTransactionForAllClaimsGroups() throws Exception {
        String t = table("(id bigserial primary key, owner uuid not null, body text)",
                "alter table public.$T enable row level security",
                "create policy owner_reads on public.$T for select to authenticated using (owner = auth.uid())");
        String a = UUID.randomUUID().toString();
        String b = UUID.randomUUID().toString();
        TenantStream stream = stream();
        String binding = "{\"event\":\"*\",\"schema\":\"public\",\"table\":\"" + t + "\"}";
        RecordingTarget a1 = new RecordingTarget(stream.tenantId(), "a1");
        RecordingTarget a2 = new RecordingTarget(stream.tenantId(), "a2");
        RecordingTarget b1 = new RecordingTarget(stream.tenantId(), "b1");
        RecordingTarget anon = new RecordingTarget(stream.tenantId(), "anon");
        join(stream, a1, bindings(binding), claims("authenticated", a));
        join(stream, a2, bindings(binding), claims("authenticated", a));
        join(stream, b1, bindings(binding), claims("authenticated", b));
        join(stream, anon, bindings(binding), claims("anon", null));
        long checksBefore = stream.status().rlsChecks();

        StringBuilder insert = new StringBuilder("insert into public." + t + " (owner, body) values ");
        for (int i = 0; i < 10; i++) {
            insert.append(i == 0 ? "" : ", ").append("('").append(i % 2 == 0 ? a : b).append("', 'n").append(i).append("')");
        }
        db.execute(insert.toString());
        for (RecordingTarget target : List.of(a1, a2, b1)) {
            List<JsonNode> got = target.awaitChanges(5, WAIT);
            String expected = target == b1 ? b : a;
            got.forEach(c -> assertEquals(expected, c.get("data").get("record").get("owner").asText()));
        }
        assertEquals(1, stream.status().rlsChecks() - checksBefore, "one round trip for the groups user a, user b, anon");

        db.execute("delete from public." + t + " where body = 'n0'");
        JsonNode deleted = anon.awaitChanges(1, WAIT).get(0);
        assertEquals("DELETE", deleted.get("data").get("type").asText());
        assertEquals(1, deleted.get("data").get("old_record").size(), "RLS on: a delete shows only the key");
        assertEquals(6, a1.awaitChanges(6, WAIT).size());
        assertEquals(6, b1.awaitChanges(6, WAIT).size(), "deletes are not filtered by RLS (upstream)");
        assertEquals(1, anon.changes().size(), "anon never saw an insert");
        anon.awaitStatus(s -> s.startsWith("error: Row level security is enabled on public." + t
                + " and no SELECT policy applies to role anon"), WAIT);
        assertTrue(a1.statuses().stream().noneMatch(s -> s.startsWith("error:")), "a policy applies to authenticated: "
                + a1.statuses());
        assertEquals(1, stream.status().rlsChecks() - checksBefore, "deletes need no check");
    }

    @Test
    void invalidBindingsAreReportedWithUpstreamTextsAndTheValidOnesStillWork() throws Exception {
        String t = table("(id int4 primary key, name text)");
        db.execute("create table public.unpublished_" + t + " (id int4 primary key)");
        TenantStream stream = stream();
        RecordingTarget target = new RecordingTarget(stream.tenantId(), "mixed");
        join(stream, target, bindings(
                "{\"event\":\"*\",\"schema\":\"public\",\"table\":\"" + t + "\",\"filter\":\"nope=eq.1\"}",
                "{\"event\":\"*\",\"schema\":\"public\",\"table\":\"" + t + "\",\"filter\":\"id=foo.1\"}",
                "{\"event\":\"*\",\"schema\":\"public\",\"table\":\"" + t + "\",\"filter\":\"id=eq.x\"}",
                "{\"event\":\"*\",\"schema\":\"public\",\"table\":\"unpublished_" + t + "\"}",
                "{\"event\":\"*\",\"schema\":\"*\",\"select\":[\"id\"]}",
                "{\"event\":\"INSERT\",\"schema\":\"public\",\"table\":\"" + t + "\"}"), claims("anon", null));
        target.awaitStatus(s -> s.startsWith("ok: "), WAIT); // statuses follow the completion, as they follow the join reply
        String params = "[event: *, schema: public, table: " + t;
        assertEquals(List.of(
                "error: Unable to subscribe to changes with given parameters. An exception happened so please check your "
                        + "connect parameters: " + params + ", filters: [{\"nope\", \"eq\", \"1\", false}], select: nil]. "
                        + "Exception: ERROR P0001 (raise_exception) invalid column for filter nope",
                "error: Error parsing `filter` params: [\"foo\", \"1\"]",
                "error: Unable to subscribe to changes with given parameters. An exception happened so please check your "
                        + "connect parameters: " + params + ", filters: [{\"id\", \"eq\", \"x\", false}], select: nil]. "
                        + "Exception: ERROR 22P02 (invalid_text_representation) invalid input syntax for type integer: \"x\"",
                "error: Unable to subscribe to changes with given parameters. Please check Realtime is enabled for the given "
                        + "connect parameters: [event: *, schema: public, table: unpublished_" + t + ", filters: [], select: nil]. "
                        + "Table public.unpublished_" + t + " is not in publication supabase_realtime, so its changes are not "
                        + "streamed. Run ALTER PUBLICATION supabase_realtime ADD TABLE public.unpublished_" + t
                        + "; (picked up without a restart).",
                "error: Column selection is not supported for wildcard subscriptions. Provide an explicit schema and table name.",
                "ok: Subscribed to PostgreSQL"), target.statuses());
        db.execute("insert into public." + t + " values (1, 'x')");
        assertEquals("INSERT", target.awaitChanges(1, WAIT).get(0).get("data").get("type").asText());
    }

    @Test
    void publicationAndTableChangesArePickedUpWithoutRestart() throws Exception {
        String t = table("(id int4 primary key, name text)");
        String later = "later_" + t;
        db.execute("create table public." + later + " (id int4 primary key)", "grant select on public." + later + " to anon");
        TenantStream stream = stream();
        RecordingTarget target = new RecordingTarget(stream.tenantId(), "alter");
        List<PostgresBinding> bindings = bindings("{\"event\":\"*\",\"schema\":\"public\",\"table\":\"" + t + "\"}",
                "{\"event\":\"*\",\"schema\":\"public\",\"table\":\"" + later + "\"}");
        join(stream, target, bindings, claims("anon", null));

        db.execute("alter table public." + t + " add column pinned bool default true",
                "insert into public." + t + " (id, name) values (1, 'a')");
        JsonNode added = target.awaitChanges(1, WAIT).get(0).get("data");
        assertEquals("{\"id\":1,\"name\":\"a\",\"pinned\":true}", added.get("record").toString());

        db.execute("alter publication supabase_realtime add table public." + later, "insert into public." + later + " values (7)");
        JsonNode published = target.awaitChanges(2, WAIT).get(1);
        assertEquals("[" + bindings.get(1).id() + "]", published.get("ids").toString());
        target.awaitStatus(s -> s.equals("ok: Subscribed to PostgreSQL") && target.statuses().indexOf(s)
                != target.statuses().lastIndexOf(s), WAIT);

        db.execute("alter publication supabase_realtime drop table public." + t);
        target.awaitStatus(s -> s.startsWith("error: Table public." + t + " was removed from publication supabase_realtime")
                && s.endsWith("ALTER PUBLICATION supabase_realtime ADD TABLE public." + t + ";"), WAIT);
        db.execute("insert into public." + t + " (id, name) values (2, 'unpublished')", "insert into public." + later + " values (8)");
        target.awaitChanges(3, WAIT);
        assertEquals(8, target.changes().get(2).get("data").get("record").get("id").asInt());
    }

    @Test
    void aDatabaseRestartIsReportedAndChangesAfterItArrive() throws Exception {
        String t = table("(id int4 primary key)");
        TenantStream stream = stream();
        RecordingTarget target = new RecordingTarget(stream.tenantId(), "restart");
        join(stream, target, bindings("{\"event\":\"*\",\"schema\":\"public\",\"table\":\"" + t + "\"}"), claims("anon", null));
        db.execute("insert into public." + t + " values (1)");
        target.awaitChanges(1, WAIT);

        db.stop();
        target.awaitStatus(s -> s.startsWith("error: PostgreSQL replication stream lost"), WAIT);
        assertEquals(StreamStatus.State.RECONNECTING, stream.status().state());
        assertTrue(stream.status().readinessProblem(java.time.Instant.now()).isPresent());
        db.start();
        target.awaitStatus(s -> s.equals("ok: " + StreamNotices.BACK), WAIT);
        db.execute("insert into public." + t + " values (2)");
        assertEquals(2, target.awaitChanges(2, WAIT).get(1).get("data").get("record").get("id").asInt());
    }

    @Test
    void aPermanentSlotKeepsChangesCommittedWhileTheStreamReconnectsAndIsDroppedAtTheEnd() throws Exception {
        String t = table("(id int4 primary key)");
        TenantStream stream = stream(new RealtimeConfig.ReplicationSettings(true, Optional.of("it")));
        RecordingTarget target = new RecordingTarget(stream.tenantId(), "permanent");
        join(stream, target, bindings("{\"event\":\"*\",\"schema\":\"public\",\"table\":\"" + t + "\"}"), claims("anon", null));
        assertEquals(List.of("supabase_realtime_replication_slot_it"), db.column("select slot_name from pg_replication_slots"));

        db.stop();
        db.start();
        // Committed before the stream is back (its first retry waits a second): kept by the slot.
        db.execute("insert into public." + t + " values (1)");
        target.awaitStatus(s -> s.equals("ok: " + StreamNotices.BACK), WAIT);
        assertEquals(1, target.awaitChanges(1, WAIT).get(0).get("data").get("record").get("id").asInt());

        stream.stop(false, "test");
        assertTrue(db.column("select slot_name from pg_replication_slots").isEmpty(), "the permanent slot is dropped on stop");
    }

    @Test
    void theStreamStopsWhenTheLastChannelLeavesAndItsSlotGoes() throws Exception {
        String t = table("(id int4 primary key)");
        TenantStream stream = stream();
        RecordingTarget target = new RecordingTarget(stream.tenantId(), "leave");
        PostgresChangesSubscription subscription = join(stream, target,
                bindings("{\"event\":\"*\",\"schema\":\"public\",\"table\":\"" + t + "\"}"), claims("anon", null));
        assertEquals(1, db.column("select slot_name from pg_replication_slots where slot_name like 'supabase_realtime_replication_slot_%'").size());
        subscription.close();
        assertEquals(0, stream.status().subscriptions());
        db.execute("insert into public." + t + " values (1)");
        LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(300));
        assertTrue(target.changes().isEmpty(), "nothing after close");
        assertFalse(stream.status().readinessProblem(java.time.Instant.now()).isPresent());
    }
}
