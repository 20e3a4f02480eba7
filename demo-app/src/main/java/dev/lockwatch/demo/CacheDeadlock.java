package dev.lockwatch.demo;

import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.stream.Stream;

/**
 * {@link ComputingCache} meets a computation that reads the cache: the caller holds the cache lock while it waits
 * for the computation, and the computation waits for the cache lock. No lock order is broken in the application's
 * code; the cycle runs through the pool.
 */
final class CacheDeadlock implements Scenario {

    private static final String TAX_RATE = "tax-rate";

    private final StuckThreads stuck = new StuckThreads();
    private final PoolThreads workers = PoolThreads.numbered("cache-compute");
    private ComputingCache<String, Integer> cache; // set before the caller starts

    @Override
    public String name() {
        return "cache-deadlock";
    }

    @Override
    public String description() {
        return "a cache holds its lock while a pool computes a value, and the computation reads the cache";
    }

    @Override
    public void run(Deadline end) throws InterruptedException {
        ExecutorService pool = Executors.newFixedThreadPool(2, workers);
        cache = new ComputingCache<>(pool, this::price);
        Thread caller = ThreadBody.daemon("cache-caller", () -> {
            stuck.finalWaitNext();
            cache.getOrCompute("invoice-total");
        });
        caller.start();
        stuck.reportUntil(name(), () -> Stream.concat(Stream.of(caller), workers.threads().stream()).toList(), end);
    }

    /** Runs on the pool. Every price but the tax rate needs the tax rate, which it reads through the cache. */
    private Integer price(String key) {
        if (key.equals(TAX_RATE)) {
            return 20;
        }
        stuck.finalWaitNext();
        try {
            return 100 + cache.getOrCompute(TAX_RATE); // waits for the cache lock, which the caller holds
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while reading " + TAX_RATE, e);
        }
    }
}
