package io.mudrock.bench;

import java.io.Closeable;
import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.StandardSocketOptions;
import java.nio.ByteBuffer;
import java.nio.channels.SelectionKey;
import java.nio.channels.Selector;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Consumer;

/**
 * A lean WebSocket client for the Phoenix channel protocol (vsn 2.0.0), built for tens of
 * thousands of connections from one process: non-blocking NIO on one event-loop thread, one
 * shared read buffer (a connection keeps bytes only while a frame is split across reads), no
 * per-connection thread or buffer pool, and each socket bound to one of several loopback source
 * addresses (127.0.0.2, 127.0.0.3, ...) so no single address runs short of ephemeral ports.
 *
 * <p>Why not {@code java.net.http.WebSocket}: on Java 17 it cannot bind a source address, and each
 * socket carries an HttpClient's buffers and futures (tens of KB) — the load generator would run
 * out of ports and memory before the server does.
 *
 * <p>Frames to the server are masked with the all-zero key (valid per RFC 6455 §5.3; the server
 * cannot tell), so masking costs the client nothing.
 */
public final class WsClient implements Closeable {

    /** Receives every data frame; {@code buf[pos, pos+len)} is valid only during the call. */
    public interface Listener {
        void onFrame(Conn conn, boolean binary, ByteBuffer buf, int pos, int len);

        default void onJoined(Conn conn) {
        }

        default void onClosed(Conn conn, String reason) {
        }
    }

    public static final int CONNECTING = 0, HANDSHAKE = 1, JOINING = 2, JOINED = 3, FAILED = 4, CLOSED = 5;

    public final class Conn {
        final int id;
        final SocketChannel ch;
        SelectionKey key;
        int state = CONNECTING;
        ByteBuffer partial;
        ByteBuffer fragments;
        boolean fragmentsBinary;
        final ArrayDeque<ByteBuffer> out = new ArrayDeque<>(0);
        final String topic;
        final String joinPayload;
        int ref = 1;
        long startNanos;
        long joinedNanos;
        long nextHeartbeatNanos;
        String failure;
        public Object attachment;

        Conn(int id, SocketChannel ch, String topic, String joinPayload) {
            this.id = id;
            this.ch = ch;
            this.topic = topic;
            this.joinPayload = joinPayload;
        }

        public int id() {
            return id;
        }

        public String topic() {
            return topic;
        }

        public int state() {
            return state;
        }

        public String failure() {
            return failure;
        }

        public long connectJoinNanos() {
            return joinedNanos - startNanos;
        }

        String nextRef() {
            return Integer.toString(++ref);
        }
    }

    private static final byte[] HEARTBEAT_HEAD = "[null,\"".getBytes(StandardCharsets.US_ASCII);
    private static final byte[] HEARTBEAT_TAIL = "\",\"phoenix\",\"heartbeat\",{}]".getBytes(StandardCharsets.US_ASCII);
    private static final long HEARTBEAT_NANOS = TimeUnit.SECONDS.toNanos(25);

    private final Selector selector;
    private final InetSocketAddress server;
    private final String requestHead;
    private final List<InetAddress> sources;
    private final int perSource;
    private final Listener listener;
    private final ByteBuffer rbuf = ByteBuffer.allocateDirect(4 << 20);
    private final List<Conn> conns = new ArrayList<>();
    private final ConcurrentLinkedQueue<Runnable> tasks = new ConcurrentLinkedQueue<>();
    private final Thread loop;
    private volatile boolean running = true;
    private volatile Runnable tick;
    private int hbCursor;
    private final AtomicInteger joined = new AtomicInteger();
    private final AtomicInteger failed = new AtomicInteger();
    private final AtomicInteger open = new AtomicInteger();
    private volatile String lastFailure;

    /**
     * @param host        server host (127.0.0.1)
     * @param port        server port
     * @param pathAndQuery e.g. {@code /realtime/v1/websocket?apikey=...&vsn=2.0.0}
     * @param sourceCount how many loopback source addresses to spread sockets over (127.0.0.2 ...)
     * @param perSource   sockets per source address before moving to the next
     */
    public WsClient(String host, int port, String pathAndQuery, int sourceCount, int perSource, Listener listener)
            throws IOException {
        this(host, port, pathAndQuery, sourceCount, 0, perSource, listener);
    }

    /** @param sourceOffset first source address is 127.0.0.(2 + sourceOffset) */
    public WsClient(String host, int port, String pathAndQuery, int sourceCount, int sourceOffset, int perSource,
                    Listener listener) throws IOException {
        this.selector = Selector.open();
        this.server = new InetSocketAddress(host, port);
        this.requestHead = "GET " + pathAndQuery + " HTTP/1.1\r\nHost: " + host + ":" + port
                + "\r\nUpgrade: websocket\r\nConnection: Upgrade\r\nSec-WebSocket-Version: 13\r\nSec-WebSocket-Key: ";
        this.sources = new ArrayList<>();
        for (int i = 0; i < Math.max(1, sourceCount); i++) {
            sources.add(InetAddress.getByAddress(new byte[]{127, 0, 0, (byte) (2 + sourceOffset + i)}));
        }
        this.perSource = perSource;
        this.listener = listener;
        this.loop = new Thread(this::run, "ws-client-loop");
        loop.setDaemon(true);
        loop.start();
    }

    public int joinedCount() {
        return joined.get();
    }

    public int failedCount() {
        return failed.get();
    }

    public int openCount() {
        return open.get();
    }

    public String lastFailure() {
        return lastFailure;
    }

    public List<Conn> conns() {
        return conns;
    }

    /** Runs on the loop thread each iteration (about every millisecond while set). */
    public void setTick(Runnable tick) {
        this.tick = tick;
        selector.wakeup();
    }

    public void execute(Runnable r) {
        tasks.add(r);
        selector.wakeup();
    }

    /** Runs r on the loop thread and waits. */
    public void executeAndWait(Runnable r) throws InterruptedException {
        CountDownLatch done = new CountDownLatch(1);
        execute(() -> {
            try {
                r.run();
            } finally {
                done.countDown();
            }
        });
        done.await();
    }

    /**
     * Opens {@code n} more connections, each joining {@code topicOf(i)} with the given join
     * payload, keeping at most {@code inFlight} of them between connect and join reply. Returns
     * when every one has joined or failed, or on timeout.
     */
    public void openAndJoin(int n, int inFlight, java.util.function.IntFunction<String> topicOf,
                            java.util.function.IntFunction<String> payloadOf, long timeoutMs) throws InterruptedException {
        int target = joined.get() + failed.get() + n;
        int[] started = {0};
        long deadline = System.currentTimeMillis() + timeoutMs;
        Runnable pump = () -> {
            int pending = 0;
            for (int i = Math.max(0, conns.size() - inFlight * 2); i < conns.size(); i++) {
                int s = conns.get(i).state;
                if (s < JOINED) {
                    pending++;
                }
            }
            while (started[0] < n && pending < inFlight) {
                int idx = conns.size();
                try {
                    connect(topicOf.apply(idx), payloadOf.apply(idx));
                } catch (IOException e) {
                    lastFailure = "connect: " + e;
                    failed.incrementAndGet();
                }
                started[0]++;
                pending++;
            }
        };
        Runnable prev = tick;
        setTick(() -> {
            pump.run();
            if (prev != null) {
                prev.run();
            }
        });
        while (System.currentTimeMillis() < deadline) {
            if (joined.get() + failed.get() >= target) {
                break;
            }
            Thread.sleep(20);
        }
        setTick(prev);
    }

    private void connect(String topic, String payload) throws IOException {
        SocketChannel ch = SocketChannel.open();
        Conn c = new Conn(conns.size(), ch, topic, payload);
        conns.add(c);
        c.startNanos = System.nanoTime();
        try {
            ch.configureBlocking(false);
            ch.setOption(StandardSocketOptions.TCP_NODELAY, true);
            ch.bind(new InetSocketAddress(sources.get(Math.min(sources.size() - 1, c.id / perSource)), 0));
            c.key = ch.register(selector, SelectionKey.OP_CONNECT, c);
            if (ch.connect(server)) {
                onConnected(c);
            }
        } catch (IOException e) {
            fail(c, "connect: " + e.getMessage());
        }
    }

    private void onConnected(Conn c) throws IOException {
        byte[] key = new byte[16];
        java.util.concurrent.ThreadLocalRandom.current().nextBytes(key);
        String req = requestHead + Base64.getEncoder().encodeToString(key) + "\r\n\r\n";
        c.state = HANDSHAKE;
        c.key.interestOps(SelectionKey.OP_READ);
        write(c, ByteBuffer.wrap(req.getBytes(StandardCharsets.US_ASCII)));
    }

    private void run() {
        try {
            while (running) {
                Runnable t = tick;
                // select(Consumer) hands over ready keys without the selected-key set's add/remove
                selector.select(this::onReady, t == null ? 50 : 1);
                Runnable r;
                while ((r = tasks.poll()) != null) {
                    r.run();
                }
                t = tick;
                if (t != null) {
                    t.run();
                }
                heartbeats();
            }
        } catch (IOException e) {
            lastFailure = "selector: " + e;
        }
    }

    private void onReady(SelectionKey k) {
        Conn c = (Conn) k.attachment();
        try {
            if (!k.isValid()) {
                return;
            }
            if (k.isConnectable()) {
                if (c.ch.finishConnect()) {
                    onConnected(c);
                }
                return;
            }
            if (k.isWritable()) {
                flush(c);
            }
            if (k.isValid() && k.isReadable()) {
                read(c);
            }
        } catch (IOException | RuntimeException e) {
            fail(c, e.toString());
        }
    }

    private void heartbeats() {
        int n = conns.size();
        if (n == 0) {
            return;
        }
        long now = System.nanoTime();
        for (int i = 0; i < Math.min(n, 256); i++) {
            if (hbCursor >= n) {
                hbCursor = 0;
            }
            Conn c = conns.get(hbCursor++);
            if (c.state == JOINED && now >= c.nextHeartbeatNanos) {
                c.nextHeartbeatNanos = now + HEARTBEAT_NANOS;
                byte[] ref = c.nextRef().getBytes(StandardCharsets.US_ASCII);
                byte[] msg = new byte[HEARTBEAT_HEAD.length + ref.length + HEARTBEAT_TAIL.length];
                System.arraycopy(HEARTBEAT_HEAD, 0, msg, 0, HEARTBEAT_HEAD.length);
                System.arraycopy(ref, 0, msg, HEARTBEAT_HEAD.length, ref.length);
                System.arraycopy(HEARTBEAT_TAIL, 0, msg, HEARTBEAT_HEAD.length + ref.length, HEARTBEAT_TAIL.length);
                sendFrame(c, false, msg);
            }
        }
    }

    private void read(Conn c) throws IOException {
        rbuf.clear();
        if (c.partial != null) {
            rbuf.put(c.partial);
            c.partial = null;
        }
        int n = c.ch.read(rbuf);
        if (n < 0) {
            close(c, "server closed the connection");
            return;
        }
        rbuf.flip();
        if (c.state == HANDSHAKE) {
            int end = indexOf(rbuf, rbuf.position(), rbuf.limit(), "\r\n\r\n".getBytes(StandardCharsets.US_ASCII));
            if (end < 0) {
                keepRest(c);
                return;
            }
            String head = ascii(rbuf, rbuf.position(), end);
            if (!head.startsWith("HTTP/1.1 101")) {
                int bodyLen = rbuf.limit() - end - 4;
                String body = bodyLen > 0 ? ascii(rbuf, end + 4, Math.min(bodyLen, 300)) : "";
                fail(c, ("handshake refused: " + head.split("\r\n")[0] + " " + body).replaceAll("\\s+", " ").trim());
                return;
            }
            rbuf.position(end + 4);
            c.state = JOINING;
            open.incrementAndGet();
            sendFrame(c, false, ("[\"1\",\"1\",\"" + c.topic + "\",\"phx_join\"," + c.joinPayload + "]")
                    .getBytes(StandardCharsets.UTF_8));
        }
        parseFrames(c);
    }

    private void keepRest(Conn c) {
        if (rbuf.hasRemaining()) {
            ByteBuffer p = ByteBuffer.allocate(rbuf.remaining());
            p.put(rbuf).flip();
            c.partial = p;
        }
    }

    private void parseFrames(Conn c) throws IOException {
        ByteBuffer b = rbuf;
        while (true) {
            int start = b.position();
            int avail = b.limit() - start;
            if (avail < 2) {
                break;
            }
            int b0 = b.get(start) & 0xff;
            int b1 = b.get(start + 1) & 0xff;
            int hdr = 2;
            long len = b1 & 0x7f;
            if (len == 126) {
                if (avail < 4) {
                    break;
                }
                len = ((b.get(start + 2) & 0xff) << 8) | (b.get(start + 3) & 0xff);
                hdr = 4;
            } else if (len == 127) {
                if (avail < 10) {
                    break;
                }
                len = b.getLong(start + 2);
                hdr = 10;
            }
            if ((b1 & 0x80) != 0) {
                hdr += 4; // servers never mask, but skip a key if one is there
            }
            if (len + hdr > b.capacity()) {
                throw new IOException("frame of " + len + " bytes is larger than the client's read buffer");
            }
            if (avail < hdr + len) {
                break;
            }
            int pos = start + hdr;
            int plen = (int) len;
            boolean fin = (b0 & 0x80) != 0;
            int op = b0 & 0x0f;
            b.position(pos + plen);
            switch (op) {
                case 0x1, 0x2 -> {
                    if (fin) {
                        deliver(c, op == 0x2, b, pos, plen);
                    } else {
                        c.fragmentsBinary = op == 0x2;
                        c.fragments = append(null, b, pos, plen);
                    }
                }
                case 0x0 -> {
                    c.fragments = append(c.fragments, b, pos, plen);
                    if (fin) {
                        ByteBuffer f = c.fragments;
                        c.fragments = null;
                        deliver(c, c.fragmentsBinary, f, 0, f.position());
                    }
                }
                case 0x8 -> {
                    String reason = plen > 2 ? ascii(b, pos + 2, plen - 2) : "";
                    int code = plen >= 2 ? ((b.get(pos) & 0xff) << 8) | (b.get(pos + 1) & 0xff) : 1005;
                    close(c, "close frame " + code + " " + reason);
                    return;
                }
                case 0x9 -> {
                    byte[] p = new byte[plen];
                    b.get(pos, p);
                    sendRaw(c, 0x8A, p);
                }
                default -> {
                    // pong or reserved: ignore
                }
            }
        }
        keepRest(c);
    }

    private static ByteBuffer append(ByteBuffer acc, ByteBuffer src, int pos, int len) {
        if (acc == null) {
            acc = ByteBuffer.allocate(Math.max(1024, len * 2));
        }
        if (acc.remaining() < len) {
            ByteBuffer bigger = ByteBuffer.allocate((acc.position() + len) * 2);
            acc.flip();
            bigger.put(acc);
            acc = bigger;
        }
        for (int i = 0; i < len; i++) {
            acc.put(src.get(pos + i));
        }
        return acc;
    }

    private static final byte[] REPLY = "\"phx_reply\"".getBytes(StandardCharsets.US_ASCII);
    private static final byte[] STATUS_OK = "\"status\":\"ok\"".getBytes(StandardCharsets.US_ASCII);
    private static final byte[] JOIN_REF_ONE = "[\"1\",\"1\",".getBytes(StandardCharsets.US_ASCII);

    private void deliver(Conn c, boolean binary, ByteBuffer b, int pos, int len) {
        if (c.state == JOINING && !binary && startsWith(b, pos, len, JOIN_REF_ONE)
                && indexOf(b, pos, pos + len, REPLY) >= 0) {
            if (indexOf(b, pos, pos + len, STATUS_OK) >= 0) {
                c.state = JOINED;
                c.joinedNanos = System.nanoTime();
                c.nextHeartbeatNanos = c.joinedNanos + HEARTBEAT_NANOS;
                joined.incrementAndGet();
                listener.onJoined(c);
            } else {
                fail(c, "join refused: " + ascii(b, pos, Math.min(len, 400)));
            }
            return;
        }
        listener.onFrame(c, binary, b, pos, len);
    }

    /** Sends a text (JSON array) frame on the loop thread. */
    public void sendText(Conn c, byte[] payload) {
        sendFrame(c, false, payload);
    }

    public void sendBinary(Conn c, byte[] payload) {
        sendFrame(c, true, payload);
    }

    private void sendFrame(Conn c, boolean binary, byte[] payload) {
        sendRaw(c, binary ? 0x82 : 0x81, payload);
    }

    private void sendRaw(Conn c, int firstByte, byte[] payload) {
        if (c.state >= FAILED) {
            return;
        }
        int len = payload.length;
        int hdr = len < 126 ? 2 : len < 65536 ? 4 : 10;
        ByteBuffer f = ByteBuffer.allocate(hdr + 4 + len);
        f.put((byte) firstByte);
        if (len < 126) {
            f.put((byte) (0x80 | len));
        } else if (len < 65536) {
            f.put((byte) (0x80 | 126)).putShort((short) len);
        } else {
            f.put((byte) (0x80 | 127)).putLong(len);
        }
        f.putInt(0); // masking key 0: XOR with zero leaves the payload as is
        f.put(payload).flip();
        try {
            write(c, f);
        } catch (IOException e) {
            fail(c, "write: " + e.getMessage());
        }
    }

    private void write(Conn c, ByteBuffer f) throws IOException {
        if (c.out.isEmpty()) {
            c.ch.write(f);
            if (!f.hasRemaining()) {
                return;
            }
            c.key.interestOps(c.key.interestOps() | SelectionKey.OP_WRITE);
        }
        c.out.add(f);
    }

    private void flush(Conn c) throws IOException {
        while (!c.out.isEmpty()) {
            ByteBuffer f = c.out.peek();
            c.ch.write(f);
            if (f.hasRemaining()) {
                return;
            }
            c.out.poll();
        }
        c.key.interestOps(c.key.interestOps() & ~SelectionKey.OP_WRITE);
    }

    private void fail(Conn c, String reason) {
        boolean wasOpen = c.state == JOINING || c.state == JOINED;
        if (c.state < FAILED) {
            if (c.state < JOINED) {
                failed.incrementAndGet();
            } else {
                joined.decrementAndGet();
            }
            c.state = FAILED;
            c.failure = reason;
            lastFailure = reason;
        }
        if (wasOpen) {
            open.decrementAndGet();
        }
        try {
            c.ch.close();
        } catch (IOException e) {
            // closing anyway
        }
        listener.onClosed(c, reason);
    }

    private void close(Conn c, String reason) {
        fail(c, reason);
    }

    /** Closes every connection (on the loop thread) and stops the loop. */
    @Override
    public void close() {
        try {
            executeAndWait(() -> {
                for (Conn c : conns) {
                    try {
                        c.ch.close();
                    } catch (IOException e) {
                        // ignore
                    }
                    c.state = CLOSED;
                }
            });
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        running = false;
        selector.wakeup();
        try {
            loop.join(5000);
            selector.close();
        } catch (Exception e) {
            // ignore
        }
    }

    // ---- byte helpers -------------------------------------------------------------------

    public static int indexOf(ByteBuffer b, int from, int to, byte[] needle) {
        int last = to - needle.length;
        byte first = needle[0];
        outer:
        for (int i = from; i <= last; i++) {
            if (b.get(i) != first) {
                continue;
            }
            for (int j = 1; j < needle.length; j++) {
                if (b.get(i + j) != needle[j]) {
                    continue outer;
                }
            }
            return i;
        }
        return -1;
    }

    public static boolean startsWith(ByteBuffer b, int pos, int len, byte[] prefix) {
        if (len < prefix.length) {
            return false;
        }
        for (int i = 0; i < prefix.length; i++) {
            if (b.get(pos + i) != prefix[i]) {
                return false;
            }
        }
        return true;
    }

    /** The non-negative decimal number right after {@code key}, or -1. */
    public static long longAfter(ByteBuffer b, int from, int to, byte[] key) {
        int i = indexOf(b, from, to, key);
        if (i < 0) {
            return -1;
        }
        long v = 0;
        boolean any = false;
        for (int p = i + key.length; p < to; p++) {
            int d = b.get(p) - '0';
            if (d < 0 || d > 9) {
                break;
            }
            v = v * 10 + d;
            any = true;
        }
        return any ? v : -1;
    }

    public static String ascii(ByteBuffer b, int pos, int len) {
        byte[] a = new byte[len];
        b.get(pos, a);
        return new String(a, StandardCharsets.UTF_8);
    }

    public static Consumer<String> noop() {
        return s -> {
        };
    }
}
