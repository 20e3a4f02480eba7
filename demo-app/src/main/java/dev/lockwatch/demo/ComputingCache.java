package dev.lockwatch.demo;

import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Future;
import java.util.concurrent.locks.ReentrantLock;
import java.util.function.Function;

/**
 * A cache that computes missing values on a pool, and the mistake this demo is about: {@link #getOrCompute} holds
 * the cache's lock while it waits for the computation, so a computation that reads the cache itself waits for the
 * lock its own caller holds. {@link ComputeOutsideLockCache} is the fixed form.
 */
final class ComputingCache<K, V> {

    private final ReentrantLock lock = new ReentrantLock();
    private final Map<K, V> values = new HashMap<>(); // guarded by lock
    private final ExecutorService pool;
    private final Function<K, V> compute;

    ComputingCache(ExecutorService pool, Function<K, V> compute) {
        this.pool = pool;
        this.compute = compute;
    }

    /** Holds the lock across the computation, so that no key is ever computed twice; that is the bug. */
    V getOrCompute(K key) throws InterruptedException {
        lock.lock();
        try {
            V value = values.get(key);
            if (value == null) {
                Future<V> computation = pool.submit(() -> compute.apply(key));
                value = computation.get();
                values.put(key, value);
            }
            return value;
        } catch (ExecutionException e) {
            throw new IllegalStateException("computing " + key + " failed", e.getCause());
        } finally {
            lock.unlock();
        }
    }
}
