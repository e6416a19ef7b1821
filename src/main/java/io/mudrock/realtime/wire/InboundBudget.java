package io.mudrock.realtime.wire;

import java.util.concurrent.atomic.AtomicLong;

/**
 * The server-wide budget of bytes buffered for inbound messages that have not arrived whole,
 * across every socket: a client that declares a large message gets buffer only as its bytes
 * arrive, and all such buffers together stay under this limit. Each socket's parser reserves
 * through its own {@link Account}, which gives everything back when the socket ends.
 * Thread-safe.
 */
public final class InboundBudget {

    private final long limitBytes;
    private final AtomicLong reserved = new AtomicLong();

    /** @param limitBytes the most bytes all partial inbound messages may hold together */
    public InboundBudget(long limitBytes) {
        this.limitBytes = limitBytes;
    }

    /** @return a budget nothing exhausts, for parsers whose owner bounds memory otherwise */
    public static InboundBudget unlimited() {
        return new InboundBudget(Long.MAX_VALUE);
    }

    /** @return the limit */
    public long limitBytes() {
        return limitBytes;
    }

    /** @return bytes reserved now, across every account */
    public long reservedBytes() {
        return reserved.get();
    }

    /** @return a new, empty account for one socket */
    public Account open() {
        return new Account();
    }

    private boolean tryReserve(long bytes) {
        while (true) {
            long now = reserved.get();
            if (bytes > limitBytes - now) {
                return false;
            }
            if (reserved.compareAndSet(now, now + bytes)) {
                return true;
            }
        }
    }

    /** One socket's share of the budget; closing it returns everything it holds. Thread-safe. */
    public final class Account {
        private long held; // guarded by this
        private boolean closed; // guarded by this

        private Account() {
        }

        /**
         * @param bytes more bytes to hold
         * @return false when the budget (or this closed account) cannot give them
         */
        public synchronized boolean reserve(long bytes) {
            if (closed || !tryReserve(bytes)) {
                return false;
            }
            held += bytes;
            return true;
        }

        /** @param bytes bytes given back (at most what is held) */
        public synchronized void release(long bytes) {
            long given = Math.min(bytes, held);
            held -= given;
            reserved.addAndGet(-given);
        }

        /** @return bytes this account holds */
        public synchronized long held() {
            return held;
        }

        /** Gives everything back; later reservations fail. */
        public synchronized void close() {
            closed = true;
            release(held);
        }
    }
}
