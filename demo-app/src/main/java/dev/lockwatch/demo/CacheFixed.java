package dev.lockwatch.demo;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.atomic.LongAdder;

/**
 * {@link CacheDeadlock} with the fixed cache, {@link ComputeOutsideLockCache}, run busily: several callers, many
 * keys, computations that read the cache. Must never be reported: no thread waits for a computation while it
 * holds a lock.
 */
final class CacheFixed implements Scenario {

    private static final int CALLERS = 4;
    private static final int KEYS = 20_000;
    private static final int CAPACITY = 2_000;

    private final PoolThreads workers = PoolThreads.numbered("cache-fixed-compute");
    private final LongAdder lookups = new LongAdder();
    private ComputeOutsideLockCache<Integer, Long> cache; // set before the callers start

    @Override
    public String name() {
        return "cache-fixed";
    }

    @Override
    public String description() {
        return "cache-deadlock fixed: compute outside the lock, insert with a second check; must never be reported";
    }

    @Override
    public void run(Deadline end) throws InterruptedException {
        ExecutorService pool = Executors.newFixedThreadPool(2, workers);
        cache = new ComputeOutsideLockCache<>(CAPACITY, pool, this::square);
        List<Thread> callers = new ArrayList<>();
        for (int i = 1; i <= CALLERS; i++) {
            callers.add(ThreadBody.daemon("cache-fixed-caller-" + i, () -> lookUp(end)));
        }
        callers.forEach(Thread::start);
        end.sleepUntil();
        System.out.println("demo: cache-fixed: done, " + lookups.sum() + " lookups");
    }

    private void lookUp(Deadline end) throws InterruptedException {
        while (!end.passed()) {
            int key = ThreadLocalRandom.current().nextInt(KEYS);
            if (cache.getOrCompute(key) != (long) key * key) {
                throw new IllegalStateException("wrong value for " + key);
            }
            lookups.increment();
        }
    }

    /** Runs on the pool, and reads the cache as {@link CacheDeadlock}'s computation does. */
    private Long square(Integer key) {
        Long previous = cache.getIfPresent(key - 1);
        if (previous != null && previous != (long) (key - 1) * (key - 1)) {
            throw new IllegalStateException("wrong value cached for " + (key - 1));
        }
        return (long) key * key;
    }
}
