package dev.lockwatch.demo;

import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.ReentrantLock;

/**
 * A lock held across {@code Future.get()} that is not a deadlock: the task needs no lock and completes after
 * a while, so the holder goes on. Every other thread that wants the lock waits for as long as the task runs,
 * which is what HELD_WHILE_BLOCKING warns about; there is no cycle, so there must be no DEADLOCK.
 */
final class HeldAcrossGet implements Scenario {
    /** Longer than a few watchdog checks, much shorter than the run. */
    private static final long TASK_MILLIS = 1500;

    private final ReentrantLock configLock = new ReentrantLock();
    private final PoolThreads workers = PoolThreads.named("held-across-get-worker");

    @Override
    public String name() {
        return "held-while-blocking";
    }

    @Override
    public String description() {
        return "a thread holds a ReentrantLock across Future.get() on a slow task that needs no lock (no deadlock)";
    }

    @Override
    public void run(Deadline end) throws InterruptedException {
        ExecutorService pool = Executors.newFixedThreadPool(1, workers);
        Thread holder = ThreadBody.daemon("config-reloader", () -> reloadUnderLock(pool));
        holder.start();
        holder.join();
        end.sleepUntil();
        pool.shutdown();
        System.out.println("demo: held-while-blocking: done");
    }

    private void reloadUnderLock(ExecutorService pool) throws InterruptedException {
        configLock.lock();
        try {
            Future<String> fetched = pool.submit(this::fetchSlowly);
            System.out.println("demo: held-while-blocking: got " + fetched.get() + " while holding the lock");
        } catch (ExecutionException e) {
            throw new IllegalStateException("fetch failed", e);
        } finally {
            configLock.unlock();
        }
    }

    private String fetchSlowly() throws InterruptedException {
        TimeUnit.MILLISECONDS.sleep(TASK_MILLIS);
        return "config";
    }
}
