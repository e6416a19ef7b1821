package io.mudrock.realtime.it;

import java.time.Duration;
import java.util.concurrent.Callable;
import java.util.concurrent.locks.LockSupport;

/** Waits for a condition with a deadline, instead of sleeping for a guessed time. */
public final class Await {

    private Await() {
    }

    /**
     * Polls {@code condition} until it is true or {@code deadline} passes.
     *
     * @param what describes the condition for the failure message
     * @throws AssertionError when the deadline passes, with the last error the condition threw
     */
    public static void until(String what, Duration deadline, Callable<Boolean> condition) throws InterruptedException {
        long end = System.nanoTime() + deadline.toNanos();
        Exception last = null;
        long pause = 20;
        while (true) {
            try {
                if (Boolean.TRUE.equals(condition.call())) {
                    return;
                }
                last = null;
            } catch (Exception e) {
                last = e;
            }
            if (System.nanoTime() > end) {
                AssertionError error = new AssertionError("Timed out after " + deadline.toMillis() + " ms waiting for " + what);
                if (last != null) {
                    error.initCause(last);
                }
                throw error;
            }
            LockSupport.parkNanos(pause * 1_000_000L);
            if (Thread.interrupted()) {
                throw new InterruptedException("interrupted while waiting for " + what);
            }
            pause = Math.min(pause * 2, 250);
        }
    }
}
