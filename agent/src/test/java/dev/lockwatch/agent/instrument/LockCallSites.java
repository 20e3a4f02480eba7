package dev.lockwatch.agent.instrument;

import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.Lock;
import java.util.concurrent.locks.ReentrantLock;
import java.util.concurrent.locks.ReentrantReadWriteLock;

/**
 * Input for {@link CallSiteRewriterTest}: one method per kind of lock call the rewriter replaces. Public and
 * self-contained (JDK types only), because the tests load a rewritten copy in a fresh class loader, where it is
 * in another runtime package, and call it reflectively.
 */
public final class LockCallSites {
    private LockCallSites() {
    }

    /** {@code invokevirtual ReentrantLock.lock()} and {@code unlock()}. */
    public static void lockThenUnlock(ReentrantLock lock, Runnable whileHeld) {
        lock.lock();
        try {
            whileHeld.run();
        } finally {
            lock.unlock();
        }
    }

    /** {@code invokevirtual ReentrantReadWriteLock$ReadLock.lock()} and {@code unlock()}. */
    public static void readLockThenUnlock(ReentrantReadWriteLock.ReadLock lock, Runnable whileHeld) {
        lock.lock();
        try {
            whileHeld.run();
        } finally {
            lock.unlock();
        }
    }

    /** {@code invokeinterface Lock.tryLock(long, TimeUnit)}: four stack slots before the site id is pushed. */
    public static boolean tryLockWithTimeout(Lock lock, long millis, Runnable whileHeld) throws InterruptedException {
        if (!lock.tryLock(millis, TimeUnit.MILLISECONDS)) {
            return false;
        }
        try {
            whileHeld.run();
        } finally {
            lock.unlock();
        }
        return true;
    }
}
