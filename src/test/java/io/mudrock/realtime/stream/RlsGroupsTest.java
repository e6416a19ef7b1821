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
 * Many claims groups in one batch against a real PostgreSQL 17: one round trip checks them all,
 * each group gets exactly its rows, settings never leak from one group to the next, and a group
 * whose policy raises loses only its own rows.
 */
class RlsGroupsTest {

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
