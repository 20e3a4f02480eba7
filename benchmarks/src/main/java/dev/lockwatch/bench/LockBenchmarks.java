package dev.lockwatch.bench;

import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.ReentrantLock;
import java.util.concurrent.locks.ReentrantReadWriteLock;

import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Threads;
import org.openjdk.jmh.annotations.Warmup;

/**
 * Lock acquire/release: uncontended and single-threaded, except {@link #contendedReentrantLock}.
 *
 * <p>The agent rewrites <em>application call sites</em> of {@code lock()}/{@code unlock()}, so every
 * lock call is made directly in the benchmark method (never through a helper in another class).
 * Call-site shapes used here: {@code invokevirtual ReentrantLock.lock/unlock},
 * {@code invokevirtual ReentrantReadWriteLock$ReadLock.lock/unlock}, and a plain
 * {@code monitorenter/monitorexit} for the {@code synchronized} blocks.
 *
 * <p>Each body increments a field and returns it, so JMH consumes the value and the JIT cannot
 * drop the critical section as dead code.
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
public class LockBenchmarks {

    private final ReentrantLock lock = new ReentrantLock(); // non-fair (the default)
    private final ReentrantLock outer = new ReentrantLock();
    private final ReentrantLock inner = new ReentrantLock();
    private final ReentrantReadWriteLock rwLock = new ReentrantReadWriteLock();
    private final ReentrantReadWriteLock.ReadLock readLock = rwLock.readLock();
    private final Object monitor = new Object();
    private final Object outerMonitor = new Object();
    private final Object innerMonitor = new Object();

    private long counter;

    @Benchmark
    public long reentrantLock() {
        lock.lock();
        try {
            return ++counter;
        } finally {
            lock.unlock();
        }
    }

    @Benchmark
    public long nestedReentrantLocks() {
        outer.lock();
        try {
            inner.lock();
            try {
                return ++counter;
            } finally {
                inner.unlock();
            }
        } finally {
            outer.unlock();
        }
    }

    @Benchmark
    public long readLock() {
        readLock.lock();
        try {
            return ++counter;
        } finally {
            readLock.unlock();
        }
    }

    @Benchmark
    public long synchronizedBlock() {
        synchronized (monitor) {
            return ++counter;
        }
    }

    @Benchmark
    public long nestedSynchronized() {
        synchronized (outerMonitor) {
            synchronized (innerMonitor) {
                return ++counter;
            }
        }
    }

    /** One lock and its counter shared by all threads of {@link #contendedReentrantLock}. */
    @State(Scope.Benchmark)
    public static class SharedLock {
        final ReentrantLock lock = new ReentrantLock();
        long counter;
    }

    /**
     * Four threads on one lock (on this 2-core machine, more threads than cores): most acquires find the lock
     * held and spin or park, so this measures the agent on the contended path (the wait it records before
     * parking), where the uncontended benchmarks above measure the fast path. Reported per lock/unlock pair,
     * averaged over the four threads.
     */
    @Benchmark
    @Threads(4)
    public long contendedReentrantLock(SharedLock shared) {
        shared.lock.lock();
        try {
            return ++shared.counter;
        } finally {
            shared.lock.unlock();
        }
    }
}
