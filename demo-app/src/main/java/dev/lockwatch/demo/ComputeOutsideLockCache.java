package dev.lockwatch.demo;

import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Future;
import java.util.concurrent.locks.ReentrantLock;
import java.util.function.Function;

/**
 * {@link ComputingCache} fixed: the lock is held only to read and to insert, never while waiting for a
 * computation, so a computation may read the cache. The price is that two callers may compute the same key at
 * once; the insert checks again and keeps the first value, so every caller sees one value per key.
 */
final class ComputeOutsideLockCache<K, V> {

    private final ReentrantLock lock = new ReentrantLock();
    private final Map<K, V> values = new HashMap<>(); // guarded by lock
    private final int capacity;
    private final ExecutorService pool;
    private final Function<K, V> compute;

    /** {@code capacity}: when full, the cache starts over empty, so that a long run keeps computing. */
    ComputeOutsideLockCache(int capacity, ExecutorService pool, Function<K, V> compute) {
        this.capacity = capacity;
        this.pool = pool;
        this.compute = compute;
    }

    V getOrCompute(K key) throws InterruptedException {
        V cached = getIfPresent(key);
        if (cached != null) {
            return cached;
        }
        Future<V> computation = pool.submit(() -> compute.apply(key));
        V computed;
        try {
            computed = computation.get(); // no lock held: the computation may need it
        } catch (ExecutionException e) {
            throw new IllegalStateException("computing " + key + " failed", e.getCause());
        }
        lock.lock();
        try {
            V raced = values.get(key); // another caller may have computed the key meanwhile: keep the first value
            if (raced != null) {
                return raced;
            }
            if (values.size() >= capacity) {
                values.clear();
            }
            values.put(key, computed);
            return computed;
        } finally {
            lock.unlock();
        }
    }

    V getIfPresent(K key) {
        lock.lock();
        try {
            return values.get(key);
        } finally {
            lock.unlock();
        }
    }
}
