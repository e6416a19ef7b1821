package io.mudrock.bench;

import io.debezium.embedded.Connect;
import io.debezium.engine.DebeziumEngine;
import io.debezium.engine.RecordChangeEvent;
import io.debezium.engine.format.ChangeEventFormat;
import org.HdrHistogram.Histogram;
import org.apache.kafka.connect.data.Struct;
import org.apache.kafka.connect.source.SourceRecord;

import java.time.Instant;
import java.util.Properties;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Debezium embedded (PostgreSQL connector, pgoutput, in-memory offsets) as a baseline, in its own
 * JVM pinned like our server. Records are consumed as Kafka Connect SourceRecords — no JSON
 * conversion — which is the cheapest way to use the engine, so the baseline is a generous one.
 *
 * <p>Modes: {@code drain <port> <slot> <expected>} counts wells changes until {@code expected};
 * {@code latency <port> <slot> <seconds>} reads rows whose name is {@code L<epoch micros at commit>}
 * and records commit-to-consumer latency.
 */
public final class DebeziumRunner {

    private DebeziumRunner() {
    }

    public static void main(String[] args) throws Exception {
        String mode = args[0];
        int port = Integer.parseInt(args[1]);
        String slot = args[2];
        long arg = Long.parseLong(args[3]);
        Properties props = new Properties();
        props.setProperty("name", "bench-" + slot);
        props.setProperty("connector.class", "io.debezium.connector.postgresql.PostgresConnector");
        props.setProperty("offset.storage", "org.apache.kafka.connect.storage.MemoryOffsetBackingStore");
        props.setProperty("offset.flush.interval.ms", "10000");
        props.setProperty("database.hostname", "localhost");
        props.setProperty("database.port", Integer.toString(port));
        props.setProperty("database.user", "postgres");
        props.setProperty("database.password", "postgres");
        props.setProperty("database.dbname", "postgres");
        props.setProperty("topic.prefix", "bench");
        props.setProperty("plugin.name", "pgoutput");
        props.setProperty("slot.name", slot);
        props.setProperty("publication.name", BenchDb.PUBLICATION);
        props.setProperty("publication.autocreate.mode", "disabled");
        props.setProperty("snapshot.mode", "no_data");
        props.setProperty("table.include.list", "public.wells");
        props.setProperty("tombstones.on.delete", "false");

        AtomicLong changes = new AtomicLong();
        AtomicLong first = new AtomicLong();
        AtomicLong last = new AtomicLong();
        Histogram hist = new Histogram(TimeUnit.SECONDS.toMicros(120), 3);
        CountDownLatch done = new CountDownLatch(1);
        long t0 = System.nanoTime();
        boolean latency = mode.equals("latency");

        DebeziumEngine<RecordChangeEvent<SourceRecord>> engine = DebeziumEngine
                .create(ChangeEventFormat.of(Connect.class))
                .using(props)
                .notifying(event -> {
                    SourceRecord r = event.record();
                    if (r.value() == null || !r.topic().endsWith(".public.wells")) {
                        return;
                    }
                    long now = System.nanoTime();
                    if (latency) {
                        Struct after = ((Struct) r.value()).getStruct("after");
                        String name = after == null ? null : after.getString("name");
                        if (name != null && name.startsWith("P") && first.get() == 0) {
                            first.set(now);
                            System.out.println("READY");
                            System.out.flush();
                            return;
                        }
                        if ("END".equals(name)) {
                            done.countDown();
                            return;
                        }
                    }
                    first.compareAndSet(0, now);
                    last.set(now);
                    long n = changes.incrementAndGet();
                    if (latency) {
                        Struct v = (Struct) r.value();
                        Struct after = v.getStruct("after");
                        if (after != null) {
                            String name = after.getString("name");
                            if (name != null && name.startsWith("L")) {
                                Instant i = Instant.now();
                                long micros = i.getEpochSecond() * 1_000_000L + i.getNano() / 1000;
                                hist.recordValue(Math.max(0, Math.min(hist.getHighestTrackableValue(),
                                        micros - Long.parseLong(name.substring(1)))));
                            }
                        }
                    } else if (n >= arg) {
                        done.countDown();
                    }
                })
                .using((success, message, error) -> {
                    if (!success) {
                        System.err.println("debezium stopped: " + message + (error == null ? "" : " " + error));
                    }
                    done.countDown();
                })
                .build();
        ExecutorService ex = Executors.newSingleThreadExecutor();
        ex.execute(engine);
        if (latency) {
            // The parent inserts probe rows (name P...) until it reads READY, runs its load, then
            // inserts a row named END; arg bounds the whole wait in seconds.
            done.await(arg, TimeUnit.SECONDS);
        } else {
            done.await(10, TimeUnit.MINUTES);
        }
        long end = last.get();
        engine.close();
        ex.shutdown();
        ex.awaitTermination(30, TimeUnit.SECONDS);
        StringBuilder out = new StringBuilder("RESULT {\"changes\":" + changes.get()
                + ",\"first_to_last_s\":" + (end - first.get()) / 1e9
                + ",\"start_to_first_s\":" + (first.get() - t0) / 1e9
                + ",\"start_to_last_s\":" + (end - t0) / 1e9);
        if (latency) {
            out.append(",\"latency_ms\":").append(Bench.percentilesJson(hist, 1000.0));
        }
        System.out.println(out.append('}'));
        System.out.flush();
        System.exit(0);
    }
}
