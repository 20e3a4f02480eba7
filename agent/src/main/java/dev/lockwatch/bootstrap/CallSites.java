package dev.lockwatch.bootstrap;

import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.Lock;
import java.util.concurrent.locks.ReentrantLock;
import java.util.concurrent.locks.ReentrantReadWriteLock;

/**
 * Targets of rewritten application call sites. Where application code calls {@code lock()},
 * {@code lockInterruptibly()} or {@code tryLock(...)} on a {@link Lock},
 * {@link ReentrantLock} or a {@link ReentrantReadWriteLock} read or write lock, the agent replaces the call
 * with the same-named static method here, passing the call site's id as a constant (Dl-Check's shape: the
 * site is known when the class is transformed, so no stack walk happens on the fast path).
 *
 * <p>Each method first does exactly what the replaced call did, with the same exceptions; only after the
 * lock is really acquired is the calling thread's record updated, and that update never throws. {@code unlock}
 * is not rewritten at all: the JDK records exclusive owners and read counts, so a released hold is recognised
 * later (see {@link ThreadRecord}), and the release costs nothing. Locks of other types pass straight through.
 * Site ids are assigned by the agent when it rewrites a class; 0 means "not recorded".
 */
public final class CallSites {
    private CallSites() {
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

    /** How a lock was taken: with a wait that can last forever, without any wait, or with a timeout. */
    static final byte BLOCKING = 0;
    static final byte TRY = 1;
    static final byte TIMED = 2;

    private static void held(Object lock, int site, byte mode, byte how) {
        try {
            if (mode != 0) {
                Registry.held(lock, site, mode, how);
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
        held(lock, site, modeOf(lock), BLOCKING);
    }

    public static void lockInterruptibly(Lock lock, int site) throws InterruptedException {
        lock.lockInterruptibly();
        held(lock, site, modeOf(lock), BLOCKING);
    }

    public static boolean tryLock(Lock lock, int site) {
        boolean locked = lock.tryLock();
        if (locked) {
            held(lock, site, modeOf(lock), TRY);
        }
        return locked;
    }

    public static boolean tryLock(Lock lock, long time, TimeUnit unit, int site) throws InterruptedException {
        boolean locked = lock.tryLock(time, unit);
        if (locked) {
            held(lock, site, modeOf(lock), TIMED);
        }
        return locked;
    }


    // ---- call sites typed ReentrantLock ---------------------------------------------------------------

    public static void lock(ReentrantLock lock, int site) {
        lock.lock();
        held(lock, site, ThreadRecord.EXCLUSIVE, BLOCKING);
    }

    public static void lockInterruptibly(ReentrantLock lock, int site) throws InterruptedException {
        lock.lockInterruptibly();
        held(lock, site, ThreadRecord.EXCLUSIVE, BLOCKING);
    }

    public static boolean tryLock(ReentrantLock lock, int site) {
        boolean locked = lock.tryLock();
        if (locked) {
            held(lock, site, ThreadRecord.EXCLUSIVE, TRY);
        }
        return locked;
    }

    public static boolean tryLock(ReentrantLock lock, long time, TimeUnit unit, int site) throws InterruptedException {
        boolean locked = lock.tryLock(time, unit);
        if (locked) {
            held(lock, site, ThreadRecord.EXCLUSIVE, TIMED);
        }
        return locked;
    }


    // ---- call sites typed ReentrantReadWriteLock.ReadLock ------------------------------------------------

    public static void lock(ReentrantReadWriteLock.ReadLock lock, int site) {
        lock.lock();
        held(lock, site, ThreadRecord.READ, BLOCKING);
    }

    public static void lockInterruptibly(ReentrantReadWriteLock.ReadLock lock, int site) throws InterruptedException {
        lock.lockInterruptibly();
        held(lock, site, ThreadRecord.READ, BLOCKING);
    }

    public static boolean tryLock(ReentrantReadWriteLock.ReadLock lock, int site) {
        boolean locked = lock.tryLock();
        if (locked) {
            held(lock, site, ThreadRecord.READ, TRY);
        }
        return locked;
    }

    public static boolean tryLock(ReentrantReadWriteLock.ReadLock lock, long time, TimeUnit unit, int site)
            throws InterruptedException {
        boolean locked = lock.tryLock(time, unit);
        if (locked) {
            held(lock, site, ThreadRecord.READ, TIMED);
        }
        return locked;
    }


    // ---- call sites typed ReentrantReadWriteLock.WriteLock -----------------------------------------------

    public static void lock(ReentrantReadWriteLock.WriteLock lock, int site) {
        lock.lock();
        held(lock, site, ThreadRecord.EXCLUSIVE, BLOCKING);
    }

    public static void lockInterruptibly(ReentrantReadWriteLock.WriteLock lock, int site) throws InterruptedException {
        lock.lockInterruptibly();
        held(lock, site, ThreadRecord.EXCLUSIVE, BLOCKING);
    }

    public static boolean tryLock(ReentrantReadWriteLock.WriteLock lock, int site) {
        boolean locked = lock.tryLock();
        if (locked) {
            held(lock, site, ThreadRecord.EXCLUSIVE, TRY);
        }
        return locked;
    }

    public static boolean tryLock(ReentrantReadWriteLock.WriteLock lock, long time, TimeUnit unit, int site)
            throws InterruptedException {
        boolean locked = lock.tryLock(time, unit);
        if (locked) {
            held(lock, site, ThreadRecord.EXCLUSIVE, TIMED);
        }
        return locked;
    }


    // ---- monitors, rewritten only with lockOrder=on ------------------------------------------------------

    /**
     * Before {@code monitorenter}: the object's identity hash, taken while it is not locked by this thread yet, so
     * that hashing it for the lock-order chain later never inflates its monitor.
     */
    public static void monitorHash(Object monitor) {
        System.identityHashCode(monitor);
    }

    /** After {@code monitorenter}, or at the start of a {@code synchronized} method. */
    public static void monitorEntered(Object monitor, int site) {
        try {
            Registry.monitorEntered(monitor, site);
        } catch (Throwable ignored) {
            // never hurt the host
        }
    }

    /** Before {@code monitorexit}, or before a return from a {@code synchronized} method. */
    public static void monitorExiting(Object monitor) {
        try {
            Registry.monitorExiting(monitor);
        } catch (Throwable ignored) {
            // never hurt the host
        }
    }

    /** When an exception leaves a {@code synchronized} method. */
    public static void monitorUnwound() {
        try {
            Registry.monitorUnwound();
        } catch (Throwable ignored) {
            // never hurt the host
        }
    }

    // ---- Object.wait, so that a HANG can read the monitor a thread waits on (a hand-rolled lock) -----------

    /**
     * {@code monitor.wait()} in application code. The JVM names the monitor of an {@code Object.wait} only by
     * class and identity hash; the watchdog needs the object to see that the thread a hand-rolled lock names as
     * its owner has ended. The call itself is unchanged, exceptions included; a wait costs microseconds at least,
     * the note two opaque stores.
     */
    public static void monitorWait(Object monitor) throws InterruptedException {
        Registry.monitorWaitBegin(monitor);
        try {
            monitor.wait();
        } finally {
            Registry.monitorWaitEnd();
        }
    }

    /** {@code monitor.wait(timeout)} in application code: as {@link #monitorWait(Object)}. */
    public static void monitorWait(Object monitor, long timeout) throws InterruptedException {
        Registry.monitorWaitBegin(monitor);
        try {
            monitor.wait(timeout);
        } finally {
            Registry.monitorWaitEnd();
        }
    }
}
