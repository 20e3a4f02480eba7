package dev.lockwatch.demo;

import java.util.concurrent.locks.ReentrantLock;
import java.util.concurrent.locks.ReentrantReadWriteLock;

/**
 * A write lock then a lock, and the lock then the read lock of the same read-write lock: a reader queues behind a
 * writer, so this inversion deadlocks as surely as two exclusive locks.
 */
final class LockOrderReadWrite implements Scenario {

    private final ReentrantReadWriteLock table = new ReentrantReadWriteLock();
    private final ReentrantLock stats = new ReentrantLock();

    @Override
    public String name() {
        return "lock-order-rw";
    }

    @Override
    public String description() {
        return "a write lock then a lock, and the lock then the read lock, one after the other (LOCK_ORDER)";
    }

    @Override
    public void run(Deadline end) throws InterruptedException {
        new OrderRun()
                .thread("write-then-stats", this::writeThenStats)
                .thread("stats-then-read", this::statsThenRead)
                .run(name(), end);
    }

    private void writeThenStats() {
        table.writeLock().lock();
        try {
            stats.lock();
            stats.unlock();
        } finally {
            table.writeLock().unlock();
        }
    }

    private void statsThenRead() {
        stats.lock();
        try {
            table.readLock().lock();
            table.readLock().unlock();
        } finally {
            stats.unlock();
        }
    }
}
