package dev.lockwatch.bootstrap;

import java.lang.ref.Reference;
import java.lang.ref.ReferenceQueue;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ConcurrentHashMap;

import jdk.internal.vm.annotation.DontInline;
import jdk.internal.vm.annotation.ForceInline;

/**
 * The live registry: every thread's {@link ThreadRecord}, found through a {@code ThreadLocal}, plus two
 * lock-free sets the watchdog reads. Everything here is called from code inlined into the JDK or from rewritten
 * application call sites, so it depends on {@code java.*} only, never throws, and never takes a lock the
 * application could hold.
 *
 * <ul>
 *   <li>{@code WAITING}: by thread id, the records of threads that have waited (in a contended acquire or on a
 *       future) and may still be alive. A thread adds itself before its first wait and stays until it is
 *       collected; whether it waits right now is its record's {@code waitingOn}. Keyed by id because a thread
 *       can get a new record: the JDK clears a ForkJoin common-pool worker's thread-locals, and the new record
 *       replaces the old one. So a wait costs no set update, and the watchdog's work is proportional to the
 *       threads that ever waited, not to all threads.</li>
 *   <li>{@code LISTED}: by thread id, the records of threads that ever took a lock at a rewritten call site,
 *       waited, ran a task or submitted one (the watchdog needs them for read holders, sites of holds, and the
 *       pools of queued tasks). A record leaves when its thread has been collected: the record is a weak
 *       reference to its thread; the reference queue is drained by the watchdog's checks and, so that records of
 *       ended threads never pile up between two checks, by every thread that lists itself.</li>
 * </ul>
 * Both are {@link ConcurrentHashMap}s: CAS-based, never blocking on a lock the application holds.
 * Only the owner thread writes its record; see {@link ThreadRecord} for the publication protocol.
 */
public final class Registry {
    private static final ReferenceQueue<Thread> COLLECTED = new ReferenceQueue<>();
    private static final ConcurrentHashMap<Long, ThreadRecord> WAITING = new ConcurrentHashMap<>();
    private static final ConcurrentHashMap<Long, ThreadRecord> LISTED = new ConcurrentHashMap<>();
    private static final CurrentRecord CURRENT = new CurrentRecord();
    /** Collected records removed per listing: enough to keep up with any rate of thread churn. */
    private static final int PURGE_PER_LISTING = 4;
    /** How many records were ever listed: a reader that found no record for a thread knows when to ask again. */
    private static final java.util.concurrent.atomic.AtomicLong LISTINGS = new java.util.concurrent.atomic.AtomicLong();
    /** Changes to {@link #WAITING} (a thread's first wait, a purge): {@link #waiting()} copies it again after one. */
    private static final java.util.concurrent.atomic.AtomicLong WAITING_CHANGES = new java.util.concurrent.atomic.AtomicLong();
    /**
     * {@link #WAITING}'s records as of a count of {@link #WAITING_CHANGES}, for {@link #waiting()}: a {@code Long}
     * and a {@code ThreadRecord[]}, in one array so that they are read together (and no class more to define).
     */
    private static volatile Object[] waitingCopy = {-1L, new ThreadRecord[0]};

    private Registry() {
    }

    /** Subclass instead of {@code ThreadLocal.withInitial}: no lambdas in code that runs inside the JDK. */
    private static final class CurrentRecord extends ThreadLocal<ThreadRecord> {
        @Override
        protected ThreadRecord initialValue() {
            return new ThreadRecord(Thread.currentThread(), COLLECTED);
        }
    }

    /** The calling thread's record (created on first use). */
    @ForceInline
    public static ThreadRecord current() {
        return CURRENT.get();
    }

    /**
     * Loads (and initializes) everything the inlined code touches, before any of it can run, and once the JDK
     * packages are open to this module. Returns false when the JDK's read counts cannot be read (read holds then
     * have no site). {@code permits}: whether the semaphore hooks are installed; without them, {@link Permits} is
     * never initialized or called (the injector defines it with the rest of the package).
     */
    public static boolean preload(boolean permits) {
        ThreadRecord r = CURRENT.get();
        r.suppressed++;
        try {
            Object sync = new Object();
            waitBegin(sync, false, false);
            waitEnd();
            handoffBegin(sync, true);
            handoffEnd(sync);
            if (permits) {
                permitTaking(sync);
                permitsTried(-1, sync, 1);
                permitsReleased(sync, 0);
                Permits.uncertain(sync);
            }
            HeldWhileBlocking.preload();
            purge();
            return Locks.ready();
        } finally {
            r.suppressed--;
        }
    }

    /** Agent code that runs on an application thread is not recorded. */
    public static void enterAgentCode() {
        CURRENT.get().suppressed++;
    }

    public static void exitAgentCode() {
        CURRENT.get().suppressed--;
    }

    /** The agent's own threads call this once: nothing they do is recorded. */
    public static void suppressCurrentThread() {
        CURRENT.get().suppressed++;
    }

    // ---- called from rewritten call sites (see CallSites) ------------------------------------------------

    /**
     * The calling thread has just acquired {@code lock} at {@code site}; {@code plan} is what
     * {@link ThreadRecord#plan} found in its record {@code r} just before (see {@link CallSites}): a count to set
     * (a nested pattern repeated), or the slow path. Nothing about lock orders can have changed in the fast cases:
     * the record is as it was when this hold was first noted, and its chain was seen then. The slow path is a
     * call the JIT keeps out of line, so that this stays small enough to be inlined into every call site.
     */
    @ForceInline
    static void held(ThreadRecord r, int plan, Object lock, int site, byte mode, byte how) {
        if (plan >= 0) {
            r.count(plan, lock, site);
        } else {
            heldSlow(r == null ? CURRENT.get() : r, lock, site, mode, how);
        }
    }

    @DontInline
    private static void heldSlow(ThreadRecord r, Object lock, int site, byte mode, byte how) {
        if (r.suppressed == 0) {
            if (Orders.ON && (r.heldCountPlain() != 0 || lock instanceof java.util.concurrent.locks.ReentrantReadWriteLock.WriteLock)) {
                LockOrders.taken(r, lock, site, mode, how);
            }
            r.push(lock, site, mode);
            if (!r.listed) {
                list(r);
            }
        }
    }

    /**
     * Whether lock orders are recorded, as a constant: initialized at the first rewritten acquisition, after the
     * agent set {@link LockOrders#enable} (it cannot change while the JVM runs), so the JIT removes the check when
     * it is off and the fast path costs exactly what it did.
     */
    private static final class Orders {
        static final boolean ON = LockOrders.enabled;
    }

    /**
     * A monitor is entered: just before a rewritten {@code monitorenter} ({@code hash} true), or at the start of a
     * {@code synchronized} method, whose monitor the JVM already holds ({@code hash} false, a constant at each
     * caller). Only an entry that is not the ghost of the same monitor at the same site (the slow path) hashes it
     * before {@code monitorenter}, while this thread does not lock it yet: a ghost was hashed when it was first
     * noted, and a synchronized method's site is never a block's (see CallSiteRewriter), so its unhashed ghost is
     * never taken for one.
     */
    @ForceInline
    static void monitorEntered(ThreadRecord r, Object monitor, int site, boolean hash) {
        if (!r.monitorAgain(monitor, site)) {
            if (hash) {
                System.identityHashCode(monitor);
            }
            monitorEnteredSlow(r, monitor, site);
        }
    }

    @DontInline
    private static void monitorEnteredSlow(ThreadRecord r, Object monitor, int site) {
        if (r.suppressed == 0) {
            if (r.heldCountPlain() != 0) {
                LockOrders.taken(r, monitor, site, ThreadRecord.MONITOR, CallSites.BLOCKING);
            }
            r.push(monitor, site, ThreadRecord.MONITOR);
            if (!r.listed) {
                list(r);
            }
        }
    }

    /** A monitor is about to be exited (a rewritten {@code monitorexit}, or a return from a synchronized method). */
    @ForceInline
    static void monitorExiting(ThreadRecord r, Object monitor) {
        if (!r.monitorExitedOnTop(monitor) && r.heldCountPlain() != 0) {
            r.popMonitor(monitor);
        }
    }

    /** An exception leaves a synchronized method: its monitor, the innermost one recorded, is released. */
    static void monitorUnwound() {
        ThreadRecord r = CURRENT.get();
        if (r.heldCountPlain() != 0) {
            r.popInnermostMonitor();
        }
    }

    // ---- called from code inlined into the JDK --------------------------------------------------------

    /** The contended acquire of {@code AbstractQueuedSynchronizer} calls this just before it may park. */
    public static void waitBegin(Object sync, boolean shared, boolean timed) {
        try {
            ThreadRecord r = CURRENT.get();
            if (r.suppressed != 0) {
                return;
            }
            r.beginWait(sync, ThreadRecord.WAIT_LOCK, shared, timed);
            if (!r.waiter) {
                firstWait(r);
            }
        } catch (Throwable ignored) {
            // never hurt the host
        }
    }

    /** The contended acquire returns, normally or not. */
    public static void waitEnd() {
        try {
            ThreadRecord r = CURRENT.get();
            if (r.waitingOn() != null) {
                r.endWait();
            }
        } catch (Throwable ignored) {
            // never hurt the host
        }
    }

    private static void firstWait(ThreadRecord r) {
        r.waiter = true;
        if (!r.listed) {
            list(r);
        }
        WAITING.put(r.threadId, r);
        WAITING_CHANGES.incrementAndGet();
    }

    /**
     * A thread is about to block on a future that is not done. Timed waits are recorded but draw no edge: they
     * end by themselves.
     */
    public static void handoffBegin(Object future, boolean timed) {
        try {
            ThreadRecord r = CURRENT.get();
            if (r.suppressed != 0) {
                return;
            }
            r.beginWait(future, ThreadRecord.WAIT_HANDOFF, false, timed);
            if (!r.waiter) {
                firstWait(r);
            }
            if (r.heldCountPlain() != 0 && HeldWhileBlocking.enabled) {
                HeldWhileBlocking.check(r, future.getClass().getName());
            }
        } catch (Throwable ignored) {
            // never hurt the host
        }
    }

    /** A {@code ForkJoinTask}'s wait, which begins only when the task is not done (a negative status is done). */
    public static void forkJoinWait(Object task, int status, boolean timed) {
        if (status >= 0) {
            handoffBegin(task, timed);
        }
    }

    /** The same, for the JDK 20+ signature, which has a deadline (0: none) instead of a timed flag. */
    public static void forkJoinWaitUntil(Object task, int status, long deadline) {
        if (status >= 0) {
            handoffBegin(task, deadline != 0L);
        }
    }

    /** The wait for {@code future} ends; a call whose wait never began (the task was done) ends nothing. */
    public static void handoffEnd(Object future) {
        try {
            ThreadRecord r = CURRENT.get();
            if (r.waitingOn() == future) {
                r.endWait();
            }
        } catch (Throwable ignored) {
            // never hurt the host
        }
    }

    /** {@code Object.wait} from application code begins (see {@link CallSites#monitorWait}): the monitor is noted. */
    static void monitorWaitBegin(Object monitor) {
        try {
            ThreadRecord r = CURRENT.get();
            if (r.suppressed != 0) {
                return;
            }
            r.monitorWait(monitor);
            if (!r.listed) {
                list(r);
            }
        } catch (Throwable ignored) {
            // never hurt the host
        }
    }

    /** The {@code Object.wait} returns, normally or not: the monitor is no longer referenced. */
    static void monitorWaitEnd() {
        try {
            CURRENT.get().monitorWait(null);
        } catch (Throwable ignored) {
            // never hurt the host
        }
    }

    /** {@code invokeAll}/{@code invokeAny}: they always block, with no single future to wait for. */
    public static void blockingCall(String method) {
        try {
            ThreadRecord r = CURRENT.get();
            if (r.suppressed == 0 && r.heldCountPlain() != 0 && HeldWhileBlocking.enabled) {
                HeldWhileBlocking.check(r, method);
            }
        } catch (Throwable ignored) {
            // never hurt the host
        }
    }

    /** A task starts to run on this thread ({@code ForkJoinTask.doExec}, a stage's task, a completion). */
    public static void taskStarted(Object taskOrStage) {
        try {
            ThreadRecord r = CURRENT.get();
            if (!r.listed) {
                list(r);
            }
            r.startTask(taskOrStage);
        } catch (Throwable ignored) {
            // never hurt the host
        }
    }

    /**
     * The task ends. If the JDK cleared the thread's thread-locals while it ran (a common-pool worker), the
     * thread has a new record now; the one that noted the start is still listed under the thread's id.
     */
    public static void taskEnded() {
        try {
            ThreadRecord r = CURRENT.get();
            if (!r.endTask()) {
                ThreadRecord before = LISTED.get(r.threadId);
                if (before != null && before != r) {
                    before.endTask();
                }
            }
        } catch (Throwable ignored) {
            // never hurt the host
        }
    }

    /** A pool's worker thread enters its worker loop. */
    public static void workerStarted(Object pool) {
        try {
            ThreadRecord r = CURRENT.get();
            if (!r.listed) {
                list(r);
            }
            r.worker(pool);
        } catch (Throwable ignored) {
            // never hurt the host
        }
    }

    public static void workerEnded() {
        try {
            CURRENT.get().worker(null);
        } catch (Throwable ignored) {
            // never hurt the host
        }
    }

    /** A task was handed to a pool. */
    public static void submitted(Object task, Object pool) {
        try {
            if (task != null) {
                ThreadRecord r = CURRENT.get();
                if (r.suppressed == 0) {
                    if (!r.listed) {
                        list(r); // the watchdog finds submissions through the listed records
                    }
                    Submissions.add(task, pool, r);
                }
            }
        } catch (Throwable ignored) {
            // never hurt the host
        }
    }

    /**
     * A semaphore's try-acquire begins ({@code Semaphore$Sync.nonfairTryAcquireShared},
     * {@code Semaphore$FairSync.tryAcquireShared}); see {@link Permits}.
     */
    public static void permitTaking(Object sync) {
        try {
            Permits.taking(sync);
        } catch (Throwable ignored) {
            // never hurt the host
        }
    }

    /** The try-acquire returns {@code result} (negative: it failed); {@code acquires} is what it asked for. */
    public static void permitsTried(int result, Object sync, int acquires) {
        try {
            Permits.tried(result, sync, acquires);
        } catch (Throwable ignored) {
            // never hurt the host
        }
    }

    /** {@code Semaphore$Sync.tryReleaseShared} returned: {@code releases} permits are back. */
    public static void permitsReleased(Object sync, int releases) {
        try {
            Permits.released(sync, releases);
        } catch (Throwable ignored) {
            // never hurt the host
        }
    }

    /** {@code drainPermits} or {@code reducePermits}: the count changes without an acquire. */
    public static void permitsChanged(Object sync) {
        try {
            Permits.changedWithoutAcquire(sync);
        } catch (Throwable ignored) {
            // never hurt the host
        }
    }

    static void listRecord(ThreadRecord r) {
        list(r);
    }

    private static void list(ThreadRecord r) {
        r.listed = true;
        r.suppressed++; // the reference queue's lock is the JDK's own; its wait must not be recorded
        try {
            purge(PURGE_PER_LISTING);
        } finally {
            r.suppressed--;
        }
        ThreadRecord before = LISTED.put(r.threadId, r);
        LISTINGS.incrementAndGet();
        if (before != null && before != r) { // the JDK cleared the thread's thread-locals
            before.replaced = true;
            if (before.tookPermits()) {
                Permits.replaced(r, before); // the old record's permits go unseen
            }
        }
    }

    // ---- watchdog side ------------------------------------------------------------------------------

    /** The records of threads that wait right now (a racy snapshot: a wait may end or begin meanwhile). */
    public static List<ThreadRecord> waiting() {
        // A plain array of the records that ever waited, copied from the table only after it changed: a check
        // reads ten thousand waiting threads' records without walking the table's nodes each time.
        Object[] copy = waitingCopy;
        long changes = WAITING_CHANGES.get(); // before the copy: a change during it makes the next call copy again
        if ((Long) copy[0] != changes) {
            copy = new Object[] {changes, WAITING.values().toArray(new ThreadRecord[0])};
            waitingCopy = copy;
        }
        ThreadRecord[] records = (ThreadRecord[]) copy[1];
        List<ThreadRecord> now = new ArrayList<>(records.length);
        for (ThreadRecord r : records) {
            if (r.waitingOn() != null) {
                now.add(r);
            }
        }
        return now;
    }

    /** Every listed record whose thread may still be alive (a copy). */
    public static List<ThreadRecord> listed() {
        return new ArrayList<>(LISTED.values());
    }

    /** The record of a listed thread, or null. */
    public static ThreadRecord recordOf(long threadId) {
        return LISTED.get(threadId);
    }

    /**
     * {@link #recordOf}, for a reader that keeps its last answer ({@code known}, and the {@link #listings()} count it
     * was given at): the same record while it is still its thread's (not replaced, not ended), or no record while no
     * record was listed since; else it asks the table. A watchdog check asks for every live thread, most of them
     * unchanged since the last check.
     */
    public static ThreadRecord recordOf(Thread thread, ThreadRecord known, long knownAt, long listingsNow) {
        if (known != null ? !known.replaced && known.get() == thread : knownAt == listingsNow) {
            return known;
        }
        return LISTED.get(thread.getId());
    }

    /** How many records were ever listed; read it before {@link #recordOf(Thread, ThreadRecord, long, long)}. */
    public static long listings() {
        return LISTINGS.get();
    }

    /**
     * Drops the records of collected threads, and of threads that have ended while the application still holds
     * their {@code Thread} object (a record may refer to locks released since, until its thread's next lock
     * operation, which an ended thread never has); returns how many records remain listed. Watchdog thread.
     */
    public static int purge() {
        purge(Integer.MAX_VALUE);
        for (ThreadRecord r : LISTED.values()) {
            Thread t = r.get();
            // the state first: a field read, where isAlive() is a native call on JDK 17 (both must say it ended)
            if (t != null && t.getState() == Thread.State.TERMINATED && !t.isAlive()) {
                LISTED.remove(r.threadId, r);
                removeWaiting(r);
            }
        }
        return LISTED.size();
    }

    private static void purge(int most) {
        Reference<? extends Thread> gone;
        for (int i = 0; i < most && (gone = COLLECTED.poll()) != null; i++) {
            ThreadRecord r = (ThreadRecord) gone;
            LISTED.remove(r.threadId, r);
            removeWaiting(r);
        }
    }

    private static void removeWaiting(ThreadRecord r) {
        if (WAITING.remove(r.threadId, r)) {
            WAITING_CHANGES.incrementAndGet();
        }
    }

    public static int listedCount() {
        return LISTED.size();
    }
}
