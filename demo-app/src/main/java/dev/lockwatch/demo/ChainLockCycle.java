package dev.lockwatch.demo;

import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.ReentrantLock;
import java.util.function.Supplier;
import java.util.stream.Stream;

/**
 * {@link FutureLockCycle} through a chain: a thread holds a ReentrantLock and joins
 * {@code supplyAsync(load, pool).thenApply(summarize)}. The stage it joins has no task of its own: it completes
 * after the asynchronous stage before it. In {@code chain-lock} that stage's task needs the lock; in
 * {@code chain-continuation} the continuation does, which the pool thread runs right after the task, as it
 * completes the first stage.
 */
final class ChainLockCycle implements Scenario {

    private final ReentrantLock ledgerLock = new ReentrantLock();
    private final StuckThreads stuck = new StuckThreads();
    private final boolean lockInContinuation;
    /** The continuation is registered: only then may the first stage complete, or the holder would run it itself. */
    private final CountDownLatch continuationRegistered = new CountDownLatch(1);
    private final PoolThreads workers;

    ChainLockCycle(boolean lockInContinuation) {
        this.lockInContinuation = lockInContinuation;
        this.workers = PoolThreads.named(name() + "-worker");
    }

    /** The asynchronous first stage. A named class, so that reports name it. */
    private final class LoadLedger implements Supplier<int[]> {
        @Override
        public int[] get() {
            if (lockInContinuation) {
                try {
                    continuationRegistered.await(10, TimeUnit.SECONDS);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
                return new int[] {1, 2, 3};
            }
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
        return lockInContinuation ? "chain-continuation" : "chain-lock";
    }

    @Override
    public String description() {
        return "a thread holds a ReentrantLock and joins supplyAsync(...).thenApply(...) whose "
                + (lockInContinuation ? "continuation" : "first stage") + " needs the lock";
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
                    .thenApply(this::summarize);
            continuationRegistered.countDown();
            // join() only once the pool thread is blocked on the lock
            stuck.await(workers::threads);
            stuck.finalWaitNext();
            summary.join();
        } finally {
            ledgerLock.unlock();
        }
    }

    private int summarize(int[] ledger) {
        if (lockInContinuation) {
            stuck.finalWaitNext();
            ledgerLock.lock(); // never granted: the holder waits for this stage
            ledgerLock.unlock();
        }
        int sum = 0;
        for (int v : ledger) {
            sum += v;
        }
        return sum;
    }
}
