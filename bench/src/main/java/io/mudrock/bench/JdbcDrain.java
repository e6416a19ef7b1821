package io.mudrock.bench;

import org.postgresql.PGConnection;
import org.postgresql.PGProperty;
import org.postgresql.replication.LogSequenceNumber;
import org.postgresql.replication.PGReplicationStream;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.sql.Connection;
import java.sql.DriverManager;
import java.util.Properties;
import java.util.concurrent.TimeUnit;

/**
 * Baseline "bare pgjdbc reader": streams the slot with pgoutput and decodes every Insert/Update
 * tuple into Java strings, nothing else (no JSON, no network fan-out). It is the floor of what
 * our server's stream task costs. Runs in its own JVM, pinned like our server.
 */
public final class JdbcDrain {

    private JdbcDrain() {
    }

    public static void main(String[] args) throws Exception {
        int port = Integer.parseInt(args[0]);
        String slot = args[1];
        long expected = Long.parseLong(args[2]);
        long t0 = System.nanoTime();
        Properties p = new Properties();
        PGProperty.USER.set(p, "postgres");
        PGProperty.PASSWORD.set(p, "postgres");
        PGProperty.ASSUME_MIN_SERVER_VERSION.set(p, "10");
        PGProperty.REPLICATION.set(p, "database");
        PGProperty.PREFER_QUERY_MODE.set(p, "simple");
        long changes = 0;
        long first = 0;
        long last = 0;
        long bytes = 0;
        long chars = 0;
        try (Connection c = DriverManager.getConnection("jdbc:postgresql://localhost:" + port + "/postgres", p)) {
            PGReplicationStream stream = c.unwrap(PGConnection.class).getReplicationAPI().replicationStream().logical()
                    .withSlotName(slot)
                    .withSlotOption("proto_version", 1)
                    .withSlotOption("publication_names", BenchDb.PUBLICATION)
                    .withStatusInterval(10, TimeUnit.SECONDS)
                    .start();
            long deadline = System.nanoTime() + TimeUnit.MINUTES.toNanos(10);
            while (changes < expected && System.nanoTime() < deadline) {
                ByteBuffer m = stream.read();
                if (first == 0) {
                    first = System.nanoTime();
                }
                bytes += m.remaining();
                int off = m.arrayOffset() + m.position();
                byte[] a = m.array();
                byte kind = a[off];
                if (kind == 'I' || kind == 'U') {
                    int pos = off + 5; // kind, relation oid
                    if (kind == 'U' && (a[pos] == 'K' || a[pos] == 'O')) {
                        pos = skipTuple(a, pos + 1);
                    }
                    chars += decodeTuple(a, pos + 1);
                    changes++;
                } else if (kind == 'D') {
                    changes++;
                } else if (kind == 'C') {
                    LogSequenceNumber lsn = stream.getLastReceiveLSN();
                    stream.setAppliedLSN(lsn);
                    stream.setFlushedLSN(lsn);
                }
            }
            last = System.nanoTime();
            stream.forceUpdateStatus();
            stream.close();
        }
        System.out.println("RESULT {\"changes\":" + changes + ",\"first_to_last_s\":" + (last - first) / 1e9
                + ",\"start_to_last_s\":" + (last - t0) / 1e9 + ",\"bytes\":" + bytes + ",\"decoded_chars\":" + chars + "}");
    }

    private static int skipTuple(byte[] a, int pos) {
        int n = ((a[pos] & 0xff) << 8) | (a[pos + 1] & 0xff);
        pos += 2;
        for (int i = 0; i < n; i++) {
            byte k = a[pos++];
            if (k == 't' || k == 'b') {
                int len = ((a[pos] & 0xff) << 24) | ((a[pos + 1] & 0xff) << 16) | ((a[pos + 2] & 0xff) << 8) | (a[pos + 3] & 0xff);
                pos += 4 + len;
            }
        }
        return pos;
    }

    private static long decodeTuple(byte[] a, int pos) {
        int n = ((a[pos] & 0xff) << 8) | (a[pos + 1] & 0xff);
        pos += 2;
        long chars = 0;
        for (int i = 0; i < n; i++) {
            byte k = a[pos++];
            if (k == 't' || k == 'b') {
                int len = ((a[pos] & 0xff) << 24) | ((a[pos + 1] & 0xff) << 16) | ((a[pos + 2] & 0xff) << 8) | (a[pos + 3] & 0xff);
                pos += 4;
                String v = new String(a, pos, len, StandardCharsets.UTF_8);
                chars += v.length();
                pos += len;
            }
        }
        return chars;
    }
}
