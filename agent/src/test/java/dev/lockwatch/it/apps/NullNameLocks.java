package dev.lockwatch.it.apps;

import java.util.concurrent.CountDownLatch;
import java.util.concurrent.locks.ReentrantLock;

/** Loaded by {@link NullNameClassApp} without a name: two threads take two locks in opposite orders and deadlock. */
public final class NullNameLocks implements Runnable {
    private final ReentrantLock first = new ReentrantLock();
    private final ReentrantLock second = new ReentrantLock();
    private final CountDownLatch holding = new CountDownLatch(2);

    @Override
    public void run() {
        Thread t1 = new Thread(() -> both(first, second), "nameless-A-then-B");
        Thread t2 = new Thread(() -> both(second, first), "nameless-B-then-A");
        t1.start();
        t2.start();
    }

    /** Its own lock calls, not {@link Abba}'s: the sites in the report must be this nameless class's. */
    private void both(ReentrantLock a, ReentrantLock b) {
        a.lock();
        holding.countDown();
        try {
            holding.await();
        } catch (InterruptedException e) {
            return;
        }
        b.lock();
    }
}
