package io.mudrock.realtime.stream;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.mudrock.realtime.channel.ClientClaims;
import io.mudrock.realtime.channel.PostgresBinding;
import io.mudrock.realtime.config.RealtimeConfig;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.UUID;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Row level security on the change stream against a real PostgreSQL 17: no check where the
 * policies cannot filter (counted in round trips), a policy change while subscribed takes effect
 * at the next change, privileges still apply without a check, and transactions that queue up while
 * the stream is busy share their checks and still arrive in order, hidden rows never; many claims
 * groups share one round trip, each gets exactly its rows, settings never leak from one group to the
 * next, and a group whose policy raises loses only its own rows.
 */
class RlsVisibilityTest {

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final Duration WAIT = Duration.ofSeconds(30);
    private static final AtomicInteger SEQ = new AtomicInteger();

    private static StreamDatabaseFixture db;
    private static ExecutorService executor;

    private final List<TenantStream> streams = new ArrayList<>();

    @BeforeAll
    static void start() throws Exception {
        db = StreamDatabaseFixture.start("rls-visibility");
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

    private TenantStream stream() {
        TenantStream stream = new TenantStream("r" + SEQ.incrementAndGet(), id -> Optional.of(db.tenant(id, 100)),
                executor, RealtimeConfig.ReplicationSettings.DEFAULT);
        streams.add(stream);
        return stream;
    }

    /** A fresh published RLS table {@code (id, owner, body)} readable by anon and authenticated, with extra DDL. */
    private static String table(String... extra) throws Exception {
        String name = "v" + SEQ.incrementAndGet();
        db.execute("create table public." + name + " (id bigserial primary key, owner uuid not null, body text)",
                "grant select on public." + name + " to anon, authenticated",
                "alter table public." + name + " enable row level security",
                "alter publication supabase_realtime add table public." + name);
        for (String sql : extra) {
            db.execute(sql.replace("$T", name));
        }
        return name;
    }

    private static RecordingTarget join(TenantStream stream, String table, String role, String subject) throws Exception {
        RecordingTarget target = new RecordingTarget(stream.tenantId(), role + subject);
        List<PostgresBinding> bindings = PostgresBinding.assignIds(List.of(JSON.readTree(
                "{\"event\":\"*\",\"schema\":\"public\",\"table\":\"" + table + "\"}")));
        String claims = "{\"role\":\"" + role + "\"" + (subject == null ? "" : ",\"sub\":\"" + subject + "\"") + "}";
        stream.subscribe(target, bindings, new ClientClaims("token-" + role + subject, role, Long.MAX_VALUE, subject, claims))
                .toCompletableFuture().get(WAIT.toSeconds(), TimeUnit.SECONDS);
        return target;
    }

    private static void insert(String table, String owner, String body) throws Exception {
        db.execute("insert into public." + table + " (owner, body) values ('" + owner + "', '" + body + "')");
    }

    private static List<String> bodies(List<JsonNode> changes) {
        return changes.stream().map(c -> c.get("data").get("record").get("body").asText()).toList();
    }

    @Test
    void usingTrueNeedsNoCheckAndPolicyChangesWhileSubscribedTakeEffectAtTheNextChange() throws Exception {
        String t = table("create policy reads on public.$T for select to authenticated using (true)");
        String a = UUID.randomUUID().toString();
        String b = UUID.randomUUID().toString();
        TenantStream stream = stream();
        RecordingTarget user = join(stream, t, "authenticated", a);
        long checks = stream.status().rlsChecks();

        insert(t, b, "b1");
        insert(t, a, "a1");
        assertEquals(List.of("b1", "a1"), bodies(user.awaitChanges(2, WAIT)));
        assertEquals(checks, stream.status().rlsChecks(), "USING (true): every row is visible, no round trip");

        db.execute("alter policy reads on public." + t + " using (owner = auth.uid())");
        insert(t, b, "b2");
        insert(t, a, "a2");
        List<JsonNode> got = user.awaitChanges(3, WAIT);
        assertEquals(List.of("b1", "a1", "a2"), bodies(got), "b2 is hidden once the policy filters");
        assertTrue(stream.status().rlsChecks() > checks, "a filtering policy is checked");

        db.execute("drop policy reads on public." + t,
                "create policy everything on public." + t + " for select to public using (true)");
        long afterRecreate = stream.status().rlsChecks();
        insert(t, b, "b3");
        assertEquals("b3", bodies(user.awaitChanges(4, WAIT)).get(3));
        assertEquals(afterRecreate, stream.status().rlsChecks(), "a PUBLIC USING (true) policy again needs no check");

        db.execute("create policy no_secrets on public." + t + " as restrictive for select to authenticated"
                + " using (body <> 'secret')");
        insert(t, a, "secret");
        insert(t, b, "b4");
        assertEquals(List.of("b1", "a1", "a2", "b3", "b4"), bodies(user.awaitChanges(5, WAIT)),
                "a restrictive policy filters even beside USING (true)");
        assertTrue(stream.status().rlsChecks() > afterRecreate);
        assertEquals(5, user.changes().size());
    }

    @Test
    void withoutACheckPrivilegesStillDecideWhatReachesTheSubscriber() throws Exception {
        String t = table("create policy reads on public.$T for select to anon, authenticated using (true)",
                "revoke select on public.$T from anon",
                "revoke select on public.$T from authenticated",
                "grant select (id, owner) on public.$T to authenticated");
        String a = UUID.randomUUID().toString();
        TenantStream stream = stream();
        RecordingTarget anon = join(stream, t, "anon", null);
        RecordingTarget user = join(stream, t, "authenticated", a);
        long checks = stream.status().rlsChecks();

        insert(t, a, "private body");
        JsonNode denied = anon.awaitChanges(1, WAIT).get(0).get("data");
        assertEquals("[\"Error 401: Unauthorized\"]", denied.get("errors").toString());
        assertTrue(denied.get("record").isEmpty(), "no SELECT privilege: no value of the row, " + denied);
        assertTrue(!denied.toString().contains("private body") && !denied.toString().contains(a));

        JsonNode partial = user.awaitChanges(1, WAIT).get(0).get("data");
        assertEquals(a, partial.get("record").get("owner").asText());
        assertTrue(!partial.get("record").has("body"), "a column without SELECT privilege stays out: " + partial);
        assertEquals(checks, stream.status().rlsChecks());
    }

    @Test
    void transactionsQueuedWhileTheStreamIsBusyShareChecksAndArriveInOrder() throws Exception {
        // Each row costs the check 2 ms, so the stream falls behind a loop of 1-row commits.
        String t = table("create policy own_rows on public.$T for select to authenticated"
                + " using (owner = auth.uid() and (select true from pg_sleep(0.002)))");
        String a = UUID.randomUUID().toString();
        String b = UUID.randomUUID().toString();
        TenantStream stream = stream();
        RecordingTarget userA = join(stream, t, "authenticated", a);
        RecordingTarget userB = join(stream, t, "authenticated", b);
        long checks = stream.status().rlsChecks();

        int transactions = 200;
        List<String> expectedA = new ArrayList<>();
        List<String> expectedB = new ArrayList<>();
        try (Connection connection = db.connect();
             PreparedStatement statement = connection.prepareStatement(
                     "insert into public." + t + " (owner, body) values (?::uuid, ?)")) {
            for (int i = 0; i < transactions; i++) {
                String owner = i % 2 == 0 ? a : b;
                statement.setString(1, owner);
                statement.setString(2, "n" + i);
                statement.executeUpdate();
                (owner.equals(a) ? expectedA : expectedB).add("n" + i);
            }
        }
        assertEquals(expectedA, bodies(userA.awaitChanges(expectedA.size(), WAIT)));
        assertEquals(expectedB, bodies(userB.awaitChanges(expectedB.size(), WAIT)));
        long used = stream.status().rlsChecks() - checks;
        System.out.printf("RLS: %d one-row transactions, 2 claims groups: %d round trips (one per transaction and group: %d)%n",
                transactions, used, 2 * transactions);
        assertTrue(used < transactions / 2, "queued transactions share a check per claims group: " + used + " round trips");

        insert(t, a, "last");
        assertEquals("last", bodies(userA.awaitChanges(expectedA.size() + 1, WAIT)).get(expectedA.size()),
                "an idle stream delivers a lone transaction without waiting for a batch");
        assertEquals(expectedA.size() + 1, userA.changes().size(), "no row of user b ever reached user a");
        assertEquals(expectedB.size(), userB.changes().size());
    }

    /** One transaction with a row per user and a row nobody owns, for {@code groups} users plus one without a subject. */
    private static List<String> insertOneEach(String table, List<String> users) throws Exception {
        List<String> sql = new ArrayList<>();
        sql.add("begin");
        for (int i = 0; i < users.size(); i++) {
            sql.add("insert into public." + table + " (owner, body) values ('" + users.get(i) + "', 'row" + i + "')");
        }
        sql.add("insert into public." + table + " (owner, body) values ('" + UUID.randomUUID() + "', 'nobody')");
        sql.add("commit");
        try (Connection connection = db.connect(); java.sql.Statement statement = connection.createStatement()) {
            for (String s : sql) {
                statement.execute(s);
            }
        }
        return sql;
    }

    @Test
    void manyGroupsShareOneRoundTripEachSeesItsOwnRowsAndNoSubjectSeesNone() throws Exception {
        // Rows without an owner match show only where auth.uid() is null: a leaked subject would hide them.
        String t = table("create policy own_rows on public.$T for select to authenticated"
                + " using (owner = auth.uid() or (auth.uid() is null and body = 'nobody'))");
        TenantStream stream = stream();
        List<String> users = new ArrayList<>();
        List<RecordingTarget> targets = new ArrayList<>();
        for (int i = 0; i < 20; i++) {
            users.add(UUID.randomUUID().toString());
            targets.add(join(stream, t, "authenticated", users.get(i)));
        }
        RecordingTarget noSubject = join(stream, t, "authenticated", null);
        long checks = stream.status().rlsChecks();

        insertOneEach(t, users);
        for (int i = 0; i < users.size(); i++) {
            assertEquals(List.of("row" + i), bodies(targets.get(i).awaitChanges(1, WAIT)), "user " + i);
        }
        assertEquals(List.of("nobody"), bodies(noSubject.awaitChanges(1, WAIT)),
                "a group without a subject after groups with one sees auth.uid() null");
        assertEquals(1, stream.status().rlsChecks() - checks, "21 claims groups, one transaction: one round trip");

        insert(t, users.get(3), "later");
        assertEquals("later", bodies(targets.get(3).awaitChanges(2, WAIT)).get(1));
        for (int i = 0; i < users.size(); i++) {
            assertEquals(i == 3 ? 2 : 1, targets.get(i).changes().size(), "user " + i + " saw only its rows");
        }
        assertEquals(1, noSubject.changes().size());
    }

    @Test
    void aGroupWhosePolicyRaisesLosesOnlyItsOwnRows() throws Exception {
        String hostile = UUID.randomUUID().toString();
        String t = table("create policy own_rows on public.$T for select to authenticated using ("
                + " case when auth.uid() = '" + hostile + "'::uuid then 1 / (select 0) = 1 else owner = auth.uid() end)");
        TenantStream stream = stream();
        List<String> users = new ArrayList<>();
        List<RecordingTarget> targets = new ArrayList<>();
        for (int i = 0; i < 5; i++) {
            users.add(UUID.randomUUID().toString());
            targets.add(join(stream, t, "authenticated", users.get(i)));
        }
        RecordingTarget bad = join(stream, t, "authenticated", hostile);
        users.add(hostile);

        insertOneEach(t, users);
        for (int i = 0; i < 5; i++) {
            assertEquals(List.of("row" + i), bodies(targets.get(i).awaitChanges(1, WAIT)), "user " + i);
        }
        bad.awaitStatus(s -> s.contains("division by zero"), WAIT);
        insert(t, users.get(0), "after");
        assertEquals("after", bodies(targets.get(0).awaitChanges(2, WAIT)).get(1));
        assertEquals(0, bad.changes().size(), "the failing group's rows are withheld");
    }
}
