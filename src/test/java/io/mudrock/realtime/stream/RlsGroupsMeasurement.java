package io.mudrock.realtime.stream;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.mudrock.realtime.channel.ClientClaims;
import io.mudrock.realtime.channel.PostgresBinding;
import io.mudrock.realtime.config.RealtimeConfig;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.Statement;
import java.time.Duration;
import java.util.Arrays;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.condition.EnabledIfSystemProperty;

/**
 * Measures, not tests: issue 15 item 4, RLS at scale. 500 subscribers in 50 claims groups
 * ({@code authenticated}, a distinct {@code sub} each), a policy {@code owner = auth.uid()} that
 * filters, 1-row transactions spread over the 50 owners at 300 and 1,000 per second; each load with
 * all groups in one round trip, with the per-group path (one group per round trip) and with RLS
 * off, in one run. Prints commit-to-queue latency, delivered against expected and RLS round trips
 * per transaction. Runs only with {@code -Drls.measure=true}.
 */
@EnabledIfSystemProperty(named = "rls.measure", matches = "true")
class RlsGroupsMeasurement {

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final Duration WAIT = Duration.ofSeconds(60);
    private static final int GROUPS = 50;
    private static final int PER_GROUP = 10;

    private enum Mode {
        SHARED("on, all groups in one round trip", RlsChecker.GROUPS_PER_ROUND_TRIP, true),
        PER_GROUP("on, one round trip per group", 1, true),
        OFF("off", RlsChecker.GROUPS_PER_ROUND_TRIP, false);

        final String label;
        final int groupsPerRoundTrip;
        final boolean rls;

        Mode(String label, int groupsPerRoundTrip, boolean rls) {
            this.label = label;
            this.groupsPerRoundTrip = groupsPerRoundTrip;
            this.rls = rls;
        }
    }

    @Test
    void fiveHundredSubscribersInFiftyClaimsGroups() throws Exception {
        int seconds = Integer.getInteger("rls.measure.seconds", 5);
        try (StreamDatabaseFixture db = StreamDatabaseFixture.start("rls-groups-measure")) {
            db.execute("create table public.owned (id bigserial primary key, owner uuid not null, name text not null)",
                    "grant select on public.owned to authenticated",
                    "create policy own_rows on public.owned for select to authenticated using (owner = auth.uid())",
                    "alter publication supabase_realtime add table public.owned");
            ExecutorService executor = Executors.newCachedThreadPool();
            System.out.println("| RLS | changes/s | p50 ms | p95 ms | p99 ms | max ms | RLS round trips per transaction | delivered of expected |");
            System.out.println("|---|---|---|---|---|---|---|---|");
            try {
                for (int rate : new int[] {300, 1000}) {
                    for (Mode mode : Mode.values()) {
                        phase(db, executor, mode, rate, seconds);
                    }
                }
            } finally {
                executor.shutdownNow();
            }
        }
    }

    private static String owner(int group) {
        return String.format("00000000-0000-4000-8000-%012d", group + 1);
    }

    private static void phase(StreamDatabaseFixture db, ExecutorService executor, Mode mode, int rate, int seconds)
            throws Exception {
        db.execute("alter table public.owned " + (mode.rls ? "enable" : "disable") + " row level security");
        TenantStream stream = new TenantStream("g" + System.nanoTime(), id -> Optional.of(db.tenant(id, 1_000_000)),
                executor, RealtimeConfig.ReplicationSettings.DEFAULT, mode.groupsPerRoundTrip);
        try {
            RlsLatencyMeasurement.TimingTarget[] targets = new RlsLatencyMeasurement.TimingTarget[GROUPS * PER_GROUP];
            for (int i = 0; i < targets.length; i++) {
                targets[i] = new RlsLatencyMeasurement.TimingTarget("owned" + i);
                String sub = owner(i % GROUPS);
                String claims = "{\"role\":\"authenticated\",\"sub\":\"" + sub + "\"}";
                List<PostgresBinding> bindings = PostgresBinding.assignIds(List.of(JSON.readTree(
                        "{\"event\":\"INSERT\",\"schema\":\"public\",\"table\":\"owned\"}")));
                stream.subscribe(targets[i], bindings, new ClientClaims("t" + i, "authenticated", Long.MAX_VALUE, sub, claims))
                        .toCompletableFuture().get(WAIT.toSeconds(), TimeUnit.SECONDS);
            }
            load(db, rate, 2, "W"); // warm-up, not timed
            long warmExpected = mode.rls ? 2L * rate * PER_GROUP : 2L * rate * targets.length;
            awaitTotal(targets, warmExpected);
            for (RlsLatencyMeasurement.TimingTarget target : targets) {
                target.take();
            }
            long checks = stream.status().rlsChecks();
            long committed = load(db, rate, seconds, "L");
            // Each row reaches the 10 subscribers of its owner's group, or all 500 with RLS off.
            long expected = mode.rls ? committed * PER_GROUP : committed * targets.length;
            awaitTotal(targets, expected);
            long trips = stream.status().rlsChecks() - checks;
            long[] all = Arrays.stream(targets).map(RlsLatencyMeasurement.TimingTarget::take)
                    .flatMapToLong(Arrays::stream).sorted().toArray();
            System.out.printf("| %s | %,.0f | %.2f | %.2f | %.2f | %.2f | %.3f | %,d of %,d |%n", mode.label,
                    committed / (double) seconds, all[all.length / 2] / 1e6, all[(int) (all.length * 0.95)] / 1e6,
                    all[(int) (all.length * 0.99)] / 1e6, all[all.length - 1] / 1e6, trips / (double) committed,
                    all.length, expected);
        } finally {
            stream.stop(true, "measured");
            db.awaitNoSlots(WAIT);
        }
    }

    private static void awaitTotal(RlsLatencyMeasurement.TimingTarget[] targets, long expected) {
        long end = System.nanoTime() + WAIT.toNanos();
        while (Arrays.stream(targets).mapToLong(RlsLatencyMeasurement.TimingTarget::count).sum() < expected
                && System.nanoTime() < end) {
            LockSupport.parkNanos(1_000_000);
        }
    }

    /** Commits 1-row inserts at {@code rate} per second, owners in turn; each name carries its send time. */
    private static long load(StreamDatabaseFixture db, int rate, int seconds, String prefix) throws Exception {
        try (Connection connection = db.connect();
             PreparedStatement insert = connection.prepareStatement(
                     "insert into public.owned (owner, name) values (?::uuid, ?)");
             Statement settings = connection.createStatement()) {
            settings.execute("set synchronous_commit = on"); // as RlsLatencyMeasurement: commit as production does
            long start = System.nanoTime();
            long total = (long) rate * seconds;
            for (long n = 0; n < total; n++) {
                long due = start + n * 1_000_000_000L / rate;
                long wait = due - System.nanoTime();
                if (wait > 0) {
                    LockSupport.parkNanos(wait);
                }
                insert.setString(1, owner((int) (n % GROUPS)));
                insert.setString(2, prefix + System.nanoTime());
                insert.executeUpdate();
            }
            return total;
        }
    }
}
