package dev.lockwatch.demo;

import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.ReentrantLock;
import java.util.concurrent.locks.ReentrantReadWriteLock;

/**
 * Lock-order cycles that cannot deadlock, one kind per scenario, each by the rule that says so: a gate lock held
 * around both orders, read locks of read-write locks never write-locked, an inner untimed {@code tryLock()} that
 * never waits, a lock re-entered while holding another, one thread alone taking both orders, and 100,000 short-lived
 * locks always taken in one order. None of them may be reported.
 */
final class LockOrderHealthy implements Scenario {
    private final String name;
    private final String description;
    private final ThreadBody[] bodies;
    private final String[] names;

    private LockOrderHealthy(String name, String description, String[] names, ThreadBody... bodies) {
        this.name = name;
        this.description = description;
        this.names = names;
        this.bodies = bodies;
    }

    @Override
    public String name() {
        return name;
    }

    @Override
    public String description() {
        return description;
    }

    @Override
    public void run(Deadline end) throws InterruptedException {
        OrderRun run = new OrderRun();
        for (int i = 0; i < bodies.length; i++) {
            run.thread(names[i], bodies[i]);
        }
        run.run(name, end);
    }

    /** Both orders, always under the same gate: no two threads can be inside at once. */
    static LockOrderHealthy gate() {
        ReentrantLock gate = new ReentrantLock();
        ReentrantLock a = new ReentrantLock();
        ReentrantLock b = new ReentrantLock();
        ThreadBody ab = () -> {
            gate.lock();
            try {
                OrderRun.nested(a, b);
            } finally {
                gate.unlock();
            }
        };
        ThreadBody ba = () -> {
            gate.lock();
            try {
                OrderRun.nested(b, a);
            } finally {
                gate.unlock();
            }
        };
        return new LockOrderHealthy("lock-order-gate", "A then B and B then A, always under one gate lock (healthy)",
                new String[] {"gated-a-then-b", "gated-b-then-a"}, ab, ba);
    }

    /** Read locks of two read-write locks that nobody write-locks: readers never block readers. */
    static LockOrderHealthy readOnly() {
        ReentrantReadWriteLock r1 = new ReentrantReadWriteLock();
        ReentrantReadWriteLock r2 = new ReentrantReadWriteLock();
        ThreadBody one = () -> {
            r1.readLock().lock();
            try {
                r2.readLock().lock();
                r2.readLock().unlock();
            } finally {
                r1.readLock().unlock();
            }
        };
        ThreadBody two = () -> {
            r2.readLock().lock();
            try {
                r1.readLock().lock();
                r1.readLock().unlock();
            } finally {
                r2.readLock().unlock();
            }
        };
        return new LockOrderHealthy("lock-order-read-only", "read locks of two read-write locks in both orders, never"
                + " write-locked (healthy)", new String[] {"reader-1-then-2", "reader-2-then-1"}, one, two);
    }

    /** The inner acquisition is an untimed tryLock: it gives up instead of waiting. */
    static LockOrderHealthy tryLock() {
        ReentrantLock a = new ReentrantLock();
        ReentrantLock b = new ReentrantLock();
        ThreadBody ab = () -> {
            a.lock();
            try {
                if (b.tryLock()) {
                    b.unlock();
                }
            } finally {
                a.unlock();
            }
        };
        ThreadBody ba = () -> {
            b.lock();
            try {
                if (a.tryLock()) {
                    a.unlock();
                }
            } finally {
                b.unlock();
            }
        };
        return new LockOrderHealthy("lock-order-trylock", "A then tryLock() of B, and B then tryLock() of A (healthy)",
                new String[] {"a-then-try-b", "b-then-try-a"}, ab, ba);
    }

    /** A lock already held, taken again under another: a re-entry never waits. */
    static LockOrderHealthy reentry() {
        ReentrantLock a = new ReentrantLock();
        ReentrantLock b = new ReentrantLock();
        Object m = new Object();
        Object n = new Object();
        ThreadBody body = () -> {
            a.lock();
            try {
                b.lock();
                try {
                    a.lock(); // held already
                    a.unlock();
                } finally {
                    b.unlock();
                }
            } finally {
                a.unlock();
            }
            synchronized (m) {
                synchronized (n) {
                    synchronized (m) { // held already
                        m.hashCode();
                    }
                }
            }
        };
        return new LockOrderHealthy("lock-order-reentry", "A, B, then A again while holding B, on two threads (healthy)",
                new String[] {"reentrant-1", "reentrant-2"}, body, body);
    }

    /** Both orders by one thread alone: one thread cannot deadlock with itself. */
    static LockOrderHealthy oneThread() {
        ReentrantLock a = new ReentrantLock();
        ReentrantLock b = new ReentrantLock();
        ThreadBody body = () -> {
            OrderRun.nested(a, b);
            OrderRun.nested(b, a);
        };
        return new LockOrderHealthy("lock-order-one-thread", "A then B and B then A, by one thread only (not reported)",
                new String[] {"only-thread"}, body);
    }

    /** 100,000 short-lived locks, always an outer one first: many orders, no cycle, nothing kept. */
    static LockOrderHealthy manyLocks() {
        ThreadBody body = () -> {
            for (int i = 0; i < 50_000; i++) {
                OrderRun.lockThenMonitor(new ReentrantLock(), new Object());
            }
        };
        return new LockOrderHealthy("lock-order-many", "100,000 short-lived locks, always taken in one order (healthy)",
                new String[] {"short-lived-1", "short-lived-2"}, body, body);
    }

    /** A timed tryLock inside: a real, recoverable wait. Reported, marked as timed. */
    static Scenario timed() {
        ReentrantLock a = new ReentrantLock();
        ReentrantLock b = new ReentrantLock();
        ThreadBody ab = () -> {
            a.lock();
            try {
                if (b.tryLock(1, TimeUnit.SECONDS)) {
                    b.unlock();
                }
            } finally {
                a.unlock();
            }
        };
        ThreadBody ba = () -> OrderRun.nested(b, a);
        return new LockOrderHealthy("lock-order-timed", "A then tryLock(1 s) of B, and B then A (LOCK_ORDER, timed)",
                new String[] {"a-then-timed-b", "b-then-a"}, ab, ba);
    }
}
