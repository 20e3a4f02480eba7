package dev.lockwatch.demo;

import java.util.concurrent.locks.ReentrantLock;

/** Two ReentrantLocks taken in opposite order; one is fair, since fair and non-fair locks queue differently. */
final class LockAbba implements Scenario {

    private final ReentrantLock a = new ReentrantLock(true);
    private final ReentrantLock b = new ReentrantLock();
    private final DeadlockRun deadlock = new DeadlockRun();

    @Override
    public String name() {
        return "lock-abba";
    }

    @Override
    public String description() {
        return "two threads lock two ReentrantLocks (one fair) in opposite order";
    }

    @Override
    public void run(Deadline end) throws InterruptedException {
        deadlock.thread("lock-A-then-B", this::aThenB)
                .thread("lock-B-then-A", this::bThenA)
                .run(name(), end);
    }

    private void aThenB() throws InterruptedException {
        a.lock();
        try {
            deadlock.firstLockHeld();
            b.lock();
            b.unlock();
        } finally {
            a.unlock();
        }
    }

    private void bThenA() throws InterruptedException {
        b.lock();
        try {
            deadlock.firstLockHeld();
            a.lock();
            a.unlock();
        } finally {
            b.unlock();
        }
    }
}
