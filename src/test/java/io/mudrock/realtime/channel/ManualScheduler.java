package io.mudrock.realtime.channel;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.AbstractExecutorService;
import java.util.concurrent.Callable;
import java.util.concurrent.Delayed;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;

/**
 * A scheduler for tests: {@code execute} runs at once on the caller's thread, scheduled tasks
 * wait until the test runs them with {@link #runDue(long)}, so timing is decided by the test.
 */
final class ManualScheduler extends AbstractExecutorService implements ScheduledExecutorService {

    /** A scheduled task and its delay. */
    static final class Task implements ScheduledFuture<Object> {
        final Runnable runnable;
        final long delayMillis;
        boolean cancelled;
        boolean done;

        Task(Runnable runnable, long delayMillis) {
            this.runnable = runnable;
            this.delayMillis = delayMillis;
        }

        @Override
        public long getDelay(TimeUnit unit) {
            return unit.convert(delayMillis, TimeUnit.MILLISECONDS);
        }

        @Override
        public int compareTo(Delayed o) {
            return Long.compare(delayMillis, o.getDelay(TimeUnit.MILLISECONDS));
        }

        @Override
        public boolean cancel(boolean mayInterruptIfRunning) {
            cancelled = true;
            return !done;
        }

        @Override
        public boolean isCancelled() {
            return cancelled;
        }

        @Override
        public boolean isDone() {
            return done || cancelled;
        }

        @Override
        public Object get() {
            return null;
        }

        @Override
        public Object get(long timeout, TimeUnit unit) {
            return null;
        }
    }

    final List<Task> scheduled = new ArrayList<>();

    /** Runs every pending task scheduled with at most {@code maxDelayMillis}, including ones they schedule. */
    void runDue(long maxDelayMillis) {
        boolean ran = true;
        while (ran) {
            ran = false;
            for (Task task : List.copyOf(scheduled)) {
                if (!task.isDone() && task.delayMillis <= maxDelayMillis) {
                    task.done = true;
                    scheduled.remove(task);
                    task.runnable.run();
                    ran = true;
                }
            }
        }
    }

    /** @return pending tasks */
    List<Task> pending() {
        return scheduled.stream().filter(t -> !t.isDone()).toList();
    }

    @Override
    public ScheduledFuture<?> schedule(Runnable command, long delay, TimeUnit unit) {
        Task task = new Task(command, unit.toMillis(delay));
        scheduled.add(task);
        return task;
    }

    @Override
    public <V> ScheduledFuture<V> schedule(Callable<V> callable, long delay, TimeUnit unit) {
        throw new UnsupportedOperationException();
    }

    @Override
    public ScheduledFuture<?> scheduleAtFixedRate(Runnable command, long initialDelay, long period, TimeUnit unit) {
        throw new UnsupportedOperationException();
    }

    @Override
    public ScheduledFuture<?> scheduleWithFixedDelay(Runnable command, long initialDelay, long delay, TimeUnit unit) {
        throw new UnsupportedOperationException();
    }

    @Override
    public void execute(Runnable command) {
        command.run();
    }

    @Override
    public void shutdown() {
    }

    @Override
    public List<Runnable> shutdownNow() {
        return List.of();
    }

    @Override
    public boolean isShutdown() {
        return false;
    }

    @Override
    public boolean isTerminated() {
        return false;
    }

    @Override
    public boolean awaitTermination(long timeout, TimeUnit unit) {
        return true;
    }
}
