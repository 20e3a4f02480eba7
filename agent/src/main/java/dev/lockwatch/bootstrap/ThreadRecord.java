package dev.lockwatch.bootstrap;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.lang.ref.ReferenceQueue;
import java.lang.ref.WeakReference;
import java.util.concurrent.locks.ReentrantLock;

import jdk.internal.vm.annotation.DontInline;
import jdk.internal.vm.annotation.ForceInline;

/**
 * What one thread holds and what it waits for: the only state Lockwatch keeps about a thread.
 *
 * <p>Protocol. The owning thread is the only writer of every field. It lives in the owner's
 * {@code ThreadLocal} map, so it dies with the thread; it refers to the thread only weakly, so it never keeps
 * a thread alive. The watchdog reads it from another thread:
 * <ul>
 *   <li>Holds: a hold is noted when a lock is taken ({@link #push}) and nothing happens when it is released
 *       (the release is not rewritten: one thread-local lookup per lock/unlock pair instead of two). So the list
 *       can hold entries of locks released since; the JDK's own state tells them apart ({@link Locks}): the
 *       owner prunes released entries off the top at its next acquisition, and the watchdog checks each entry
 *       against the JDK's exclusive owner or the thread's read count before it trusts it. The owner writes
 *       {@code heldLocks[i]}, {@code heldSites[i]}, {@code heldModes[i]} with plain stores, then publishes the
 *       count with a release store; the watchdog reads the count with an acquire load and then the slots. A slot
 *       may be overwritten while the watchdog reads it: the watchdog only trusts holds of threads that stay in
 *       one wait episode across two reads (their holds cannot change while they wait). The arrays only grow, and
 *       a grown array starts with a copy of the old one, so a reader that mixes old and new arrays sees the
 *       same prefix.</li>
 *   <li>Wait: the owner writes the wait's details with plain stores, then {@code waitingOn} with a release
 *       store, and clears {@code waitingOn} (release) when the wait ends. Every wait increments
 *       {@code waitEpoch} first, so two reads that see the same epoch and the same lock saw one wait.</li>
 * </ul>
 * A released lock stays referenced from its last holder's record until that thread's next lock operation prunes
 * it (or, as a "ghost" kept for a nested pattern, the one after: see {@link #plan}), or the thread ends:
 * at most {@value #MAX_HELD} per thread.
 */
public final class ThreadRecord extends WeakReference<Thread> {
    public static final byte EXCLUSIVE = 1;
    public static final byte READ = 2;
    /** A {@code synchronized} monitor; recorded only with {@code lockOrder=on}. */
    public static final byte MONITOR = 3;

    /** What {@link #waitingOn()} is: a lock's synchronizer, or a future (a hand-off). */
    public static final byte WAIT_LOCK = 0;
    public static final byte WAIT_HANDOFF = 1;

    /** Deeper nesting than this is not recorded (the JDK still knows exclusive owners). */
    static final int MAX_HELD = 32;
    private static final int FIRST_HELD = 4;

    private static final VarHandle HELD_COUNT;
    private static final VarHandle WAITING_ON;
    private static final VarHandle WAIT_EPOCH;
    private static final VarHandle RUNNING_FOR;
    private static final VarHandle WORKER_OF;
    private static final VarHandle MONITOR_WAIT;
    private static final VarHandle SLOT_TAKING;

    static {
        try {
            MethodHandles.Lookup lookup = MethodHandles.lookup();
            HELD_COUNT = lookup.findVarHandle(ThreadRecord.class, "heldCount", int.class);
            WAITING_ON = lookup.findVarHandle(ThreadRecord.class, "waitingOn", Object.class);
            WAIT_EPOCH = lookup.findVarHandle(ThreadRecord.class, "waitEpoch", int.class);
            RUNNING_FOR = lookup.findVarHandle(ThreadRecord.class, "runningFor", Object.class);
            WORKER_OF = lookup.findVarHandle(ThreadRecord.class, "workerOf", Object.class);
            MONITOR_WAIT = lookup.findVarHandle(ThreadRecord.class, "monitorWait", Object.class);
            SLOT_TAKING = lookup.findVarHandle(ThreadRecord.class, "permitTaking", Object.class);
        } catch (ReflectiveOperationException e) {
            throw new ExceptionInInitializerError(e);
        }
    }

    public final long threadId;
    public final boolean virtual;

    private Object[] heldLocks = new Object[FIRST_HELD];
    private int[] heldSites = new int[FIRST_HELD];
    private byte[] heldModes = new byte[FIRST_HELD];
    private int heldCount;
    /** Slots in use, ghosts included (see {@link #plan}). Owner-only. */
    private int heldTop;
    /**
     * The top slot's lock and site when there is no ghost above it, else null: the one test of the commonest case
     * (the same lock again at the same site) reads these two fields of the record and no array. Owner-only.
     */
    private Object topLock;
    private int topSite;

    private Object waitingOn;
    private byte waitKind;
    private boolean waitShared;
    private boolean waitTimed;
    private long waitSinceNanos;
    private int waitEpoch;

    /** The task (or the future it completes) this thread runs now, for hand-off edges. Opaque stores. */
    private Object runningFor;
    /** The pool this thread is a worker of while it runs its worker loop. Opaque stores. */
    private Object workerOf;
    /**
     * The monitor this thread is in {@code Object.wait} on, called from application code, or null. Opaque stores
     * by the owner; held only while it waits. The watchdog trusts it only when the JVM names the same monitor.
     */
    private Object monitorWait;

    /** Agent threads and re-entrant calls from inside the agent are not recorded. Owner-only. */
    int suppressed;
    /** Whether this record is listed in {@link Registry}'s table of records. Owner-only. */
    boolean listed;
    /**
     * Whether a newer record of the same thread replaced this one in {@link Registry}'s table (the JDK cleared the
     * thread's thread-locals): whoever kept this record instead of asking the registry asks again.
     */
    volatile boolean replaced;
    /** Whether this record is in {@link Registry}'s set of records that have waited. Owner-only. */
    boolean waiter;
    /** The pool this thread last submitted a task to, weakly; shared by its submission entries. Owner-only. */
    WeakReference<Object> lastPool;
    /** This thread's last submissions (see {@link Submissions}), created on its first; read by the watchdog. */
    volatile Submissions.Entry[] submissions;
    /** How many submissions this thread has made. Owner-only. */
    int submitted;

    ThreadRecord(Thread thread, ReferenceQueue<Thread> queue) {
        super(thread, queue);
        this.threadId = thread.getId();
        this.virtual = Threads.isVirtual(thread);
    }

    // ---- owner side -------------------------------------------------------------------------------

    /*
     * The fast path. An uncontended lock/unlock costs a few nanoseconds, so what the agent adds must be a handful
     * of loads: the common cases are decided inline at the call site ({@link #plan}, before the lock is taken, see
     * CallSites), everything else is one call to the slow path ({@link #push}), which is kept out of line.
     *
     * Slots [0, heldCount) are the recorded holds. Slots [heldCount, heldTop) are "ghosts": entries the owner
     * found released at its previous acquisition and dropped from the count, but left in place, because a
     * program that nests locks takes them again in the same order at the same sites (outer.lock() finds the
     * released inner on top and drops it; inner.lock() then finds it in the next slot and only raises the count).
     * A ghost is only reused at its own slot, with everything under it unchanged since it was pushed; the first
     * acquisition that does not reuse it clears it. So a released lock stays referenced at most until the thread's
     * second lock operation after the release (the one that notices it, then the one that does not take it
     * again), at most MAX_HELD per thread, and never after the thread ends.
     */

    /** {@link #plan}: nothing changes. */
    static final int NOTHING = -1;
    /** {@link #plan}: the slow path ({@link #push}) decides. */
    static final int SLOW = -2;

    /**
     * What the owner's acquisition of {@code lock} at {@code site} will change, decided before the lock is taken
     * (see {@link CallSites}): {@link #NOTHING} when it is the lock on top taken at the same site (a loop, or a
     * re-entry at the same site); the new count when it is the ghost in the next slot (a nested pattern repeated:
     * the count goes up by one) or the lock under a released top entry at its own site (the outer of two nested
     * locks taken again: the inner one becomes the ghost); else {@link #SLOW}.
     */
    @ForceInline
    int plan(Object lock, int site) {
        if (topLock == lock && topSite == site) {
            return NOTHING;
        }
        int n = heldCount;
        Object[] l = heldLocks;
        int[] s = heldSites;
        if (n != heldTop) {
            return l[n] == lock && s[n] == site ? n + 1 : SLOW;
        }
        if (n == 0) {
            return SLOW;
        }
        if (l[n - 1] == lock) {
            return s[n - 1] == site ? NOTHING : SLOW;
        }
        if (n >= 2 && l[n - 2] == lock && s[n - 2] == site && releasedExclusive(l[n - 1], heldModes[n - 1])) {
            return n - 1;
        }
        return SLOW;
    }

    /**
     * Applies a count {@link #plan} returned for {@code lock} at {@code site} (a release store: the watchdog reads
     * the slots under it).
     */
    @ForceInline
    void count(int n, Object lock, int site) {
        HELD_COUNT.setRelease(this, n);
        if (n == heldTop) {
            topLock = lock; // a ghost reused: it is on top now
            topSite = site;
        } else {
            topLock = null;
        }
    }

    /** After any change of the slots: {@link #topLock} mirrors the top slot when no ghost lies above it. */
    private void top(int n) {
        if (n != 0 && n == heldTop) {
            topLock = heldLocks[n - 1];
            topSite = heldSites[n - 1];
        } else {
            topLock = null;
        }
    }

    /** Whether {@code lock}, recorded as {@code mode}, is a {@link ReentrantLock} the calling thread no longer holds. */
    @ForceInline
    private static boolean releasedExclusive(Object lock, byte mode) {
        return mode == EXCLUSIVE && lock instanceof ReentrantLock && !((ReentrantLock) lock).isHeldByCurrentThread();
    }

    /**
     * Notes that the calling thread, the owner, has just acquired {@code lock} at {@code site} (the slow path):
     * drops released entries off the top (they become ghosts), then either finds the lock on top or adds it.
     */
    @DontInline
    void push(Object lock, int site, byte mode) {
        int n = heldCount;
        clearGhosts(n); // the previous acquisition's candidates were not taken again
        while (n > 0) {
            Object top = heldLocks[n - 1];
            if (top == lock && mode != MONITOR && heldModes[n - 1] != MONITOR) {
                again(lock, site, mode, n);
                HELD_COUNT.setRelease(this, n);
                top(n);
                return;
            }
            if (Locks.heldByCurrentThread(top, heldModes[n - 1])) {
                break;
            }
            n--; // released: a ghost now, reused if the next acquisition takes it again at this slot
        }
        if (n < MAX_HELD) {
            if (n == heldLocks.length) {
                grow();
            }
            clearGhosts(n);
            heldLocks[n] = lock;
            heldSites[n] = site;
            heldModes[n] = mode;
            n++;
            heldTop = n;
        }
        HELD_COUNT.setRelease(this, n);
        top(n);
    }

    /**
     * The lock is on top already: either a re-entry (the outer site stays) or a new acquisition after a release
     * the agent did not see (its site is this one). A read re-entry cannot be told from a new read hold cheaply;
     * the newer site is kept.
     */
    private void again(Object lock, int site, byte mode, int n) {
        if (mode != EXCLUSIVE || Locks.holdCount(lock) == 1) {
            heldSites[n - 1] = site;
        }
    }

    /** Forgets the ghosts from slot {@code from} up (owner only; the watchdog never reads past the count). */
    private void clearGhosts(int from) {
        for (int i = from; i < heldTop; i++) {
            heldLocks[i] = null;
        }
        if (heldTop > from) {
            heldTop = from;
        }
    }

    private void grow() {
        int size = Math.min(MAX_HELD, heldLocks.length * 2);
        heldSites = java.util.Arrays.copyOf(heldSites, size);
        heldModes = java.util.Arrays.copyOf(heldModes, size);
        heldLocks = java.util.Arrays.copyOf(heldLocks, size);
    }

    /**
     * Fast path of a {@code monitorenter} (lockOrder=on): the monitor is the ghost in the next slot, entered again
     * at the same site. Monitor entries are exact, so a re-entry always takes a slot of its own.
     */
    @ForceInline
    boolean monitorAgain(Object monitor, int site) {
        int n = heldCount;
        if (n != heldTop && heldLocks[n] == monitor && heldSites[n] == site && heldModes[n] == MONITOR) {
            count(n + 1, monitor, site);
            return true;
        }
        return false;
    }

    /**
     * Fast path of a {@code monitorexit} (lockOrder=on): the monitor is on top, as it is when blocks nest; its
     * entry stays as a ghost for the next {@code monitorenter} at the same site.
     */
    @ForceInline
    boolean monitorExitedOnTop(Object monitor) {
        int n = heldCount;
        if (n != 0 && heldLocks[n - 1] == monitor && heldModes[n - 1] == MONITOR) {
            HELD_COUNT.setRelease(this, n - 1);
            topLock = null; // a ghost above now
            return true;
        }
        return false;
    }

    /** Monitors are exact: a {@code monitorexit} pops the entry {@code monitorenter} pushed (lockOrder=on). */
    @DontInline
    void popMonitor(Object monitor) {
        int n = heldCount;
        clearGhosts(n);
        for (int i = n - 1; i >= 0; i--) {
            if (heldLocks[i] == monitor && heldModes[i] == MONITOR) {
                System.arraycopy(heldLocks, i + 1, heldLocks, i, n - 1 - i);
                System.arraycopy(heldSites, i + 1, heldSites, i, n - 1 - i);
                System.arraycopy(heldModes, i + 1, heldModes, i, n - 1 - i);
                heldLocks[n - 1] = null;
                heldTop = n - 1;
                HELD_COUNT.setRelease(this, n - 1);
                top(n - 1);
                return;
            }
        }
    }

    /** Pops the most recent monitor entry (an exception left a synchronized method). */
    void popInnermostMonitor() {
        int n = heldCount;
        for (int i = n - 1; i >= 0; i--) {
            if (heldModes[i] == MONITOR) {
                popMonitor(heldLocks[i]);
                return;
            }
        }
    }

    /** The holds still held, innermost last (owner only): the entries the JDK confirms. */
    int copyValidHolds(Object[] locks, int[] sites, byte[] modes) {
        int n = heldCount;
        int k = 0;
        for (int i = 0; i < n && k < locks.length; i++) {
            if (Locks.heldByCurrentThread(heldLocks[i], heldModes[i])) {
                locks[k] = heldLocks[i];
                sites[k] = heldSites[i];
                modes[k] = heldModes[i];
                k++;
            }
        }
        return k;
    }

    int heldCountPlain() {
        return heldCount;
    }

    // A wait that a nested wait interrupted: a ForkJoin worker that joins one task runs others meanwhile, and
    // those may wait too. One level is kept; the outer wait is restored when the inner one ends. Owner-only.
    private Object outerOn;
    private byte outerKind;
    private boolean outerShared;
    private boolean outerTimed;
    private long outerSince;
    private int outerTaskDepth;
    /** How many tasks this thread was running when its current wait began (see {@link #helping()}). */
    private int waitTaskDepth;

    void beginWait(Object sync, byte kind, boolean shared, boolean timed) {
        Object current = waitingOn;
        outerOn = current;
        if (current != null) {
            outerKind = waitKind;
            outerShared = waitShared;
            outerTimed = waitTimed;
            outerSince = waitSinceNanos;
            outerTaskDepth = waitTaskDepth;
        }
        WAIT_EPOCH.setOpaque(this, waitEpoch + 1);
        waitKind = kind;
        waitShared = shared;
        waitTimed = timed;
        waitSinceNanos = System.nanoTime();
        waitTaskDepth = taskDepth;
        WAITING_ON.setRelease(this, sync);
    }

    /** Ends the current wait; returns true when an interrupted outer wait is current again. */
    boolean endWait() {
        Object outer = outerOn;
        if (outer == null) {
            WAITING_ON.setRelease(this, null);
            return false;
        }
        outerOn = null;
        // A new episode: the thread may have taken and released locks while the inner wait ran.
        WAIT_EPOCH.setOpaque(this, waitEpoch + 1);
        waitKind = outerKind;
        waitShared = outerShared;
        waitTimed = outerTimed;
        waitSinceNanos = outerSince;
        waitTaskDepth = outerTaskDepth;
        WAITING_ON.setRelease(this, outer);
        return true;
    }

    /**
     * Whether the thread runs a task that it started after its current wait began: a ForkJoin worker helping
     * while it joins. It is not blocked then, so its hand-off wait draws no edge. A racy read; the watchdog
     * confirms every cycle with a second read.
     */
    public boolean helping() {
        return taskDepth > waitTaskDepth;
    }

    // ---- watchdog side ----------------------------------------------------------------------------

    /** The synchronizer this thread waits for, or null. */
    public Object waitingOn() {
        return WAITING_ON.getAcquire(this);
    }

    public int waitEpoch() {
        return (int) WAIT_EPOCH.getOpaque(this);
    }

    public byte waitKind() {
        return waitKind;
    }

    /** Tasks this one interrupted (a worker helping another task), restored when it ends. Owner-only. */
    private final Object[] outerTasks = new Object[4];
    private int taskDepth;

    void startTask(Object task) {
        if (taskDepth < outerTasks.length) {
            outerTasks[taskDepth] = runningFor;
        }
        taskDepth++;
        RUNNING_FOR.setOpaque(this, task);
    }

    /** Ends the innermost task; false when this record noted none (a fresh record of the same thread). */
    boolean endTask() {
        if (taskDepth == 0) {
            return false;
        }
        taskDepth--;
        Object outer = null;
        if (taskDepth < outerTasks.length) {
            outer = outerTasks[taskDepth];
            outerTasks[taskDepth] = null;
        }
        RUNNING_FOR.setOpaque(this, outer);
        return true;
    }

    public Object runningFor() {
        return RUNNING_FOR.getOpaque(this);
    }

    /**
     * Copies the tasks this thread runs, innermost first (a task it started while running another one comes
     * before that one), into {@code out}; returns how many. Racy reads of owner-only state.
     */
    public int copyTasks(Object[] out) {
        int n = 0;
        Object inner = runningFor();
        if (inner != null && n < out.length) {
            out[n++] = inner;
        }
        for (int i = Math.min(taskDepth, outerTasks.length) - 1; i >= 0 && n < out.length; i--) {
            Object t = outerTasks[i];
            if (t != null) {
                out[n++] = t;
            }
        }
        return n;
    }

    Object worker(Object pool) {
        Object previous = workerOf;
        WORKER_OF.setOpaque(this, pool);
        return previous;
    }

    void monitorWait(Object monitor) {
        MONITOR_WAIT.setOpaque(this, monitor);
    }

    /** The monitor of this thread's {@code Object.wait} from application code, or null. */
    public Object monitorWaitOpaque() {
        return MONITOR_WAIT.getOpaque(this);
    }

    public Object workerOf() {
        return WORKER_OF.getOpaque(this);
    }

    public boolean waitShared() {
        return waitShared;
    }

    public boolean waitTimed() {
        return waitTimed;
    }

    public long waitSinceNanos() {
        return waitSinceNanos;
    }

    /**
     * Copies the recorded holds into {@code locks}, {@code sites}, {@code modes} (each at least {@link #maxHeld()}
     * long) and returns how many there are. Some may have been released since (see the class comment): check
     * each against the JDK before trusting it.
     */
    public int copyHolds(Object[] locks, int[] sites, byte[] modes) {
        int n = (int) HELD_COUNT.getAcquire(this);
        Object[] l = heldLocks;
        int[] s = heldSites;
        byte[] m = heldModes;
        n = Math.min(n, Math.min(l.length, Math.min(s.length, m.length)));
        for (int i = 0; i < n; i++) {
            locks[i] = l[i];
            sites[i] = s[i];
            modes[i] = m[i];
        }
        return n;
    }

    public static int maxHeld() {
        return MAX_HELD;
    }
    // ---- semaphore permits (see Permits) ------------------------------------------------------------------

    /** Semaphores of which this thread holds permits at once, at most; one more makes that semaphore uncertain. */
    public static final int PERMIT_SLOTS = 8;
    private static final VarHandle SLOT = MethodHandles.arrayElementVarHandle(Object[].class);

    /**
     * Which semaphores' synchronizers this thread took permits of and has not released, and how many: slot
     * {@code i} of both arrays, created at its first permit and never grown. The owner writes the count (plain),
     * then the synchronizer (release), and clears the synchronizer (release) when the count falls to 0, so a
     * released semaphore is not referenced. The watchdog reads the synchronizer (acquire), then the count.
     */
    private Object[] permitSyncs;
    private int[] permitCounts;
    /** Slots at and above this one are free (owner-only): a thread that holds one semaphore's permit scans one slot. */
    private int permitTop;
    /**
     * The semaphore synchronizer this thread is trying to take permits of right now (release stores, set before
     * the JDK's compare-and-set on the semaphore's state and cleared after the count is written): a watchdog that
     * read the state first sees every taker whose permits the state already counts, recorded or about to be.
     */
    private Object permitTaking;
    /** The semaphore this thread last found uncertain (see {@link Permits}), weakly: its next release costs no lookup. */
    WeakReference<Object> lastUncertain;

    void permitTaking(Object sync) {
        SLOT_TAKING.setRelease(this, sync);
    }

    /** {@code n} permits of {@code sync} taken; false when no slot was free (the taker is then unrecorded). */
    boolean permitsTaken(Object sync, int n) {
        if (n <= 0) {
            return true;
        }
        Object[] s = permitSyncs;
        if (s == null) {
            s = new Object[PERMIT_SLOTS];
            permitCounts = new int[PERMIT_SLOTS];
            permitSyncs = s;
        }
        int top = permitTop;
        int free = -1;
        for (int i = 0; i < top; i++) {
            Object at = s[i];
            if (at == sync) {
                permitCounts[i] += n;
                return true;
            }
            if (at == null && free < 0) {
                free = i;
            }
        }
        if (free < 0) {
            if (top == s.length) {
                return false;
            }
            free = top;
            permitTop = top + 1;
        }
        permitCounts[free] = n;
        SLOT.setRelease(s, free, sync);
        return true;
    }

    /** {@code n} permits of {@code sync} released; false when this thread had recorded fewer (a hand-off). */
    boolean permitsReleased(Object sync, int n) {
        Object[] s = permitSyncs;
        int top = permitTop;
        for (int i = 0; i < top; i++) {
            if (s[i] == sync) {
                int left = permitCounts[i] - n;
                permitCounts[i] = Math.max(0, left);
                if (left <= 0) {
                    SLOT.setRelease(s, i, null);
                    while (top > 0 && s[top - 1] == null) {
                        top--;
                    }
                    permitTop = top;
                }
                return left >= 0;
            }
        }
        return n <= 0;
    }

    /** Whether this thread has noted a permit since its record was made (its permit slots exist); owner only. */
    boolean tookPermits() {
        return permitSyncs != null;
    }

    /** How many permits of {@code sync} this thread took and has not released, as it recorded them (racy). */
    public int permitsOf(Object sync) {
        Object[] s = permitSyncs;
        int[] c = permitCounts;
        if (s == null || c == null) {
            return 0;
        }
        for (int i = 0; i < s.length; i++) {
            if (SLOT.getAcquire(s, i) == sync) {
                return c[i];
            }
        }
        return 0;
    }

    /** Copies the semaphores this thread holds permits of, and how many, into the arrays; returns how many (racy). */
    public int copyPermits(Object[] syncs, int[] counts) {
        Object[] s = permitSyncs;
        int[] c = permitCounts;
        int n = 0;
        if (s != null && c != null) {
            for (int i = 0; i < s.length && n < syncs.length; i++) {
                Object sync = SLOT.getAcquire(s, i);
                int count = c[i];
                if (sync != null && count > 0) {
                    syncs[n] = sync;
                    counts[n] = count;
                    n++;
                }
            }
        }
        return n;
    }

    /** The semaphore synchronizer whose permits this thread is taking right now, or null. */
    public Object permitTakingAcquire() {
        return SLOT_TAKING.getAcquire(this);
    }

    // ---- lock orders (lockOrder=on; see LockOrders), owner-only ------------------------------------------

    private Object[] orderScratch;
    private int[] orderSites;
    private byte[] orderModes;
    private long[] chains;

    Object[] orderScratch() {
        if (orderScratch == null) {
            orderScratch = new Object[MAX_HELD];
            orderSites = new int[MAX_HELD];
            orderModes = new byte[MAX_HELD];
        }
        return orderScratch;
    }

    int[] orderSites() {
        return orderSites;
    }

    byte[] orderModes() {
        return orderModes;
    }

    /** Whether the chain is in the cache, without adding it. */
    boolean knownChain(long chain) {
        long key = chain == 0 ? 1 : chain;
        return chains != null && chains[(int) (key ^ (key >>> 32)) & (chains.length - 1)] == key;
    }

    /**
     * Whether this thread takes the chain of locks hashed to {@code chain} for the first time (as far as its cache
     * of {@code size} recent chains, a power of two, remembers). A chain that falls out of the cache is sent again:
     * the watchdog counts it once more, nothing else.
     */
    boolean firstTimeChain(long chain, int size) {
        if (chains == null) {
            chains = new long[size];
        }
        long key = chain == 0 ? 1 : chain;
        int slot = (int) (key ^ (key >>> 32)) & (size - 1);
        if (chains[slot] == key) {
            return false;
        }
        chains[slot] = key;
        return true;
    }
}
