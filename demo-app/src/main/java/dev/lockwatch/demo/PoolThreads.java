package dev.lockwatch.demo;

import java.util.List;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.ThreadFactory;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * The threads of one pool: daemons (stuck workers must not keep the JVM alive), named so that reports say which
 * pool they work for, and kept so that a scenario can tell when they are stuck. The list is a lock-free queue: the
 * pool adds to it while the scenario reads it, and it must add no lock of its own to what the agent sees.
 */
final class PoolThreads implements ThreadFactory {

    private final String prefix;
    private final boolean numbered;
    private final AtomicInteger created = new AtomicInteger();
    private final ConcurrentLinkedQueue<Thread> threads = new ConcurrentLinkedQueue<>();

    private PoolThreads(String prefix, boolean numbered) {
        this.prefix = prefix;
        this.numbered = numbered;
    }

    /** Every thread is called {@code name}: for a pool of one. */
    static PoolThreads named(String name) {
        return new PoolThreads(name, false);
    }

    /** {@code prefix-1}, {@code prefix-2}, ... in the order the pool creates them. */
    static PoolThreads numbered(String prefix) {
        return new PoolThreads(prefix, true);
    }

    @Override
    public Thread newThread(Runnable work) {
        String name = numbered ? prefix + "-" + created.incrementAndGet() : prefix;
        Thread thread = new Thread(work, name);
        thread.setDaemon(true);
        threads.add(thread);
        return thread;
    }

    /** The threads created so far, oldest first. */
    List<Thread> threads() {
        return List.copyOf(threads);
    }
}
