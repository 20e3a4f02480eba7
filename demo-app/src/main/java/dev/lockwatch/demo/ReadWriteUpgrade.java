package dev.lockwatch.demo;

import java.util.concurrent.locks.ReentrantReadWriteLock;

/**
 * A one-thread deadlock: ReentrantReadWriteLock cannot upgrade, so the write lock waits for all readers to leave,
 * including the thread asking. The cycle is one thread waiting for itself.
 */
final class ReadWriteUpgrade implements Scenario {

    private final ReentrantReadWriteLock lock = new ReentrantReadWriteLock();
    private final DeadlockRun deadlock = new DeadlockRun();

    @Override
    public String name() {
        return "rw-upgrade";
    }

    @Override
    public String description() {
        return "one thread holds a read lock and asks for the write lock of the same ReentrantReadWriteLock";
    }

    @Override
    public void run(Deadline end) throws InterruptedException {
        deadlock.thread("rw-upgrader", this::upgrade).run(name(), end);
    }

    private void upgrade() throws InterruptedException {
        lock.readLock().lock();
        try {
            deadlock.firstLockHeld();
            lock.writeLock().lock();
            lock.writeLock().unlock();
        } finally {
            lock.readLock().unlock();
        }
    }
}
