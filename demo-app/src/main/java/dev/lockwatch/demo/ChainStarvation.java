package dev.lockwatch.demo;

import java.lang.ref.Reference;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.function.Supplier;

/**
 * {@link SingleThreadStarvation} with CompletableFuture stages: a stage running on a single-thread executor
 * joins {@code supplyAsync(part, sameExecutor).thenApply(...)}. The part is queued behind the stage that waits
 * for what comes after it, on the only worker there is.
 */
final class ChainStarvation implements Scenario {

    private final StuckThreads stuck = new StuckThreads();
    private final PoolThreads workers = PoolThreads.named("chain-single-worker");

    /** The outer stage: starts a part on the same executor and joins the stage after it. */
    private final class BuildInvoice implements Runnable {
        private final ExecutorService executor;

        BuildInvoice(ExecutorService executor) {
            this.executor = executor;
        }

        @Override
        public void run() {
            CompletableFuture<Integer> total = CompletableFuture.supplyAsync(new PriceLines(), executor)
                    .thenApply(cents -> cents / 100);
            stuck.finalWaitNext();
            total.join(); // never returns: the part is queued behind this stage
        }
    }

    /** The part. */
    private static final class PriceLines implements Supplier<Integer> {
        @Override
        public Integer get() {
            return 4200;
        }
    }

    @Override
    public String name() {
        return "chain-starvation";
    }

    @Override
    public String description() {
        return "a stage on a single-thread executor joins supplyAsync(...).thenApply(...) queued on the same executor";
    }

    @Override
    public void run(Deadline end) throws InterruptedException {
        ExecutorService executor = Executors.newSingleThreadExecutor(workers);
        CompletableFuture.runAsync(new BuildInvoice(executor), executor);
        stuck.reportUntil(name(), workers::threads, end);
        Reference.reachabilityFence(executor); // the executor's wrapper shuts the pool down once unreachable
    }
}
