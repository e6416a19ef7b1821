package io.mudrock.realtime.stream;

import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;
import java.util.function.BooleanSupplier;

/** The wait of a stream task before it reconnects, cut short when the task is asked to stop. */
final class ReconnectPause {

    private ReconnectPause() {
    }

    /**
     * Waits {@code millis}, looking at {@code stopRequested} every 50 ms.
     *
     * @return true if the full pause elapsed; false when stopped or interrupted
     */
    static boolean pause(long millis, BooleanSupplier stopRequested) {
        long end = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(millis);
        while (!stopRequested.getAsBoolean() && System.nanoTime() < end) {
            LockSupport.parkNanos(Math.min(TimeUnit.MILLISECONDS.toNanos(50), end - System.nanoTime()));
            if (Thread.currentThread().isInterrupted()) {
                return false;
            }
        }
        return !stopRequested.getAsBoolean();
    }
}
