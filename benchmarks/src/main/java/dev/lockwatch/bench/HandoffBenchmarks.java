package dev.lockwatch.bench;

import java.util.concurrent.Callable;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Supplier;

import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Warmup;

/**
 * Cross-thread hand-offs to a single worker thread: the round trip includes the executor's
 * internal queue locking and the caller parking until the result is ready, which is where an
 * agent that tracks waits and ownership adds cost.
 *
 * <p>Annotation values are the defaults when run through plain JMH; {@link CompareRunner}
 * overrides them from its own options.
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Warmup(iterations = 3, time = 1, timeUnit = TimeUnit.SECONDS)
@Measurement(iterations = 5, time = 1, timeUnit = TimeUnit.SECONDS)
@Fork(value = 1, jvmArgs = {"-Xms1g", "-Xmx1g"})
public class HandoffBenchmarks {

    private ExecutorService executor;
    private long counter;

    private final Callable<Long> task = () -> ++counter;
    private final Supplier<Long> supplier = () -> ++counter;

    @Setup(Level.Trial)
    public void setUp() {
        AtomicInteger n = new AtomicInteger();
        executor = Executors.newSingleThreadExecutor(r -> {
            Thread t = new Thread(r, "bench-worker-" + n.incrementAndGet());
            t.setDaemon(true); // never keep the fork alive if tear-down is skipped
            return t;
        });
    }

    @TearDown(Level.Trial)
    public void tearDown() throws InterruptedException {
        executor.shutdown();
        if (!executor.awaitTermination(10, TimeUnit.SECONDS)) {
            executor.shutdownNow();
        }
    }

    @Benchmark
    public long submitGet() throws InterruptedException, ExecutionException {
        return executor.submit(task).get();
    }

    /** Tasks per batch in the batched variants. */
    private static final int BATCH = 64;
    private final java.util.List<java.util.concurrent.Future<Long>> futures = new java.util.ArrayList<>(BATCH);
    private final java.util.List<CompletableFuture<Long>> stages = new java.util.ArrayList<>(BATCH);

    /**
     * {@value #BATCH} submissions, then a {@code get} of each: the worker stays busy and the caller mostly finds
     * results ready or parks once, so the thread wake-ups that make single round trips so noisy are amortized.
     * Reported per batch.
     */
    @Benchmark
    public long submitGetBatch() throws InterruptedException, ExecutionException {
        futures.clear();
        for (int i = 0; i < BATCH; i++) {
            futures.add(executor.submit(task));
        }
        long sum = 0;
        for (java.util.concurrent.Future<Long> f : futures) {
            sum += f.get();
        }
        return sum;
    }

    /** {@value #BATCH} chains started, then joined; reported per batch. */
    @Benchmark
    public long completableFutureChainBatch() {
        stages.clear();
        for (int i = 0; i < BATCH; i++) {
            stages.add(CompletableFuture.supplyAsync(supplier, executor).thenApply(v -> v + 1).thenApply(v -> v * 2));
        }
        long sum = 0;
        for (CompletableFuture<Long> f : stages) {
            sum += f.join();
        }
        return sum;
    }

    /**
     * The same hand-off without a second thread: the task runs in the caller ({@code FutureTask.run}, then a
     * {@code get} of a done future). Every piece of advice on the path runs, but no thread wakes up, so the
     * agent's cost is not drowned in scheduling noise (a cross-thread round trip varies by tens of µs).
     */
    @Benchmark
    public long futureTaskRunThenGet() throws InterruptedException, ExecutionException {
        java.util.concurrent.FutureTask<Long> f = new java.util.concurrent.FutureTask<>(task);
        f.run();
        return f.get();
    }

    /** The chain below on a direct executor: its async stage runs in the caller (advice included). */
    @Benchmark
    public long completableFutureChainDirect() {
        return CompletableFuture.supplyAsync(supplier, Runnable::run)
                .thenApply(v -> v + 1)
                .thenApply(v -> v * 2)
                .join();
    }

    private final java.util.ArrayDeque<Runnable> deferred = new java.util.ArrayDeque<>();
    private final java.util.concurrent.Executor deferredExecutor = deferred::add;

    /**
     * The pool chain's path without a second thread: the asynchronous stage is queued, the two dependent stages are
     * registered on a stage not done yet (as on a pool), then the caller runs the queued task, which completes the
     * stage and fires the dependents; the join finds the chain done. Every piece of advice of the pool chain runs
     * except the wait and the pool's own submission, and no thread wakes up.
     */
    @Benchmark
    public long completableFutureChainDeferred() {
        CompletableFuture<Long> f = CompletableFuture.supplyAsync(supplier, deferredExecutor)
                .thenApply(v -> v + 1)
                .thenApply(v -> v * 2);
        deferred.poll().run();
        return f.join();
    }

    @Benchmark
    public long completableFutureChain() {
        return CompletableFuture.supplyAsync(supplier, executor)
                .thenApply(v -> v + 1)
                .thenApply(v -> v * 2)
                .join();
    }

    /**
     * A control, for runs without the agent: {@link #completableFutureChain} plus about as much plain work in the
     * caller, between the chain's set-up and its join, as the agent's advice does on that path (about 100 ns).
     * On one core it shows how much a round trip moves when the caller merely works a little longer.
     */
    @Benchmark
    public long completableFutureChainCallerWork() {
        CompletableFuture<Long> f = CompletableFuture.supplyAsync(supplier, executor)
                .thenApply(v -> v + 1)
                .thenApply(v -> v * 2);
        org.openjdk.jmh.infra.Blackhole.consumeCPU(CALLER_WORK_TOKENS);
        return f.join();
    }

    /** Blackhole.consumeCPU tokens for about 100 ns on this project's machine (40 tokens measured 57 ns). */
    private static final long CALLER_WORK_TOKENS = 70;
}
