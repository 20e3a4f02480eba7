package dev.lockwatch.demo;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.LongAdder;

/**
 * Busy hand-offs that must never be reported: many futures waited for with no lock held; tasks of pool A that wait
 * for tasks of pool B, never the other way and never for their own pool; CompletableFuture chains across both
 * pools; invokeAll; and a timed get() that times out on a slow task. Every wait is for a task that some free or
 * working thread will finish. A detector that reports anything here has a false positive.
 */
final class HealthyHandoffs implements Scenario {

    private static final int SUBMITTERS = 3;
    private static final int BATCH = 8;
    private static final long SLOW_TASK_MILLIS = 200;
    private static final long IMPATIENT_MILLIS = 50;

    private final PoolThreads outerWorkers = PoolThreads.numbered("handoff-a");
    private final PoolThreads innerWorkers = PoolThreads.numbered("handoff-b");
    private final PoolThreads slowWorkers = PoolThreads.named("handoff-slow");
    private final LongAdder futures = new LongAdder();

    @Override
    public String name() {
        return "handoff-healthy";
    }

    @Override
    public String description() {
        return "busy futures, nested pools, CompletableFuture chains, invokeAll, timed gets: must never be reported";
    }

    @Override
    public void run(Deadline end) throws InterruptedException {
        ExecutorService outer = Executors.newFixedThreadPool(3, outerWorkers);
        ExecutorService inner = Executors.newFixedThreadPool(2, innerWorkers);
        ExecutorService slow = Executors.newFixedThreadPool(1, slowWorkers);
        List<Thread> threads = new ArrayList<>();
        for (int i = 1; i <= SUBMITTERS; i++) {
            threads.add(ThreadBody.daemon("handoff-submitter-" + i, () -> submit(outer, inner, end)));
        }
        threads.add(ThreadBody.daemon("handoff-impatient", () -> waitImpatiently(slow, end)));
        threads.forEach(Thread::start);
        end.sleepUntil();
        System.out.println("demo: handoff-healthy: done, " + futures.sum() + " futures");
    }

    private void submit(ExecutorService outer, ExecutorService inner, Deadline end) throws InterruptedException {
        try {
            for (long round = 0; !end.passed(); round++) {
                switch ((int) (round % 4)) {
                    case 0 -> submitAndGet(outer);
                    case 1 -> submitNested(outer, inner);
                    case 2 -> chain(outer, inner);
                    default -> invokeAll(inner);
                }
            }
        } catch (ExecutionException e) {
            throw new IllegalStateException("a task failed", e.getCause());
        }
    }

    private void submitAndGet(ExecutorService pool) throws InterruptedException, ExecutionException {
        List<Future<Integer>> batch = new ArrayList<>();
        for (int i = 0; i < BATCH; i++) {
            int n = i;
            batch.add(pool.submit(() -> n * n));
        }
        for (Future<Integer> f : batch) {
            f.get();
            futures.increment();
        }
    }

    /** A task of the outer pool waits for a task of the inner pool: the inner pool never waits, so it always drains. */
    private void submitNested(ExecutorService outer, ExecutorService inner) throws InterruptedException, ExecutionException {
        Future<Integer> nested = outer.submit(() -> {
            Future<Integer> part = inner.submit(() -> 21);
            int value = part.get() * 2;
            futures.increment();
            return value;
        });
        nested.get();
        futures.increment();
    }

    private void chain(ExecutorService outer, ExecutorService inner) {
        CompletableFuture.supplyAsync(() -> 6, outer)
                .thenApplyAsync(n -> n * 7, inner)
                .thenApply(n -> n + 1)
                .join();
        futures.add(3);
    }

    private void invokeAll(ExecutorService pool) throws InterruptedException, ExecutionException {
        List<Callable<Integer>> tasks = new ArrayList<>();
        for (int i = 0; i < BATCH; i++) {
            int n = i;
            tasks.add(() -> n + 1);
        }
        for (Future<Integer> f : pool.invokeAll(tasks)) {
            f.get();
            futures.increment();
        }
    }

    /** get(50 ms) on a task that takes 200 ms: it times out, then the untimed get waits for a working thread. */
    private void waitImpatiently(ExecutorService slow, Deadline end) throws InterruptedException {
        while (!end.passed()) {
            Future<?> task = slow.submit(() -> {
                Thread.sleep(SLOW_TASK_MILLIS);
                return null;
            });
            try {
                task.get(IMPATIENT_MILLIS, TimeUnit.MILLISECONDS);
                throw new IllegalStateException("a " + SLOW_TASK_MILLIS + " ms task finished within " + IMPATIENT_MILLIS + " ms");
            } catch (TimeoutException e) {
                // expected: the task is still sleeping
            } catch (ExecutionException e) {
                throw new IllegalStateException("the slow task failed", e.getCause());
            }
            try {
                task.get();
            } catch (ExecutionException e) {
                throw new IllegalStateException("the slow task failed", e.getCause());
            }
            futures.increment();
        }
    }
}
