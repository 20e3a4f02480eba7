package dev.lockwatch.demo;

import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.locks.ReentrantLock;
import java.util.function.Supplier;
import java.util.stream.Stream;

/**
 * {@link FutureLockCycle} through a chain: a thread holds a ReentrantLock and joins
 * {@code supplyAsync(load, pool).thenApply(summarize)}. The stage it joins has not run yet and no task of its
 * own runs it: it completes when the asynchronous stage before it does, and that stage's task needs the lock.
 */
final class ChainLockCycle implements Scenario {

    private final ReentrantLock ledgerLock = new ReentrantLock();
    private final StuckThreads stuck = new StuckThreads();
    private final PoolThreads workers = PoolThreads.named("chain-lock-worker");

    /** The asynchronous first stage. A named class, so that reports name it. */
    private final class LoadLedger implements Supplier<int[]> {
        @Override
        public int[] get() {
            stuck.finalWaitNext();
            ledgerLock.lock(); // never granted: the holder waits for the stage after this one
            try {
                return new int[] {1, 2, 3};
            } finally {
                ledgerLock.unlock();
            }
        }
    }

    @Override
    public String name() {
        return "chain-lock";
    }

    @Override
    public String description() {
        return "a thread holds a ReentrantLock and joins supplyAsync(...).thenApply(...) whose first stage needs the lock";
    }

    @Override
    public void run(Deadline end) throws InterruptedException {
        ExecutorService pool = Executors.newFixedThreadPool(1, workers);
        Thread holder = ThreadBody.daemon("ledger-holder", () -> lockThenJoinSummary(pool));
        holder.start();
        stuck.reportUntil(name(), () -> Stream.concat(Stream.of(holder), workers.threads().stream()).toList(), end);
    }

    private void lockThenJoinSummary(ExecutorService pool) throws InterruptedException {
        ledgerLock.lock();
        try {
            CompletableFuture<Integer> summary = CompletableFuture.supplyAsync(new LoadLedger(), pool)
                    .thenApply(ChainLockCycle::summarize);
            // join() only once the first stage runs and is blocked on the lock
            stuck.await(workers::threads);
            stuck.finalWaitNext();
            summary.join();
        } finally {
            ledgerLock.unlock();
        }
    }

    private static int summarize(int[] ledger) {
        int sum = 0;
        for (int v : ledger) {
            sum += v;
        }
        return sum;
    }
}
