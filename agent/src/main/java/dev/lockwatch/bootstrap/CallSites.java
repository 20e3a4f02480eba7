package dev.lockwatch.bootstrap;

import java.util.Arrays;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.Lock;
import java.util.concurrent.locks.ReentrantLock;
import java.util.concurrent.locks.ReentrantReadWriteLock;

/**
 * Targets of rewritten application call sites. Where application code calls {@code lock()},
 * {@code lockInterruptibly()}, {@code tryLock(...)} or {@code unlock()} on a {@link Lock},
 * {@link ReentrantLock} or a {@link ReentrantReadWriteLock} read or write lock, the agent replaces the call
 * with the same-named static method here, passing the call site's id as a constant (Dl-Check's shape: the
 * site is known when the class is transformed, so no stack walk happens on the fast path).
 *
 * <p>Each method first does exactly what the replaced call did, with the same exceptions; only after the
 * lock is really acquired (or released) is the calling thread's record updated, and that update never throws.
 * Locks of other types pass straight through.
 */
public final class CallSites {
    /** Site 0 means "not recorded": taken inside JDK code, or before the agent started. */
    private static final Object SITES_LOCK = new Object();
    private static volatile String[] sites = {"(not recorded)"};
    private static int siteCount = 1;

    private CallSites() {
    }

    /** Called when a class is transformed; returns the id that the rewritten call site passes. */
    public static int register(String site) {
        synchronized (SITES_LOCK) { // private lock, taken only by the transformer
            String[] s = sites;
            if (siteCount == s.length) {
                s = Arrays.copyOf(s, s.length * 2);
            }
            s[siteCount] = site;
            sites = s;
            return siteCount++;
        }
    }

    /** The description of a site id ("com.example.Bank.transfer(Bank.java:42)"), or null. */
    public static String site(int id) {
        String[] s = sites;
        return id > 0 && id < s.length ? s[id] : null;
    }

    private static byte modeOf(Lock lock) {
        if (lock instanceof ReentrantLock || lock instanceof ReentrantReadWriteLock.WriteLock) {
            return ThreadRecord.EXCLUSIVE;
        }
        if (lock instanceof ReentrantReadWriteLock.ReadLock) {
            return ThreadRecord.READ;
        }
        return 0;
    }

    private static void acquired(Lock lock, int site) {
        try {
            byte mode = modeOf(lock);
            if (mode != 0) {
                Registry.acquired(lock, site, mode);
            }
        } catch (Throwable ignored) {
            // never hurt the host
        }
    }

    public static void lock(Lock lock, int site) {
        lock.lock();
        acquired(lock, site);
    }

    public static void lockInterruptibly(Lock lock, int site) throws InterruptedException {
        lock.lockInterruptibly();
        acquired(lock, site);
    }

    public static boolean tryLock(Lock lock, int site) {
        boolean locked = lock.tryLock();
        if (locked) {
            acquired(lock, site);
        }
        return locked;
    }

    public static boolean tryLock(Lock lock, long time, TimeUnit unit, int site) throws InterruptedException {
        boolean locked = lock.tryLock(time, unit);
        if (locked) {
            acquired(lock, site);
        }
        return locked;
    }

    public static void unlock(Lock lock) {
        lock.unlock();
        try {
            if (modeOf(lock) != 0) {
                Registry.released(lock);
            }
        } catch (Throwable ignored) {
            // never hurt the host
        }
    }
}
