package dev.lockwatch.it.apps;

import java.util.concurrent.CountDownLatch;
import java.util.concurrent.locks.ReentrantLock;

/** The body of one side of a lock-order deadlock: take {@code first}, wait until every side holds its own, take {@code second}. */
public final class Abba {
    private Abba() {
    }

    public static void lockBoth(ReentrantLock first, ReentrantLock second, CountDownLatch holding) {
        first.lock();
        holding.countDown();
        try {
            holding.await();
        } catch (InterruptedException e) {
            return;
        }
        second.lock();
    }
}
