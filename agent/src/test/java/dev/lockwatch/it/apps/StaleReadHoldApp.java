package dev.lockwatch.it.apps;

import java.util.concurrent.locks.ReentrantLock;
import java.util.concurrent.locks.ReentrantReadWriteLock;

/**
 * Thread R takes a read lock at a rewritten call site but releases it through a method reference, which is
 * not rewritten, so its record still says it reads. T1 really reads; W holds M and wants the write lock; R
 * then wants M. Nothing is stuck (T1 lets go), but R's stale read once closed a false cycle R -> W -> R.
 */
public final class StaleReadHoldApp {
    private static final ReentrantReadWriteLock S = new ReentrantReadWriteLock();
    private static final ReentrantLock M = new ReentrantLock();

    private StaleReadHoldApp() {
    }

    private static void pause(long ms) {
        try {
            Thread.sleep(ms); // shapes the interleaving only
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    public static void main(String[] args) throws Exception {
        Thread r = new Thread(() -> {
            S.readLock().lock();
            Runnable release = S.readLock()::unlock;
            release.run();
            pause(300);
            M.lock();
            M.unlock();
        }, "stale-reader");
        Thread t1 = new Thread(() -> {
            S.readLock().lock();
            pause(2500);
            S.readLock().unlock();
        }, "real-reader");
        Thread w = new Thread(() -> {
            M.lock();
            try {
                pause(100);
                S.writeLock().lock();
                S.writeLock().unlock();
            } finally {
                M.unlock();
            }
        }, "writer");
        t1.start();
        pause(50);
        w.start();
        r.start();
        r.join();
        w.join();
        t1.join();
        System.out.println("stale-read-hold: all done");
    }
}
