package dev.lockwatch.bootstrap;

import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.Lock;
import java.util.concurrent.locks.ReentrantLock;
import java.util.concurrent.locks.ReentrantReadWriteLock;

import jdk.internal.vm.annotation.ForceInline;

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

    @ForceInline
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

    /*
     * Each method below looks at the calling thread's record *before* it calls the lock, and applies what it found
     * after the lock is taken. On x86 the lock's compare-and-set is a full fence: loads issued after it wait for
     * it, loads issued before it run in the shadow of the work since the previous one. The thread-local lookup and
     * the look at the top of the record (a chain of about eight dependent loads) are thus off the fence's path,
     * and in the common cases (the same lock again at the same site; a nested pattern repeated) nothing is left to
     * do after the lock but, at most, one store. The plan stays valid across the lock call: the record is written
     * by its owner only, and the lock method runs JDK code only, which takes no lock at a rewritten site. A lock
     * call that throws, or a tryLock that fails, applies nothing.
     */

    @ForceInline
    private static ThreadRecord record() {
        try {
            return Registry.current();
        } catch (Throwable t) {
            return null; // the slow path tries again
        }
    }

    /*
     * A method with two or more recorded operations (nested locks, a synchronized block's entry and exit) keeps the
     * calling thread's record in a local variable the rewriter adds (see CallSiteRewriter): null when the method
     * starts, set by current(Object) at its first acquisition, passed as rec to every later one. The record is the
     * thread's for as long as the method runs, so each method invocation pays one thread-local lookup instead of
     * one per operation, and the later lookups, which would sit right behind the previous lock's fence, are gone.
     * Methods with one operation pass null.
     */

    /**
     * The calling thread's record, {@code known} when the method already looked it up: the rewriter stores the
     * result in its local.
     */
    @ForceInline
    public static Object current(Object known) {
        return known != null ? known : record();
    }

    @ForceInline
    private static ThreadRecord record(Object rec) {
        return rec instanceof ThreadRecord ? (ThreadRecord) rec : record();
    }

    @ForceInline
    private static int plan(ThreadRecord r, Object lock, int site) {
        try {
            return r == null ? ThreadRecord.SLOW : r.plan(lock, site);
        } catch (Throwable t) {
            return ThreadRecord.SLOW;
        }
    }

    @ForceInline
    private static void held(ThreadRecord r, int plan, Object lock, int site, byte mode, byte how) {
        try {
            if (plan != ThreadRecord.NOTHING) {
                Registry.held(r, plan, lock, site, mode, how);
            }
        } catch (Throwable ignored) {
            // never hurt the host
        }
    }

    // One set of methods per static owner type of the call site: each lock call below then has one receiver
    // type, so the JIT can inline it, as it could at the original call site. A single Lock-typed helper would
    // funnel every call site of the application through one interface call, megamorphic in a real program.

    // ---- call sites typed Lock (any implementation; only the JDK's locks are recorded) ---------------------

    @ForceInline
    public static void lock(Lock lock, Object rec, int site) {
        byte mode = modeOf(lock);
        if (mode == 0) {
            lock.lock();
            return;
        }
        ThreadRecord r = record(rec);
        int plan = plan(r, lock, site);
        lock.lock();
        held(r, plan, lock, site, mode, BLOCKING);
    }

    @ForceInline
    public static void lockInterruptibly(Lock lock, Object rec, int site) throws InterruptedException {
        byte mode = modeOf(lock);
        if (mode == 0) {
            lock.lockInterruptibly();
            return;
        }
        ThreadRecord r = record(rec);
        int plan = plan(r, lock, site);
        lock.lockInterruptibly();
        held(r, plan, lock, site, mode, BLOCKING);
    }

    @ForceInline
    public static boolean tryLock(Lock lock, Object rec, int site) {
        byte mode = modeOf(lock);
        if (mode == 0) {
            return lock.tryLock();
        }
        ThreadRecord r = record(rec);
        int plan = plan(r, lock, site);
        boolean locked = lock.tryLock();
        if (locked) {
            held(r, plan, lock, site, mode, TRY);
        }
        return locked;
    }

    @ForceInline
    public static boolean tryLock(Lock lock, long time, TimeUnit unit, Object rec, int site) throws InterruptedException {
        byte mode = modeOf(lock);
        if (mode == 0) {
            return lock.tryLock(time, unit);
        }
        ThreadRecord r = record(rec);
        int plan = plan(r, lock, site);
        boolean locked = lock.tryLock(time, unit);
        if (locked) {
            held(r, plan, lock, site, mode, TIMED);
        }
        return locked;
    }


    // ---- call sites typed ReentrantLock ---------------------------------------------------------------------------------------

    @ForceInline
    public static void lock(ReentrantLock lock, Object rec, int site) {
        ThreadRecord r = record(rec);
        int plan = plan(r, lock, site);
        lock.lock();
        held(r, plan, lock, site, ThreadRecord.EXCLUSIVE, BLOCKING);
    }

    @ForceInline
    public static void lockInterruptibly(ReentrantLock lock, Object rec, int site) throws InterruptedException {
        ThreadRecord r = record(rec);
        int plan = plan(r, lock, site);
        lock.lockInterruptibly();
        held(r, plan, lock, site, ThreadRecord.EXCLUSIVE, BLOCKING);
    }

    @ForceInline
    public static boolean tryLock(ReentrantLock lock, Object rec, int site) {
        ThreadRecord r = record(rec);
        int plan = plan(r, lock, site);
        boolean locked = lock.tryLock();
        if (locked) {
            held(r, plan, lock, site, ThreadRecord.EXCLUSIVE, TRY);
        }
        return locked;
    }

    @ForceInline
    public static boolean tryLock(ReentrantLock lock, long time, TimeUnit unit, Object rec, int site) throws InterruptedException {
        ThreadRecord r = record(rec);
        int plan = plan(r, lock, site);
        boolean locked = lock.tryLock(time, unit);
        if (locked) {
            held(r, plan, lock, site, ThreadRecord.EXCLUSIVE, TIMED);
        }
        return locked;
    }


    // ---- call sites typed ReentrantReadWriteLock.ReadLock ---------------------------------------------------------------------

    @ForceInline
    public static void lock(ReentrantReadWriteLock.ReadLock lock, Object rec, int site) {
        ThreadRecord r = record(rec);
        int plan = plan(r, lock, site);
        lock.lock();
        held(r, plan, lock, site, ThreadRecord.READ, BLOCKING);
    }

    @ForceInline
    public static void lockInterruptibly(ReentrantReadWriteLock.ReadLock lock, Object rec, int site) throws InterruptedException {
        ThreadRecord r = record(rec);
        int plan = plan(r, lock, site);
        lock.lockInterruptibly();
        held(r, plan, lock, site, ThreadRecord.READ, BLOCKING);
    }

    @ForceInline
    public static boolean tryLock(ReentrantReadWriteLock.ReadLock lock, Object rec, int site) {
        ThreadRecord r = record(rec);
        int plan = plan(r, lock, site);
        boolean locked = lock.tryLock();
        if (locked) {
            held(r, plan, lock, site, ThreadRecord.READ, TRY);
        }
        return locked;
    }

    @ForceInline
    public static boolean tryLock(ReentrantReadWriteLock.ReadLock lock, long time, TimeUnit unit, Object rec, int site) throws InterruptedException {
        ThreadRecord r = record(rec);
        int plan = plan(r, lock, site);
        boolean locked = lock.tryLock(time, unit);
        if (locked) {
            held(r, plan, lock, site, ThreadRecord.READ, TIMED);
        }
        return locked;
    }


    // ---- call sites typed ReentrantReadWriteLock.WriteLock --------------------------------------------------------------------

    @ForceInline
    public static void lock(ReentrantReadWriteLock.WriteLock lock, Object rec, int site) {
        ThreadRecord r = record(rec);
        int plan = plan(r, lock, site);
        lock.lock();
        held(r, plan, lock, site, ThreadRecord.EXCLUSIVE, BLOCKING);
    }

    @ForceInline
    public static void lockInterruptibly(ReentrantReadWriteLock.WriteLock lock, Object rec, int site) throws InterruptedException {
        ThreadRecord r = record(rec);
        int plan = plan(r, lock, site);
        lock.lockInterruptibly();
        held(r, plan, lock, site, ThreadRecord.EXCLUSIVE, BLOCKING);
    }

    @ForceInline
    public static boolean tryLock(ReentrantReadWriteLock.WriteLock lock, Object rec, int site) {
        ThreadRecord r = record(rec);
        int plan = plan(r, lock, site);
        boolean locked = lock.tryLock();
        if (locked) {
            held(r, plan, lock, site, ThreadRecord.EXCLUSIVE, TRY);
        }
        return locked;
    }

    @ForceInline
    public static boolean tryLock(ReentrantReadWriteLock.WriteLock lock, long time, TimeUnit unit, Object rec, int site) throws InterruptedException {
        ThreadRecord r = record(rec);
        int plan = plan(r, lock, site);
        boolean locked = lock.tryLock(time, unit);
        if (locked) {
            held(r, plan, lock, site, ThreadRecord.EXCLUSIVE, TIMED);
        }
        return locked;
    }


    // ---- monitors, rewritten only with lockOrder=on ------------------------------------------------------

    /**
     * Just before {@code monitorenter}. The first time the monitor is noted at this site, its identity hash is taken
     * first, while this thread does not lock it yet, so that hashing it for the lock-order chain later never inflates
     * its monitor; a monitor entered again at the same site was hashed then (see Registry). The entry is noted
     * before the monitor is entered, because nothing that may throw can stand between {@code monitorenter} and the
     * block's exception range without making the method uncompilable (see CallSiteRewriter). That is safe: the
     * record's monitor entries are read by their own thread only (lock orders, held-while-blocking), and it holds
     * the monitor whenever it reads them; reports take monitors from the JVM. A null monitor is not noted
     * ({@code monitorenter} throws).
     */
    @ForceInline
    public static void monitorEntering(Object monitor, Object rec, int site) {
        if (monitor != null) {
            try {
                Registry.monitorEntered(record(rec), monitor, site, true);
            } catch (Throwable ignored) {
                // never hurt the host
            }
        }
    }

    /** At the start of a {@code synchronized} method (the JVM has entered its monitor). */
    @ForceInline
    public static void monitorEntered(Object monitor, Object rec, int site) {
        try {
            Registry.monitorEntered(record(rec), monitor, site, false);
        } catch (Throwable ignored) {
            // never hurt the host
        }
    }

    /** Before {@code monitorexit}, or before a return from a {@code synchronized} method. */
    @ForceInline
    public static void monitorExiting(Object monitor, Object rec) {
        try {
            Registry.monitorExiting(record(rec), monitor);
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
