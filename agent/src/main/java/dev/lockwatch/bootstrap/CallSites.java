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

    private static void held(Object lock, int site, byte mode) {
        try {
            if (mode != 0) {
                Registry.acquired(lock, site, mode);
            }
        } catch (Throwable ignored) {
            // never hurt the host
        }
    }

    private static void released(Object lock, byte mode) {
        try {
            if (mode != 0) {
                Registry.released(lock);
            }
        } catch (Throwable ignored) {
            // never hurt the host
        }
    }

    // One set of methods per static owner type of the call site: each lock call below then has one receiver
    // type, so the JIT can inline it, as it could at the original call site. A single Lock-typed helper would
    // funnel every call site of the application through one interface call, megamorphic in a real program.

    // ---- call sites typed Lock (any implementation; only the JDK's locks are recorded) ---------------------

    public static void lock(Lock lock, int site) {
        lock.lock();
        held(lock, site, modeOf(lock));
    }

    public static void lockInterruptibly(Lock lock, int site) throws InterruptedException {
        lock.lockInterruptibly();
        held(lock, site, modeOf(lock));
    }

    public static boolean tryLock(Lock lock, int site) {
        boolean locked = lock.tryLock();
        if (locked) {
            held(lock, site, modeOf(lock));
        }
        return locked;
    }

    public static boolean tryLock(Lock lock, long time, TimeUnit unit, int site) throws InterruptedException {
        boolean locked = lock.tryLock(time, unit);
        if (locked) {
            held(lock, site, modeOf(lock));
        }
        return locked;
    }

    public static void unlock(Lock lock) {
        lock.unlock();
        released(lock, modeOf(lock));
    }

    // ---- call sites typed ReentrantLock ---------------------------------------------------------------

    public static void lock(ReentrantLock lock, int site) {
        lock.lock();
        held(lock, site, ThreadRecord.EXCLUSIVE);
    }

    public static void lockInterruptibly(ReentrantLock lock, int site) throws InterruptedException {
        lock.lockInterruptibly();
        held(lock, site, ThreadRecord.EXCLUSIVE);
    }

    public static boolean tryLock(ReentrantLock lock, int site) {
        boolean locked = lock.tryLock();
        if (locked) {
            held(lock, site, ThreadRecord.EXCLUSIVE);
        }
        return locked;
    }

    public static boolean tryLock(ReentrantLock lock, long time, TimeUnit unit, int site) throws InterruptedException {
        boolean locked = lock.tryLock(time, unit);
        if (locked) {
            held(lock, site, ThreadRecord.EXCLUSIVE);
        }
        return locked;
    }

    public static void unlock(ReentrantLock lock) {
        lock.unlock();
        released(lock, ThreadRecord.EXCLUSIVE);
    }

    // ---- call sites typed ReentrantReadWriteLock.ReadLock ------------------------------------------------

    public static void lock(ReentrantReadWriteLock.ReadLock lock, int site) {
        lock.lock();
        held(lock, site, ThreadRecord.READ);
    }

    public static void lockInterruptibly(ReentrantReadWriteLock.ReadLock lock, int site) throws InterruptedException {
        lock.lockInterruptibly();
        held(lock, site, ThreadRecord.READ);
    }

    public static boolean tryLock(ReentrantReadWriteLock.ReadLock lock, int site) {
        boolean locked = lock.tryLock();
        if (locked) {
            held(lock, site, ThreadRecord.READ);
        }
        return locked;
    }

    public static boolean tryLock(ReentrantReadWriteLock.ReadLock lock, long time, TimeUnit unit, int site)
            throws InterruptedException {
        boolean locked = lock.tryLock(time, unit);
        if (locked) {
            held(lock, site, ThreadRecord.READ);
        }
        return locked;
    }

    public static void unlock(ReentrantReadWriteLock.ReadLock lock) {
        lock.unlock();
        released(lock, ThreadRecord.READ);
    }

    // ---- call sites typed ReentrantReadWriteLock.WriteLock -----------------------------------------------

    public static void lock(ReentrantReadWriteLock.WriteLock lock, int site) {
        lock.lock();
        held(lock, site, ThreadRecord.EXCLUSIVE);
    }

    public static void lockInterruptibly(ReentrantReadWriteLock.WriteLock lock, int site) throws InterruptedException {
        lock.lockInterruptibly();
        held(lock, site, ThreadRecord.EXCLUSIVE);
    }

    public static boolean tryLock(ReentrantReadWriteLock.WriteLock lock, int site) {
        boolean locked = lock.tryLock();
        if (locked) {
            held(lock, site, ThreadRecord.EXCLUSIVE);
        }
        return locked;
    }

    public static boolean tryLock(ReentrantReadWriteLock.WriteLock lock, long time, TimeUnit unit, int site)
            throws InterruptedException {
        boolean locked = lock.tryLock(time, unit);
        if (locked) {
            held(lock, site, ThreadRecord.EXCLUSIVE);
        }
        return locked;
    }

    public static void unlock(ReentrantReadWriteLock.WriteLock lock) {
        lock.unlock();
        released(lock, ThreadRecord.EXCLUSIVE);
    }
}
