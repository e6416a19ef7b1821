package io.mudrock.realtime.stream;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.mudrock.realtime.changes.DatabaseBroadcast;
import io.mudrock.realtime.config.RealtimeConfig;
import io.mudrock.realtime.tenant.Tenant;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.locks.LockSupport;
import java.util.function.BooleanSupplier;
import java.util.function.Consumer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The Broadcast from Database stream on a real PostgreSQL: what {@code realtime.send} and
 * {@code send_binary} write arrives decoded, in commit order, and the slot is confirmed only
 * after a transaction's messages were handed on.
 */
class MessageStreamTest {

    private static final Duration WAIT = Duration.ofSeconds(20);
    /** The streams' linger after the last channel left: shorter than the server's 30 s, the same rule. */
    private static final Duration LINGER = Duration.ofSeconds(3);
    private static StreamDatabaseFixture db;
    private static ExecutorService executor;

    private MessageStream stream;
    private Future<?> task;

    @BeforeAll
    static void startDatabase() throws Exception {
        db = StreamDatabaseFixture.start("messages");
        executor = Executors.newCachedThreadPool();
    }

    @AfterAll
    static void stopDatabase() throws Exception {
        executor.shutdownNow();
        db.close();
    }

    @AfterEach
    void stopStream() throws Exception {
        if (stream != null) {
            stream.requestStop();
            task.get(10, TimeUnit.SECONDS);
        }
        db.execute("delete from realtime.messages");
    }

    private MessageStream start(Consumer<DatabaseBroadcast> sink, BooleanSupplier channels) throws Exception {
        Tenant tenant = db.tenant("messages-tenant", 1000);
        stream = new MessageStream(tenant.externalId(), id -> Optional.of(tenant), sink, id -> channels.getAsBoolean(),
                s -> !channels.getAsBoolean(), new RealtimeConfig.ReplicationSettings(false, Optional.empty()), LINGER);
        task = executor.submit(stream);
        CompletableFuture<Void> ready = new CompletableFuture<>();
        stream.whenStreaming(() -> ready.complete(null));
        ready.get(WAIT.toSeconds(), TimeUnit.SECONDS);
        return stream;
    }

    private static void awaitCount(List<DatabaseBroadcast> received, int count) {
        long end = System.nanoTime() + WAIT.toNanos();
        while (size(received) < count) {
            if (System.nanoTime() > end) {
                throw new AssertionError("received " + size(received) + " of " + count);
            }
            LockSupport.parkNanos(5_000_000);
        }
    }

    private static int size(List<DatabaseBroadcast> received) {
        synchronized (received) {
            return received.size();
        }
    }

    @Test
    void sendsArriveDecodedWithTheirIdTopicAndFlags() throws Exception {
        List<DatabaseBroadcast> received = new ArrayList<>();
        start(m -> {
            synchronized (received) {
                received.add(m);
            }
        }, () -> true);
        db.execute("select realtime.send('{\"text\":\"grüß dich 🌍\"}'::jsonb, 'greet', 'room-1', false)",
                "select realtime.send('{\"secret\":1}'::jsonb, 'whisper', 'room-1')",
                "select realtime.send_binary('\\x00ff'::bytea, 'bytes', 'room-2', false)");
        awaitCount(received, 3);
        DatabaseBroadcast open = received.get(0);
        assertEquals("room-1", open.topic());
        assertEquals("greet", open.event());
        assertFalse(open.privateMessage());
        assertTrue(open.payloadJson().contains("grüß dich 🌍"), open.payloadJson());
        assertTrue(open.payloadJson().contains("\"id\": \"" + open.id() + "\""), open.payloadJson());
        assertEquals(db.column("select id::text from realtime.messages where event = 'greet'"), List.of(open.id()));
        assertTrue(received.get(1).privateMessage());
        assertNull(received.get(2).payloadJson());
        assertArrayEquals(new byte[] {0, (byte) 0xff}, received.get(2).binaryPayload());
        assertTrue(stream.streaming());
    }

    @Test
    void tenThousandSendsOfOneTransactionArriveCompleteAndInOrder() throws Exception {
        List<DatabaseBroadcast> received = new ArrayList<>();
        start(m -> {
            synchronized (received) {
                received.add(m);
            }
        }, () -> true);
        db.execute("select realtime.send(jsonb_build_object('n', n), 'tick', 'bulk', false) from generate_series(1, 10000) n");
        awaitCount(received, 10_000);
        synchronized (received) {
            for (int i = 0; i < 10_000; i++) {
                assertTrue(received.get(i).payloadJson().startsWith("{\"n\": " + (i + 1) + ","),
                        "message " + i + ": " + received.get(i).payloadJson());
            }
        }
    }

    @Test
    void nothingIsConfirmedBeforeItWasHandedOn() throws Exception {
        CountDownLatch release = new CountDownLatch(1);
        AtomicBoolean reached = new AtomicBoolean();
        List<DatabaseBroadcast> received = new ArrayList<>();
        start(m -> {
            reached.set(true);
            try {
                release.await(WAIT.toSeconds(), TimeUnit.SECONDS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
            synchronized (received) {
                received.add(m);
            }
        }, () -> true);
        db.execute("select realtime.send('{}'::jsonb, 'held', 'room', false)");
        // The insert position after the commit (zonky runs with synchronous_commit off: the write position lags).
        String committed = db.column("select pg_current_wal_insert_lsn()::text").get(0);
        long end = System.nanoTime() + WAIT.toNanos();
        while (!reached.get()) {
            assertTrue(System.nanoTime() < end, "the message never reached the sink");
            LockSupport.parkNanos(5_000_000);
        }
        assertEquals("f", confirmedPast(committed), () -> "confirmed while the message was still being handed on: "
                + committed + " " + column("select slot_name || ' ' || confirmed_flush_lsn || ' ' || active_pid"
                + " from pg_replication_slots"));
        release.countDown();
        end = System.nanoTime() + WAIT.toNanos();
        while (!"t".equals(confirmedPast(committed))) {
            assertTrue(System.nanoTime() < end, "never confirmed after delivery");
            LockSupport.parkNanos(20_000_000);
        }
    }

    @Test
    void retiresWhenTheTenantHasNoChannelsAndDropsItsTemporarySlot() throws Exception {
        AtomicBoolean channels = new AtomicBoolean(true);
        start(m -> { }, channels::get);
        assertEquals(List.of(MessageStream.slotName("messages-tenant", Optional.empty())), db.column("select slot_name"
                + " from pg_replication_slots where slot_name like 'supabase_realtime_messages%'"));
        assertTrue(stream.slot().matches("supabase_realtime_messages_[0-9a-f]{8}"), stream.slot());
        channels.set(false);
        task.get(LINGER.toSeconds() + 15, TimeUnit.SECONDS);
        assertFalse(stream.alive());
        long end = System.nanoTime() + WAIT.toNanos();
        while (!db.column("select slot_name from pg_replication_slots where slot_name like 'supabase_realtime_messages%'")
                .isEmpty()) {
            assertTrue(System.nanoTime() < end, "slot left behind");
            LockSupport.parkNanos(20_000_000);
        }
        stream = null;
    }

    private static List<String> column(String sql) {
        try {
            return db.column(sql);
        } catch (Exception e) {
            return List.of(e.toString());
        }
    }

    /** Whether the slot's confirmed position is at or past an LSN ("t"/"f"). */
    private static String confirmedPast(String lsn) throws Exception {
        List<String> rows = db.column("select (confirmed_flush_lsn >= '" + lsn + "'::pg_lsn)::text from pg_replication_slots"
                + " where slot_name = '" + MessageStream.slotName("messages-tenant", Optional.empty()) + "'");
        return rows.isEmpty() ? "f" : rows.get(0).substring(0, 1);
    }
}
