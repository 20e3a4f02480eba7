package dev.lockwatch.demo;

import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;

/**
 * {@link SingleThreadStarvation} with two workers: two tasks each queue a subtask on their own pool and wait for
 * it. Each subtask would start as soon as one worker is free, and neither worker ever is. The latch makes both
 * workers busy before either submits, so the subtasks always queue.
 */
final class PoolStarvation implements Scenario {

    private static final int WORKERS = 2;

    private final StuckThreads stuck = new StuckThreads();
    private final PoolThreads workers = PoolThreads.numbered("pool-worker");
    private final CountDownLatch allWorkersBusy = new CountDownLatch(WORKERS);

    /** The outer task: waits for its part, which needs a worker of the same pool. */
    private final class BatchTask implements Callable<Integer> {
        private final ExecutorService pool;

        BatchTask(ExecutorService pool) {
            this.pool = pool;
        }

        @Override
        public Integer call() throws InterruptedException, ExecutionException {
            allWorkersBusy.countDown();
            allWorkersBusy.await();
            Future<Integer> part = pool.submit(new BatchPart());
            stuck.finalWaitNext();
            return part.get(); // never returns: every worker runs a BatchTask that waits like this one
        }
    }

    private static final class BatchPart implements Callable<Integer> {
        @Override
        public Integer call() {
            return 1;
        }
    }

    @Override
    public String name() {
        return "pool-starvation";
    }

    @Override
    public String description() {
        return "every worker of a fixed pool of 2 waits for a subtask queued in the same pool";
    }

    @Override
    public void run(Deadline end) throws InterruptedException {
        ExecutorService pool = Executors.newFixedThreadPool(WORKERS, workers);
        for (int i = 0; i < WORKERS; i++) {
            pool.submit(new BatchTask(pool));
        }
        stuck.reportUntil(name(), workers::threads, end);
    }
}
