package dev.lockwatch.demo;

import java.util.concurrent.locks.ReentrantReadWriteLock;

/**
 * Read locks are shared, yet they still block writers: each thread holds one lock's read side and wants the other's
 * write side. The JDK records no owner for read locks, so only the agent can name who holds them.
 */
final class ReadWriteCycle implements Scenario {

    private final ReentrantReadWriteLock a = new ReentrantReadWriteLock();
    private final ReentrantReadWriteLock b = new ReentrantReadWriteLock();
    private final DeadlockRun deadlock = new DeadlockRun();

    @Override
    public String name() {
        return "rw-cycle";
    }

    @Override
    public String description() {
        return "each thread holds one ReentrantReadWriteLock's read lock and wants the other's write lock";
    }

    @Override
    public void run(Deadline end) throws InterruptedException {
        deadlock.thread("rw-read-A-write-B", this::readAWriteB)
                .thread("rw-read-B-write-A", this::readBWriteA)
                .run(name(), end);
    }

    private void readAWriteB() throws InterruptedException {
        a.readLock().lock();
        try {
            deadlock.firstLockHeld();
            b.writeLock().lock();
            b.writeLock().unlock();
        } finally {
            a.readLock().unlock();
        }
    }

    private void readBWriteA() throws InterruptedException {
        b.readLock().lock();
        try {
            deadlock.firstLockHeld();
            a.writeLock().lock();
            a.writeLock().unlock();
        } finally {
            b.readLock().unlock();
        }
    }
}
