package io.mudrock.realtime.stream;

import io.mudrock.realtime.channel.ClientClaims;
import io.mudrock.realtime.channel.PostgresBinding;
import io.mudrock.realtime.channel.PostgresChangesTarget;
import io.mudrock.realtime.config.RealtimeConfig;
import io.mudrock.realtime.database.MigrationRunner;
import io.mudrock.realtime.protocol.FanOutFrames;
import io.mudrock.realtime.protocol.FrameEncoder;
import io.mudrock.realtime.protocol.OutboundFrame;
import io.mudrock.realtime.protocol.Serializer;
import com.fasterxml.jackson.databind.ObjectMapper;
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
import org.postgresql.ds.PGSimpleDataSource;
import org.junit.jupiter.api.condition.EnabledIfSystemProperty;

/**
 * Measures, not tests: commit-to-queue latency of the change stream on {@code public.wells} as the
 * migration ships it, with RLS off, with its {@code USING (true)} policies, and with a policy the
 * server must check ({@code auth.uid() IS NOT NULL}), at the same load in one run, printed as a
 * table with RLS round trips per commit. Runs only with {@code -Drls.measure=true} (benchmarks stay
 * out of {@code mvn verify}); the socket write after the queue is the same in every phase and left out.
 */
@EnabledIfSystemProperty(named = "rls.measure", matches = "true")
class RlsLatencyMeasurement {

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final Duration WAIT = Duration.ofSeconds(60);

    /** Records when each change reached the channel, against the send time carried in its name. */
    static final class TimingTarget implements PostgresChangesTarget {
        private final String subTopic;
        private long[] latencies = new long[1 << 14];
        private int count;

        TimingTarget(String subTopic) {
            this.subTopic = subTopic;
        }

        @Override
        public String tenantId() {
            return "measure";
        }

        @Override
        public String topic() {
            return "realtime:" + subTopic;
        }

        @Override
        public String subTopic() {
            return subTopic;
        }

        @Override
        public boolean isOpen() {
            return true;
        }

        @Override
        public boolean deliver(long[] ids, String dataJson) {
            return deliver(FrameEncoder.postgresChanges(topic(), ids, dataJson));
        }

        @Override
        public boolean deliver(FanOutFrames frames) {
            long now = System.nanoTime();
            String text = ((OutboundFrame.Text) frames.frameFor(Serializer.V2).orElseThrow()).text();
            int at = text.indexOf("\"name\":\"L");
            if (at >= 0) {
                long sent = Long.parseLong(text, at + 9, text.indexOf('"', at + 9), 10);
                synchronized (this) {
                    if (count == latencies.length) {
                        latencies = Arrays.copyOf(latencies, count * 2);
                    }
                    latencies[count++] = now - sent;
                }
            }
            return true;
        }

        @Override
        public void postgresChangesStatus(boolean ok, String message) {
        }

        synchronized int count() {
            return count;
        }

        synchronized long[] take() {
            long[] taken = Arrays.copyOf(latencies, count);
            count = 0;
            return taken;
        }
    }

    private enum Mode {
        OFF("off", null), SHIPPED("on, USING (true) as shipped", "true"), FILTERING("on, USING (auth.uid() IS NOT NULL)",
                "auth.uid() IS NOT NULL");

        final String label;
        final String using;

        Mode(String label, String using) {
            this.label = label;
            this.using = using;
        }
    }

    @Test
    void rlsOnAndOffAtTheSameLoad() throws Exception {
        int seconds = Integer.getInteger("rls.measure.seconds", 5);
        try (StreamDatabaseFixture db = StreamDatabaseFixture.start("rls-measure")) {
            PGSimpleDataSource wells = new PGSimpleDataSource();
            wells.setUrl("jdbc:postgresql://localhost:" + db.port() + "/postgres");
            wells.setUser("postgres");
            MigrationRunner.migrateTenant(wells, StreamDatabaseFixture.PUBLICATION, true); // wells as shipped
            ExecutorService executor = Executors.newCachedThreadPool();
            System.out.println("| RLS | subscribers (users) | commits/s | p50 ms | p99 ms | max ms | RLS round trips per commit | delivered in 60 s |");
            System.out.println("|---|---|---|---|---|---|---|---|");
            try {
                for (int rate : new int[] {1000, 4000}) {
                    for (int subscribers : new int[] {1, 10}) {
                        for (Mode mode : Mode.values()) {
                            phase(db, executor, mode, subscribers, rate, seconds);
                        }
                    }
                }
            } finally {
                executor.shutdownNow();
            }
        }
    }

    private static void phase(StreamDatabaseFixture db, ExecutorService executor, Mode mode, int subscribers, int rate,
                              int seconds) throws Exception {
        if (mode == Mode.OFF) {
            db.execute("alter table public.wells disable row level security");
        } else {
            db.execute("alter table public.wells enable row level security",
                    "alter policy \"Allow authenticated access to wells\" on public.wells using (" + mode.using + ")");
        }
        TenantStream stream = new TenantStream("m" + System.nanoTime(), id -> Optional.of(db.tenant(id, 100_000)),
                executor, RealtimeConfig.ReplicationSettings.DEFAULT);
        try {
            TimingTarget[] targets = new TimingTarget[subscribers];
            for (int i = 0; i < subscribers; i++) {
                targets[i] = new TimingTarget("wells" + i);
                String sub = String.format("00000000-0000-4000-8000-%012d", i + 1);
                String claims = "{\"role\":\"authenticated\",\"sub\":\"" + sub + "\"}";
                List<PostgresBinding> bindings = PostgresBinding.assignIds(List.of(JSON.readTree(
                        "{\"event\":\"INSERT\",\"schema\":\"public\",\"table\":\"wells\"}")));
                stream.subscribe(targets[i], bindings, new ClientClaims("t" + i, "authenticated", Long.MAX_VALUE, sub, claims))
                        .toCompletableFuture().get(WAIT.toSeconds(), TimeUnit.SECONDS);
            }
            load(db, rate, 2, "W"); // warm-up, not timed
            for (TimingTarget target : targets) {
                target.take();
            }
            long checks = stream.status().rlsChecks();
            long committed = load(db, rate, seconds, "L");
            long end = System.nanoTime() + WAIT.toNanos();
            for (TimingTarget target : targets) {
                while (target.count() < committed && System.nanoTime() < end) {
                    LockSupport.parkNanos(1_000_000);
                }
            }
            long trips = stream.status().rlsChecks() - checks;
            long[] all = Arrays.stream(targets).map(TimingTarget::take).flatMapToLong(Arrays::stream).sorted().toArray();
            System.out.printf("| %s | %d (%d) | %,.0f | %.2f | %.2f | %.1f | %.3f | %,d of %,d |%n", mode.label, subscribers,
                    subscribers, committed / (double) seconds, all[all.length / 2] / 1e6, all[(int) (all.length * 0.99)] / 1e6,
                    all[all.length - 1] / 1e6, trips / (double) committed, all.length, committed * subscribers);
        } finally {
            stream.stop(true, "measured");
            db.execute("alter table public.wells enable row level security",
                    "alter policy \"Allow authenticated access to wells\" on public.wells using (true)");
        }
    }

    /** Commits 1-row inserts at {@code rate} per second; each name carries its send time. */
    private static long load(StreamDatabaseFixture db, int rate, int seconds, String prefix) throws Exception {
        try (Connection connection = db.connect();
             PreparedStatement insert = connection.prepareStatement(
                     "insert into public.wells (name, status, total_depth_m) values (?, 'live', 1234.5)");
             Statement settings = connection.createStatement()) {
            // The embedded server runs with synchronous_commit off, so WAL would reach the walsender
            // only at the WAL writer's next round (up to 200 ms): commit as a production server does.
            settings.execute("set synchronous_commit = on");
            long start = System.nanoTime();
            long total = (long) rate * seconds;
            for (long n = 0; n < total; n++) {
                long due = start + n * 1_000_000_000L / rate;
                long wait = due - System.nanoTime();
                if (wait > 0) {
                    LockSupport.parkNanos(wait);
                }
                insert.setString(1, prefix + System.nanoTime());
                insert.executeUpdate();
            }
            return total;
        }
    }
}
