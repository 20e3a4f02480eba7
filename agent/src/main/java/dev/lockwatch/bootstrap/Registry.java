package dev.lockwatch.bootstrap;

import java.lang.ref.Reference;
import java.lang.ref.ReferenceQueue;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The live registry: every thread's {@link ThreadRecord}, found through a {@code ThreadLocal}, plus two
 * lock-free sets the watchdog reads.
 *
 * <ul>
 *   <li>{@code WAITING}: the records of threads that are inside a contended acquire right now. A thread adds
 *       itself just before it parks and removes itself when the acquire returns, so the watchdog's work is
 *       proportional to what waits, not to how many threads exist.</li>
 *   <li>{@code LISTED}: by thread id, the records of threads that ever took a lock at an instrumented call site
 *       or waited (the watchdog needs them to find the readers of a read-write lock and the sites of a
 *       deadlocked thread's holds). A thread is listed once, on its first lock. A record leaves when its
 *       thread has been collected: the record is a weak reference to its thread, and {@link #purge()} drains
 *       the reference queue.</li>
 * </ul>
 * Both are {@link ConcurrentHashMap}s: CAS-based, never blocking on a lock the application holds.
 * Only the owner thread writes its record; see {@link ThreadRecord} for the publication protocol.
 */
public final class Registry {
    private static final ReferenceQueue<Thread> COLLECTED = new ReferenceQueue<>();
    private static final Set<ThreadRecord> WAITING = ConcurrentHashMap.newKeySet();
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
        r.beginWait(sync, shared, timed);
        if (!r.listed) {
            list(r);
        }
        WAITING.add(r);
    }

    public static void waitEnd() {
        ThreadRecord r = CURRENT.get();
        if (r.waitingOn() != null) {
            r.endWait();
            WAITING.remove(r);
        }
    }

    private static void list(ThreadRecord r) {
        r.listed = true;
        LISTED.put(r.threadId, r);
    }

    // ---- watchdog side ------------------------------------------------------------------------------

    /** The records of threads that wait right now (a copy). */
    public static List<ThreadRecord> waiting() {
        return new ArrayList<>(WAITING);
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
            WAITING.remove(gone);
        }
        return LISTED.size();
    }

    public static int listedCount() {
        return LISTED.size();
    }
}
