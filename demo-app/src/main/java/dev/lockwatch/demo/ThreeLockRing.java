package dev.lockwatch.demo;

import java.util.concurrent.locks.ReentrantLock;

/** A cycle longer than two: no pair of threads is deadlocked on its own, only the ring of three is. */
final class ThreeLockRing implements Scenario {

    private final ReentrantLock lock1 = new ReentrantLock();
    private final ReentrantLock lock2 = new ReentrantLock();
    private final ReentrantLock lock3 = new ReentrantLock();
    private final DeadlockRun deadlock = new DeadlockRun();

    @Override
    public String name() {
        return "three-cycle";
    }

    @Override
    public String description() {
        return "three threads in a ring, each holding one ReentrantLock and wanting the next";
    }

    @Override
    public void run(Deadline end) throws InterruptedException {
        deadlock.thread("ring-1", () -> holdThenWant(lock1, lock2))
                .thread("ring-2", () -> holdThenWant(lock2, lock3))
                .thread("ring-3", () -> holdThenWant(lock3, lock1))
                .run(name(), end);
    }

    private void holdThenWant(ReentrantLock held, ReentrantLock wanted) throws InterruptedException {
        held.lock();
        try {
            deadlock.firstLockHeld();
            wanted.lock();
            wanted.unlock();
        } finally {
            held.unlock();
        }
    }
}
