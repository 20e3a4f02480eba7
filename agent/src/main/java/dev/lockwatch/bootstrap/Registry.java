package dev.lockwatch.bootstrap;

import java.lang.ref.Reference;
import java.lang.ref.ReferenceQueue;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Function;
import java.util.stream.Stream;

/**
 * The live registry: every thread's {@link ThreadRecord}, found through a {@code ThreadLocal}, plus two
 * lock-free sets the watchdog reads.
 *
 * <ul>
 *   <li>{@code WAITING}: by thread id, the records of threads that have waited (in a contended acquire or on a
 *       future) and may still be alive. A thread adds itself before its first wait and stays until it is
 *       collected; whether it waits right now is its record's {@code waitingOn}. Keyed by id because a thread
 *       can get a new record: the JDK clears a ForkJoin common-pool worker's thread-locals between tasks, and
 *       the new record replaces the old one. So a wait costs no set update (a pool thread
 *       waits thousands of times a second), and the watchdog's work is proportional to the threads that
 *       ever waited, not to all threads.</li>
 *   <li>{@code LISTED}: by thread id, the records of threads that ever took a lock at an instrumented call site
 *       or waited or submitted a task (the watchdog needs them to find the readers of a read-write lock, the
 *       sites of a deadlocked thread's holds and the pools of queued tasks). A thread is listed once, on the
 *       first of these. A record leaves when its thread has been collected: the record is a weak reference to
 *       its thread, and {@link #purge()} drains the reference queue.</li>
 * </ul>
 * Both are {@link ConcurrentHashMap}s: CAS-based, never blocking on a lock the application holds.
 * Only the owner thread writes its record; see {@link ThreadRecord} for the publication protocol.
 */
public final class Registry {
    private static final ReferenceQueue<Thread> COLLECTED = new ReferenceQueue<>();
    private static final ConcurrentHashMap<Long, ThreadRecord> WAITING = new ConcurrentHashMap<>();
    private static final ConcurrentHashMap<Long, ThreadRecord> LISTED = new ConcurrentHashMap<>();
    private static final CurrentRecord CURRENT = new CurrentRecord();

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
    public static ThreadRecord current() {
        return CURRENT.get();
    }

    /** Loads (and initializes) everything the advice touches, before any advice can run. */
    public static void preload() {
        waitBegin(new Object(), false, false);
        waitEnd();
        WALKER.walk(FIRST_APPLICATION_FRAME);
        purge();
    }

    /** Agent code that runs on an application thread (logging a transformation error) is not recorded. */
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

    // ---- called from instrumented code ---------------------------------------------------------------

    static void acquired(Object lock, int site, byte mode) {
        ThreadRecord r = CURRENT.get();
        if (r.suppressed != 0) {
            return;
        }
        r.push(lock, site, mode);
        if (!r.listed) {
            list(r);
        }
    }

    static void released(Object lock) {
        ThreadRecord r = CURRENT.get();
        if (r.heldCountPlain() != 0) {
            r.pop(lock);
        }
    }

    /** Advice in {@code AbstractQueuedSynchronizer}'s contended acquire calls this just before it parks. */
    public static void waitBegin(Object sync, boolean shared, boolean timed) {
        ThreadRecord r = CURRENT.get();
        if (r.suppressed != 0) {
            return;
        }
        r.beginWait(sync, ThreadRecord.WAIT_LOCK, shared, timed);
        if (!r.waiter) {
            firstWait(r);
        }
    }

    private static void firstWait(ThreadRecord r) {
        r.waiter = true;
        if (!r.listed) {
            list(r);
        }
        WAITING.put(r.threadId, r);
    }

    // ---- hand-offs ------------------------------------------------------------------------------------

    /** Whether HELD_WHILE_BLOCKING checks run (agent option). */
    public static volatile boolean checkHeldWhileBlocking = true;
    private static final int MAX_PENDING = 256;
    private static final ConcurrentLinkedQueue<BlockedWhileHolding> PENDING = new ConcurrentLinkedQueue<>();
    private static final AtomicInteger PENDING_COUNT = new AtomicInteger();
    private static final ConcurrentHashMap<String, Boolean> SEEN_PAIRS = new ConcurrentHashMap<>();

    /**
     * Advice calls this when a thread is about to block on a future that is not done ({@code waitsFor}: the
     * future). Timed waits are recorded but draw no edge: they end by themselves.
     */
    public static void handoffBegin(Object future, boolean timed) {
        ThreadRecord r = CURRENT.get();
        if (r.suppressed != 0) {
            return;
        }
        r.beginWait(future, ThreadRecord.WAIT_HANDOFF, false, timed);
        if (!r.waiter) {
            firstWait(r);
        }
        if (checkHeldWhileBlocking && r.heldCountPlain() != 0) {
            heldWhileBlocking(r, future.getClass().getName());
        }
    }

    /** {@code invokeAll}/{@code invokeAny}: they always block, with no single future to wait for. */
    public static void blockingCall(String method) {
        ThreadRecord r = CURRENT.get();
        if (r.suppressed == 0 && checkHeldWhileBlocking && r.heldCountPlain() != 0) {
            heldWhileBlocking(r, method);
        }
    }

    private static void heldWhileBlocking(ThreadRecord r, String waitsFor) {
        r.suppressed++; // the stack walk and the map below take no application lock, but stay unrecorded
        try {
            Object[] locks = new Object[ThreadRecord.MAX_HELD];
            int[] sites = new int[locks.length];
            byte[] modes = new byte[locks.length];
            int n = r.copyHolds(locks, sites, modes);
            // A pair seen before costs a walk to the first application frame only; the whole stack is taken
            // for a new pair, which is reported.
            String waitSite = WALKER.walk(FIRST_APPLICATION_FRAME);
            boolean fresh = false;
            String[] siteNames = new String[n];
            for (int i = 0; i < n; i++) {
                siteNames[i] = CallSites.site(sites[i]);
                if (SEEN_PAIRS.putIfAbsent(siteNames[i] + " -> " + waitSite, Boolean.TRUE) == null) {
                    fresh = true;
                }
            }
            if (!fresh) {
                return;
            }
            if (PENDING_COUNT.incrementAndGet() > MAX_PENDING) {
                PENDING_COUNT.decrementAndGet();
                return;
            }
            Object[] held = new Object[n];
            String[] modeNames = new String[n];
            for (int i = 0; i < n; i++) {
                held[i] = locks[i];
                modeNames[i] = modes[i] == ThreadRecord.READ ? "read lock" : "lock";
            }
            Thread t = Thread.currentThread();
            PENDING.add(new BlockedWhileHolding(Threads.displayName(t), r.threadId, held, modeNames, siteNames, waitsFor,
                    waitSite, t.getStackTrace()));
        } finally {
            r.suppressed--;
        }
    }

    private static final StackWalker WALKER = StackWalker.getInstance();
    private static final FirstApplicationFrame FIRST_APPLICATION_FRAME = new FirstApplicationFrame();

    /** {@link #firstApplicationFrame} for a live stack walk (a class, not a lambda: this code runs inside the JDK). */
    private static final class FirstApplicationFrame implements Function<Stream<StackWalker.StackFrame>, String> {
        @Override
        public String apply(Stream<StackWalker.StackFrame> frames) {
            Iterator<StackWalker.StackFrame> it = frames.iterator();
            while (it.hasNext()) {
                StackWalker.StackFrame f = it.next();
                if (isApplicationClass(f.getClassName())) {
                    // the same text as firstApplicationFrame: no class loader or module prefix
                    return new StackTraceElement(f.getClassName(), f.getMethodName(), f.getFileName(), f.getLineNumber()).toString();
                }
            }
            return "(unknown)";
        }
    }

    /**
     * Reports a pair found by the watchdog (a monitor held across a hand-off wait); true when it is new.
     */
    public static boolean firstSeen(String holdSite, String waitSite) {
        return SEEN_PAIRS.putIfAbsent(holdSite + " -> " + waitSite, Boolean.TRUE) == null;
    }

    /** The first frame outside the JDK and the agent: where the application blocks. */
    public static String firstApplicationFrame(StackTraceElement[] stack) {
        for (StackTraceElement f : stack) {
            String c = f.getClassName();
            if (isApplicationClass(c)) {
                return new StackTraceElement(c, f.getMethodName(), f.getFileName(), f.getLineNumber()).toString();
            }
        }
        return "(unknown)";
    }

    private static boolean isApplicationClass(String c) {
        return !c.startsWith("java.") && !c.startsWith("jdk.") && !c.startsWith("sun.") && !c.startsWith("dev.lockwatch.bootstrap.");
    }

    /** The watchdog takes pending HELD_WHILE_BLOCKING findings to log them. */
    public static BlockedWhileHolding pollBlockedWhileHolding() {
        BlockedWhileHolding b = PENDING.poll();
        if (b != null) {
            PENDING_COUNT.decrementAndGet();
        }
        return b;
    }

    /**
     * A task starts to run on this thread. Returns the thread's record, which the exit advice hands back to
     * {@link #taskEnded}: one thread-local lookup per task.
     */
    public static Object taskStarted(Object taskOrFuture) {
        ThreadRecord r = CURRENT.get();
        if (!r.listed) {
            list(r);
        }
        r.startTask(taskOrFuture);
        return r;
    }

    public static void taskEnded(Object record) {
        if (record instanceof ThreadRecord) {
            ((ThreadRecord) record).endTask();
        }
    }

    /** A pool's worker thread enters its worker loop. */
    public static Object workerStarted(Object pool) {
        ThreadRecord r = CURRENT.get();
        if (!r.listed) {
            list(r);
        }
        return r.worker(pool);
    }

    public static void workerEnded(Object previous) {
        CURRENT.get().worker(previous);
    }

    /** A task was handed to a pool. */
    public static void submitted(Object task, Object pool) {
        if (task != null) {
            ThreadRecord r = CURRENT.get();
            if (r.suppressed == 0) {
                if (!r.listed) {
                    list(r); // the watchdog finds submissions through the listed records
                }
                Submissions.add(task, pool, r);
            }
        }
    }

    public static void waitEnd() {
        ThreadRecord r = CURRENT.get();
        if (r.waitingOn() != null) {
            r.endWait();
        }
    }

    private static void list(ThreadRecord r) {
        r.listed = true;
        LISTED.put(r.threadId, r);
    }

    // ---- watchdog side ------------------------------------------------------------------------------

    /** The records of threads that wait right now (a racy snapshot: a wait may end or begin meanwhile). */
    public static List<ThreadRecord> waiting() {
        List<ThreadRecord> now = new ArrayList<>();
        for (ThreadRecord r : WAITING.values()) {
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

    /** Drops the records of collected threads; returns how many records remain listed. */
    public static int purge() {
        Reference<? extends Thread> gone;
        while ((gone = COLLECTED.poll()) != null) {
            LISTED.remove(((ThreadRecord) gone).threadId, gone);
            WAITING.remove(((ThreadRecord) gone).threadId, gone);
        }
        return LISTED.size();
    }

    public static int listedCount() {
        return LISTED.size();
    }
}
