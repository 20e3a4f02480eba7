package dev.lockwatch.demo;

import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.locks.ReentrantLock;
import java.util.stream.Stream;

/**
 * A deadlock through a hand-off: a thread holds a ReentrantLock and waits with {@code Future.get()} for a task
 * that needs the same lock. The JVM's own deadlock check sees only one lock and no cycle; the cycle closes
 * through the future, whose task runs on the pool's worker.
 */
final class FutureLockCycle implements Scenario {

    private final ReentrantLock cacheLock = new ReentrantLock();
    private final StuckThreads stuck = new StuckThreads();
    private final PoolThreads workers = PoolThreads.named("future-lock-worker");

    @Override
    public String name() {
        return "future-lock";
    }

    @Override
    public String description() {
        return "a thread holds a ReentrantLock and waits in Future.get() for a task that needs the lock";
    }

    @Override
    public void run(Deadline end) throws InterruptedException {
        ExecutorService pool = Executors.newFixedThreadPool(1, workers);
        Thread holder = ThreadBody.daemon("lock-holder", () -> lockThenWaitForRefresh(pool));
        holder.start();
        stuck.reportUntil(name(), () -> Stream.concat(Stream.of(holder), workers.threads().stream()).toList(), end);
    }

    private void lockThenWaitForRefresh(ExecutorService pool) throws InterruptedException {
        cacheLock.lock();
        try {
            Future<?> refresh = pool.submit(this::refresh);
            // get() only once the task runs and is blocked on the lock: then it waits for a running task, every time
            stuck.await(workers::threads);
            stuck.finalWaitNext();
            refresh.get();
        } catch (ExecutionException e) {
            throw new IllegalStateException("refresh failed", e);
        } finally {
            cacheLock.unlock();
        }
    }

    private void refresh() {
        stuck.finalWaitNext();
        cacheLock.lock(); // never granted: the holder waits for this task
        cacheLock.unlock();
    }
}
