package io.mudrock.realtime.stream;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.mudrock.realtime.channel.ClientClaims;
import io.mudrock.realtime.channel.PostgresBinding;
import io.mudrock.realtime.config.RealtimeConfig;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * What one binding, one table or one failure can do to the rest of a tenant's stream, against a
 * real PostgreSQL: a filter that throws stops only its binding; error payloads of tables whose RLS
 * check cannot run ignore filters (as upstream), so filters reveal nothing RLS hides; an
 * {@code Error} in the stream task restarts it with back-off, reported, keeping a permanent slot.
 */
class StreamIsolationTest {

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final Duration WAIT = Duration.ofSeconds(30);
    private static final AtomicInteger SEQ = new AtomicInteger();

    private static StreamDatabaseFixture db;
    private static ExecutorService executor;

    /** Armed by a test: the stream's next read of its tenant record throws. */
    private final AtomicBoolean failNextTenantRead = new AtomicBoolean();
    private final List<TenantStream> streams = new ArrayList<>();

    @BeforeAll
    static void start() throws Exception {
        db = StreamDatabaseFixture.start("stream-isolation");
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
        TenantStream stream = new TenantStream("i" + SEQ.incrementAndGet(), id -> {
            if (failNextTenantRead.getAndSet(false)) {
                throw new StackOverflowError(); // what a runaway recursion anywhere on the stream thread raises
            }
            return Optional.of(db.tenant(id, 1_000_000));
        }, executor, settings);
        streams.add(stream);
        return stream;
    }

    private static String table(String ddl, String... setup) throws Exception {
        String name = "iso" + SEQ.incrementAndGet();
        db.execute("create table public." + name + " " + ddl, "alter publication supabase_realtime add table public." + name);
        for (String sql : setup) {
            db.execute(sql.replace("$T", "public." + name));
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

    private static String binding(String table, String filter) {
        return "{\"event\":\"*\",\"schema\":\"public\",\"table\":\"" + table + "\""
                + (filter == null ? "" : ",\"filter\":\"" + filter + "\"") + "}";
    }

    private static final ClientClaims ANON = new ClientClaims("token-anon", "anon", Long.MAX_VALUE, null, "{\"role\":\"anon\"}");

    private static void join(TenantStream stream, RecordingTarget target, List<PostgresBinding> bindings) throws Exception {
        stream.subscribe(target, bindings, ANON).toCompletableFuture().get(WAIT.toSeconds(), TimeUnit.SECONDS);
        target.awaitStatus(s -> s.equals("ok: " + StreamNotices.SUBSCRIBED), WAIT);
    }

    private static List<Integer> ids(List<JsonNode> changes, long bindingId) {
        List<Integer> ids = new ArrayList<>();
        for (JsonNode change : changes) {
            for (JsonNode id : change.get("ids")) {
                if (id.asLong() == bindingId) {
                    ids.add(change.get("data").get("record").get("id").asInt());
                }
            }
        }
        return ids;
    }

    @Test
    void aFilterThatThrowsStopsOnlyItsBindingAndTheStreamGoesOn() throws Exception {
        String t = table("(id int4 primary key, addr inet)", "grant select on $T to anon");
        TenantStream stream = stream(RealtimeConfig.ReplicationSettings.DEFAULT);
        RecordingTarget hostile = new RecordingTarget(stream.tenantId(), "hostile");
        List<PostgresBinding> hostileBindings = bindings(binding(t, "addr=eq.10.0.0.1"), binding(t, null));
        join(stream, hostile, hostileBindings);
        RecordingTarget victim = new RecordingTarget(stream.tenantId(), "victim");
        join(stream, victim, bindings(binding(t, null)));

        // Re-binding the filter to the new column type runs the value through the domain's input,
        // whose CHECK refuses it with an error the catalog reports as a RuntimeException: before,
        // that escaped the router and tore the tenant's stream down on every change.
        String domain = "private_inet_" + t;
        db.execute("create domain public." + domain + " as inet check (value << '192.168.0.0/16')",
                "alter table public." + t + " alter column addr type public." + domain + " using '192.168.1.1'");
        for (int id = 1; id <= 3; id++) {
            db.execute("insert into public." + t + " values (" + id + ", '192.168.1." + id + "')");
        }

        assertEquals(3, victim.awaitChanges(3, WAIT).size());
        List<JsonNode> hostileChanges = hostile.awaitChanges(3, WAIT);
        assertEquals(List.of(1, 2, 3), ids(hostileChanges, hostileBindings.get(1).id()), "the channel's other binding");
        assertEquals(List.of(), ids(hostileChanges, hostileBindings.get(0).id()), "the failed binding");
        String failed = hostile.awaitStatus(s -> s.startsWith("error: Unable to evaluate the filter"), WAIT);
        assertTrue(failed.startsWith("error: Unable to evaluate the filter of binding [event: *, schema: public, table: "
                + t + ", filters: [{\"addr\", \"eq\", \"10.0.0.1\", false}], select: nil] (CatalogException: "), failed);
        assertTrue(failed.endsWith("this binding receives no more changes; the channel's other bindings are not "
                + "affected. Join the channel again to retry."), failed);
        assertEquals(1, hostile.statuses().stream().filter(s -> s.startsWith("error: Unable to evaluate")).count(),
                "told once: " + hostile.statuses());
        for (RecordingTarget target : List.of(hostile, victim)) {
            assertTrue(target.statuses().stream().noneMatch(s -> s.contains("replication stream lost")), target.statuses().toString());
        }
        assertEquals(StreamStatus.State.STREAMING, stream.status().state());
    }

    @Test
    void errorPayloadsOfTablesWithoutAPrimaryKeyReachEveryBindingWhateverItsFilter() throws Exception {
        String t = table("(id int4, secret text)", "grant select on $T to anon", "alter table $T replica identity full");
        assertErrorPayloadIgnoresFilters(t, "Error 400: Bad Request, no primary key");
    }

    @Test
    void errorPayloadsOfTablesWhoseKeyTheRoleCannotSeeReachEveryBindingWhateverItsFilter() throws Exception {
        String t = table("(id int4 primary key, secret text)", "grant select (secret) on $T to anon");
        assertErrorPayloadIgnoresFilters(t, "Error 401: Unauthorized");
    }

    /** Two channels filter on a value; neither filter decides who gets the error, which holds no value. */
    private void assertErrorPayloadIgnoresFilters(String t, String error) throws Exception {
        TenantStream stream = stream(RealtimeConfig.ReplicationSettings.DEFAULT);
        RecordingTarget matching = new RecordingTarget(stream.tenantId(), "matching");
        RecordingTarget other = new RecordingTarget(stream.tenantId(), "other");
        RecordingTarget inserts = new RecordingTarget(stream.tenantId(), "inserts");
        join(stream, matching, bindings(binding(t, "secret=eq.swordfish")));
        join(stream, other, bindings(binding(t, "secret=neq.swordfish")));
        join(stream, inserts, bindings("{\"event\":\"INSERT\",\"schema\":\"public\",\"table\":\"" + t
                + "\",\"filter\":\"secret=like.sword%\"}"));

        db.execute("insert into public." + t + " values (1, 'swordfish')", "insert into public." + t + " values (2, 'tuna')",
                "update public." + t + " set secret = 'swordfish2' where id = 2");
        for (RecordingTarget target : List.of(matching, other)) {
            List<JsonNode> got = target.awaitChanges(3, WAIT);
            assertEquals(List.of("INSERT", "INSERT", "UPDATE"), got.stream().map(c -> c.get("data").get("type").asText()).toList(),
                    target.topic());
            for (JsonNode change : got) {
                JsonNode data = change.get("data");
                assertEquals("[\"" + error + "\"]", data.get("errors").toString());
                assertEquals("[]", data.get("columns").toString());
                assertEquals("{}", data.get("record").toString());
                assertFalse(change.toString().contains("swordfish") || change.toString().contains("tuna"), change.toString());
            }
        }
        assertEquals(2, inserts.awaitChanges(2, WAIT).size(), "the event still applies: two inserts");
        db.execute("insert into public." + t + " values (3, 'marker')");
        assertEquals(4, matching.awaitChanges(4, WAIT).size());
        assertEquals(3, inserts.awaitChanges(3, WAIT).size());
        assertEquals(3, inserts.count(), "no update reached the INSERT binding");
    }

    @Test
    void anErrorInTheStreamTaskIsReportedAndRestartsItWithoutDroppingThePermanentSlot() throws Exception {
        String t = table("(id int4 primary key)", "grant select on $T to anon");
        TenantStream stream = stream(new RealtimeConfig.ReplicationSettings(true, Optional.of("isolation")));
        RecordingTarget target = new RecordingTarget(stream.tenantId(), "crash");
        join(stream, target, bindings(binding(t, null)));
        db.execute("insert into public." + t + " values (1)");
        target.awaitChanges(1, WAIT);

        failNextTenantRead.set(true); // read again at the next publication poll, within 5 s
        target.awaitStatus(s -> s.equals("error: " + StreamNotices.lost("StackOverflowError", true)), WAIT);
        assertEquals(List.of("supabase_realtime_replication_slot_isolation"), db.column("select slot_name from pg_replication_slots"),
                "the permanent slot is kept while the stream restarts");
        db.execute("insert into public." + t + " values (2)");
        target.awaitStatus(s -> s.equals("ok: " + StreamNotices.BACK), WAIT);
        assertEquals(2, target.awaitChanges(2, WAIT).get(1).get("data").get("record").get("id").asInt());
        assertFalse(failNextTenantRead.get(), "the failure was raised");
        assertEquals(StreamStatus.State.STREAMING, stream.status().state());
    }
}
